# The Debian package (docs/install-debian.md): `cpack -G DEB` in a build folder makes
# aduan_VERSION_ARCH.deb with the programs in /usr/bin, a systemd unit per service and aduan.target,
# /etc/aduan/aduan.env (a conffile) and the maintainer scripts of deploy/debian.
set(ADUAN_DEB_SOURCE ${PROJECT_SOURCE_DIR}/deploy/debian)
set(ADUAN_DEB_BUILD ${CMAKE_BINARY_DIR}/debian)

# name  admin-port  what it does (the unit's description)
set(ADUAN_DEB_SERVICES
    "gateway|9180|the HTTP API and staff sessions"
    "intake|9181|submission and the public tracking view"
    "verify|9182|pre-checks and the verification desk"
    "route|9183|routing, dispatch, follow-up and deadlines"
    "notify|9184|e-mail, webhooks and SMS"
    "stats|9186|the event hub and the statistics"
    "federate|9187|forwarding to upstream Open311 servers")
foreach(entry IN LISTS ADUAN_DEB_SERVICES)
  string(REPLACE "|" ";" fields "${entry}")
  list(GET fields 0 NAME)
  list(GET fields 1 ADMIN_PORT)
  list(GET fields 2 SUMMARY)
  string(TOUPPER ${NAME} UPPER)
  configure_file(${ADUAN_DEB_SOURCE}/aduan-service.in ${ADUAN_DEB_BUILD}/aduan-${NAME}.service @ONLY)
  install(FILES ${ADUAN_DEB_BUILD}/aduan-${NAME}.service DESTINATION /lib/systemd/system)
endforeach()
install(FILES ${ADUAN_DEB_SOURCE}/aduan.target DESTINATION /lib/systemd/system)
# Readable by root only until postinst gives it to the group aduan (0640 root:aduan): it may hold
# the SMTP password.
install(FILES ${ADUAN_DEB_SOURCE}/aduan.env DESTINATION /etc/aduan PERMISSIONS OWNER_READ OWNER_WRITE)

# Debian wants a compressed changelog without a timestamp, and the copyright file.
add_custom_command(OUTPUT ${ADUAN_DEB_BUILD}/changelog.gz
                   COMMAND gzip -9nc ${ADUAN_DEB_SOURCE}/changelog > ${ADUAN_DEB_BUILD}/changelog.gz
                   DEPENDS ${ADUAN_DEB_SOURCE}/changelog)
add_custom_target(aduan_deb_changelog ALL DEPENDS ${ADUAN_DEB_BUILD}/changelog.gz)
install(FILES ${ADUAN_DEB_BUILD}/changelog.gz ${ADUAN_DEB_SOURCE}/copyright
              ${PROJECT_SOURCE_DIR}/docs/install-debian.md DESTINATION share/doc/aduan)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aduan)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGE_CONTACT "aduan maintainers <aduan@example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# CPack indents every line after the first by one space itself.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "complaint-handling system for public services
aduan receives citizens' reports, verifies them, dispatches them down a tree
of institutions, follows them up, closes and counts them. It is a set of
small services talking over ZeroMQ with PostgreSQL as the system of record.
.
This package runs every service on one machine under systemd (aduan.target),
with the system's PostgreSQL unless configured otherwise.")
# The libraries' packages come from dpkg-shlibdeps; postinst needs adduser (runuser and
# deb-systemd-invoke are in essential packages); aduan-intake opens libvips itself when the first
# photo comes (services/intake/vips_library.c), which dpkg-shlibdeps cannot see.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, libvips42")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql (>= 15), postgresql-contrib")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ADUAN_DEB_SOURCE}/conffiles ${ADUAN_DEB_SOURCE}/postinst ${ADUAN_DEB_SOURCE}/prerm ${ADUAN_DEB_SOURCE}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
