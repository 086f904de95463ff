# Where `cmake --install` puts the program and what comes with it, by the GNU conventions:
# bin/ouiscan, its man page (made with scdoc), bash, zsh and fish completions, and the docs;
# and the Debian package of them.
include(GNUInstallDirs)

install(TARGETS ouiscan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

find_program(SCDOC scdoc)
set(OUISCAN_MAN_PAGE ${PROJECT_BINARY_DIR}/man/ouiscan.1)
if(SCDOC)
  add_custom_command(OUTPUT ${OUISCAN_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${SCDOC} < ${PROJECT_SOURCE_DIR}/docs/man/ouiscan.1.scd > ${OUISCAN_MAN_PAGE}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/ouiscan.1.scd
    COMMENT "Writing the man page ouiscan.1")
  add_custom_target(man-page ALL DEPENDS ${OUISCAN_MAN_PAGE})
  install(FILES ${OUISCAN_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "scdoc not found: the man page is neither built nor installed")
endif()

set(completions ${PROJECT_SOURCE_DIR}/tools/ouiscan/completions)
install(FILES ${completions}/ouiscan.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ouiscan)
install(FILES ${completions}/_ouiscan DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${completions}/ouiscan.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md" PATTERN "man" EXCLUDE)

# `cpack` in the build folder: ouiscan_<version>_amd64.deb of what is installed above, under
# /usr, its Depends computed by dpkg-shlibdeps from the libraries the binary links.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ouiscan)
set(CPACK_PACKAGE_VENDOR "the ouiscan developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "which devices are in a packet capture, and who made them")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}
 ouiscan reads pcap and pcapng captures (files, pipes, live interfaces, S3) and lists every
 MAC address with its IEEE registry vendor, classification, traffic statistics, and the IP
 addresses and names the device announced. The registries are compiled in: no network needed.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "ouiscan developers <ouiscan@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
