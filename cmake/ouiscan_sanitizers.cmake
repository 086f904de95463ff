# OUISCAN_SANITIZE=address,undefined (or thread) instruments our targets and links the runtime.
add_library(ouiscan_sanitizers INTERFACE)
if(OUISCAN_SANITIZE)
  target_compile_options(ouiscan_sanitizers INTERFACE $<$<COMPILE_LANGUAGE:CXX>:
    -fsanitize=${OUISCAN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all>)
  target_link_options(ouiscan_sanitizers INTERFACE -fsanitize=${OUISCAN_SANITIZE})
endif()
if(OUISCAN_BUILD_FUZZERS)
  # Coverage instrumentation for the libraries the fuzz targets call.
  target_compile_options(ouiscan_sanitizers INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
