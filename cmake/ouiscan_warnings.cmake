# Warning flags for our own targets only (linked PRIVATE), never for third-party code.
add_library(ouiscan_warnings INTERFACE)
target_compile_options(ouiscan_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual
  $<$<CXX_COMPILER_ID:Clang>:-Wreserved-identifier>
  $<$<BOOL:${OUISCAN_WERROR}>:-Werror>>)
