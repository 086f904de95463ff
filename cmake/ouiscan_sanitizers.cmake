# OUISCAN_SANITIZE=address,undefined (or thread) instruments our targets and links the runtime.
add_library(ouiscan_sanitizers INTERFACE)
if(OUISCAN_SANITIZE)
  target_compile_options(ouiscan_sanitizers INTERFACE $<$<COMPILE_LANGUAGE:CXX>:
    -fsanitize=${OUISCAN_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all>)
  target_link_options(ouiscan_sanitizers INTERFACE -fsanitize=${OUISCAN_SANITIZE})
  # GCC 12 with ASan's checks optimized (-O1 and up) reports memset bounds of SIZE_MAX - 10 in
  # the standard library's fill (-Wstringop-overflow): a false positive of the instrumented
  # code. The release build keeps the warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND OUISCAN_SANITIZE MATCHES "address")
    target_compile_options(ouiscan_sanitizers INTERFACE
      $<$<COMPILE_LANGUAGE:CXX>:-Wno-stringop-overflow>)
  endif()
endif()
if(OUISCAN_BUILD_FUZZERS)
  # Coverage instrumentation for the libraries the fuzz targets call.
  target_compile_options(ouiscan_sanitizers INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
