# ouiscan_add_library(NAME capture SRCS a.cpp DEPS ouiscan::core PRIVATE_DEPS TBB::tbb)
# creates ouiscan_<name> with the alias ouiscan::<name>; public headers live in
# <dir>/include/ouiscan/<name>/ (installed under include/ouiscan/).
function(ouiscan_add_library)
  cmake_parse_arguments(ARG "" "NAME;INCLUDE_DIR" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT ARG_INCLUDE_DIR)
    set(ARG_INCLUDE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/include")
  endif()
  add_library(ouiscan_${ARG_NAME} ${ARG_SRCS})
  add_library(ouiscan::${ARG_NAME} ALIAS ouiscan_${ARG_NAME})
  target_compile_features(ouiscan_${ARG_NAME} PUBLIC cxx_std_20)
  target_include_directories(ouiscan_${ARG_NAME} PUBLIC $<BUILD_INTERFACE:${ARG_INCLUDE_DIR}>
    $<INSTALL_INTERFACE:include>)
  target_link_libraries(ouiscan_${ARG_NAME} PUBLIC ${ARG_DEPS} ouiscan_sanitizers
    PRIVATE ${ARG_PRIVATE_DEPS} ouiscan_warnings)
  # Installed as ouiscan::<name> (cmake/ouiscan_install.cmake), headers and all.
  set_target_properties(ouiscan_${ARG_NAME} PROPERTIES EXPORT_NAME ${ARG_NAME})
  set_property(GLOBAL APPEND PROPERTY OUISCAN_LIBRARIES ouiscan_${ARG_NAME})
  set_property(GLOBAL APPEND PROPERTY OUISCAN_INCLUDE_DIRS ${ARG_INCLUDE_DIR})
endfunction()
