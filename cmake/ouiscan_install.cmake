# Where `cmake --install` puts the program and what comes with it, by the GNU conventions:
# bin/ouiscan, its man page (made with scdoc), bash, zsh and fish completions, and the docs;
# and the Debian package of them.
include(GNUInstallDirs)

install(TARGETS ouiscan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# The library, for programs that embed the scanner: the static component libraries,
# <ouiscan/...> headers, a CMake package (find_package(ouiscan): ouiscan::ouiscan) and a
# pkg-config file. Not in the .deb, which holds the program.
include(CMakePackageConfigHelpers)
get_property(ouiscan_libraries GLOBAL PROPERTY OUISCAN_LIBRARIES)
get_property(ouiscan_include_dirs GLOBAL PROPERTY OUISCAN_INCLUDE_DIRS)
list(REMOVE_DUPLICATES ouiscan_include_dirs)
set_target_properties(ouiscan_warnings PROPERTIES EXPORT_NAME detail_warnings)
set_target_properties(ouiscan_sanitizers PROPERTIES EXPORT_NAME detail_sanitizers)
install(TARGETS ${ouiscan_libraries} ouiscan_ouiscan ouiscan_warnings ouiscan_sanitizers
  EXPORT ouiscan-targets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development)
foreach(dir IN LISTS ouiscan_include_dirs)
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
endforeach()
set(ouiscan_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ouiscan)
install(EXPORT ouiscan-targets NAMESPACE ouiscan:: DESTINATION ${ouiscan_cmake_dir}
  COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ouiscanConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ouiscanConfig.cmake INSTALL_DESTINATION ${ouiscan_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ouiscanConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ouiscanConfig.cmake
  ${PROJECT_BINARY_DIR}/ouiscanConfigVersion.cmake DESTINATION ${ouiscan_cmake_dir}
  COMPONENT development)
# pkg-config: the libraries in link order (each before what it uses), then what they use.
set(ouiscan_pc_libs "")
foreach(lib app lambda diff merge scan report vendors online s3 http filter live pipeline
    identity io capture ouidb_embedded ouidb text core)
  if(TARGET ouiscan_${lib})
    string(APPEND ouiscan_pc_libs " -louiscan_${lib}")
  endif()
endforeach()
# A sanitized build's libraries need the sanitizer runtime in whatever links them.
set(ouiscan_pc_flags "")
if(OUISCAN_SANITIZE)
  set(ouiscan_pc_flags " -fsanitize=${OUISCAN_SANITIZE}")
endif()
# The prefix relative to the .pc file, so that the tree can be installed anywhere.
file(RELATIVE_PATH ouiscan_pc_up ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" ouiscan_pc_up "${ouiscan_pc_up}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/ouiscan.pc.in ${PROJECT_BINARY_DIR}/ouiscan.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ouiscan.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
  COMPONENT development)

find_program(SCDOC scdoc)
set(OUISCAN_MAN_PAGE ${PROJECT_BINARY_DIR}/man/ouiscan.1)
if(SCDOC)
  add_custom_command(OUTPUT ${OUISCAN_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${SCDOC} < ${PROJECT_SOURCE_DIR}/docs/man/ouiscan.1.scd > ${OUISCAN_MAN_PAGE}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/ouiscan.1.scd
    COMMENT "Writing the man page ouiscan.1")
  add_custom_target(man-page ALL DEPENDS ${OUISCAN_MAN_PAGE})
  install(FILES ${OUISCAN_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
else()
  message(WARNING "scdoc not found: the man page is neither built nor installed")
endif()

set(completions ${PROJECT_SOURCE_DIR}/tools/ouiscan/completions)
install(FILES ${completions}/ouiscan.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ouiscan
  COMPONENT runtime)
install(FILES ${completions}/_ouiscan DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions
  COMPONENT runtime)
install(FILES ${completions}/ouiscan.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT runtime)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  COMPONENT runtime FILES_MATCHING PATTERN "*.md" PATTERN "man" EXCLUDE)

# `cpack` in the build folder: ouiscan_<version>_amd64.deb of what is installed above, under
# /usr, its Depends computed by dpkg-shlibdeps from the libraries the binary links.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ouiscan)
set(CPACK_PACKAGE_VENDOR "the ouiscan developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "which devices are in a packet capture, and who made them")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "ouiscan reads pcap and pcapng captures (files, pipes, live interfaces, S3) and lists every
MAC address with its IEEE registry vendor, classification, traffic statistics, and the IP
addresses and names the device announced. The registries are compiled in: no network needed.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "ouiscan developers <ouiscan@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_RUNTIME_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# The package holds the runtime component (the program); the library is for `cmake --install`.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ouiscan)
include(CPack)
