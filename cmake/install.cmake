# `make install` and `make package` (issue 15): the evack binary and its
# manual page, nothing else. Test, fuzz and bench programs and the static
# libraries have no install rule, so neither `cmake --install` nor the
# package can pick them up (tests/install.sh checks the exact file list).
# evack reads no file at run time: the profiles are compiled in.
include(GNUInstallDirs)
install(TARGETS evack RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/evack.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The Debian package (CPack's DEB generator): evack_<version>_<arch>.deb.
set(EVK_DEB_MAINTAINER "evack maintainers <evack@invalid>" CACHE STRING
    "The Maintainer field of the Debian package (make package CMAKE_ARGS=-DEVK_DEB_MAINTAINER='Name <mail>')")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME evack)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "conformance suite and fuzzer for the Event/Ack WebSocket subprotocol")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "evack plays the other peer of a JSON-over-WebSocket Event/Ack subprotocol\n\
(every Event acked exactly once within a deadline, a close code for every\n\
violation) against a server or client implementation and judges it case by\n\
case; it writes JSON, JUnit and HTML reports, ships a reference server and\n\
client with injectable faults, and fuzzes running implementations.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EVK_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Depends: computed by dpkg-shlibdeps from the libraries the binary links
# (libwebsockets, libcjson, libc), with the versions this system has.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
include(CPack)
