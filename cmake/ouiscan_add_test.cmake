# ouiscan_add_test(NAME capture_pcap_test SRCS pcap_test.cpp DEPS ouiscan::capture LABELS unit)
include(GoogleTest)
function(ouiscan_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest_main ouiscan_warnings
    ouiscan_sanitizers)
  target_compile_definitions(${ARG_NAME} PRIVATE
    OUISCAN_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    OUISCAN_CORPUS_DIR="${OUISCAN_CORPUS_DIR}")
  # GTEST_SKIP shows as skipped in ctest, not as passed.
  gtest_discover_tests(${ARG_NAME} PROPERTIES TIMEOUT 120 LABELS "${ARG_LABELS}"
    SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]" DISCOVERY_TIMEOUT 60)
endfunction()
