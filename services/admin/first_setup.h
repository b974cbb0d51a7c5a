#ifndef ADUAN_ADMIN_FIRST_SETUP_H
#define ADUAN_ADMIN_FIRST_SETUP_H

#include "config.h"

/* `aduan-admin init`: an installed system's first set-up (docs/install-debian.md), as root, each
 * step skipped when done already: the owner's role, the database and the service roles on the
 * local PostgreSQL (as the system user postgres), migrate (as the system user aduan: peer
 * authentication), every CURVE key pair into ADUAN_CURVE_PEERS, and a first national admin "admin"
 * whose password goes to ADUAN_ADMIN_PASSWORD_FILE. 0 done, 1 a step failed, 2 not root or no
 * user aduan. */
int first_setup_run(const config_t *config);

#endif
