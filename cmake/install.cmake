# What `cmake --install` (and `make install PREFIX=...`) puts where: the public headers, both
# libraries static and shared, a pkg-config file for each, a CMake package, the synack command and
# the man pages. tests/check_install.sh installs into a temporary prefix and builds examples/
# against the result with pkg-config only.
include(CMakePackageConfigHelpers)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/synack DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(TARGETS synack synack_os synack_shared synack_os_shared EXPORT synackTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS synack-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/synack.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/synack.3 DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)

# CMake package: find_package(synack) gives the imported targets named in the top CMakeLists.txt.
set(SYNACK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/synack)
install(EXPORT synackTargets NAMESPACE synack:: DESTINATION ${SYNACK_CMAKE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/synackConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/synackConfig.cmake INSTALL_DESTINATION ${SYNACK_CMAKE_DIR})
# While the major version is 0 a minor version may break the API, as the SONAME says.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(compat SameMinorVersion)
else()
  set(compat SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/synackConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${compat})
install(FILES ${CMAKE_BINARY_DIR}/cmake/synackConfig.cmake ${CMAKE_BINARY_DIR}/cmake/synackConfigVersion.cmake
        DESTINATION ${SYNACK_CMAKE_DIR})

# pkg-config files. The prefix is the one given at install time (cmake --install --prefix), not the
# one configured: each file is written from its template (cmake/*.pc.in, versions filled in at
# configure time) by the install script itself, then installed.
foreach(pc synack synack-os)
  set(SYNACK_PC_PREFIX "@SYNACK_PC_PREFIX@")   # left for the install step
  configure_file(${CMAKE_SOURCE_DIR}/cmake/${pc}.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc.in @ONLY)
  install(CODE "
    set(SYNACK_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    configure_file(\"${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc.in\" \"${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc\" @ONLY)")
  install(FILES ${CMAKE_BINARY_DIR}/pkgconfig/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
