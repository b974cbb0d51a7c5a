#include "first_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_db.h"
#include "curve_keys.h"
#include "system_setup.h"

/* Who the services run as, and the owner of the local database (peer authentication). */
#define SYSTEM_USER "aduan"

/* init's steps run in a child as another system user: what they need of the parent. */
typedef struct {
    const config_t *config;
} init_context_t;

static int migrate_as_owner(void *ctx)
{
    const init_context_t *context = ctx;
    return admin_db_migrate(context->config);
}

/* The owner's role and database on the local server (as postgres), then the migrations as the
 * owner, through peer authentication; on another server both are the operator's (its URL says
 * how to connect). */
static int init_database(const config_t *config)
{
    char reason[300] = "";
    system_setup_owner_t owner;
    if (system_setup_owner(config_get(config, "ADUAN_DB_URL"), SYSTEM_USER, &owner, reason, sizeof reason) != 0) {
        fprintf(stderr, "aduan-admin: init: %s\n", reason);
        return 1;
    }
    if (!owner.local) {
        printf("database: ADUAN_DB_URL names another server, where the role and database are yours to make\n");
        return admin_db_migrate(config);
    }
    init_context_t context = {config};
    system_setup_roles_t roles = {&owner, config};
    int rc = system_setup_run_as("postgres", system_setup_create_roles, &roles, reason, sizeof reason);
    if (rc == 0)
        rc = system_setup_run_as(SYSTEM_USER, migrate_as_owner, &context, reason, sizeof reason);
    if (rc < 0)
        fprintf(stderr, "aduan-admin: init: %s\n", reason);
    return rc == 0 ? 0 : 1;
}

static const char *const init_key_pairs[][2] = {
    {"gateway", "gateway"}, {"intake", "service"}, {"verify", "service"},     {"route", "service"},
    {"notify", "service"},  {"stats", "service"},  {"federate", "service"}, {"analytics", "analytics"},
    {"admin", "admin"},
};

/* The services read their secret keys as the group aduan; the admin's and the analytics client's
 * stay root's, so no service can act as either. */
static int give_to_group(const char *folder, const char *name, const char *role, gid_t group)
{
    char path[4096];
    bool service = strcmp(role, "service") == 0 || strcmp(role, "gateway") == 0;
    snprintf(path, sizeof path, "%s/%s.cert_secret", folder, name);
    if (chown(path, 0, service ? group : 0) != 0 || chmod(path, service ? 0640 : 0600) != 0) {
        fprintf(stderr, "aduan-admin: init: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int init_keys(const config_t *config, gid_t group)
{
    const char *folder = config_get(config, "ADUAN_CURVE_PEERS");
    if (!folder || !*folder) {
        fprintf(stderr, "aduan-admin: init: ADUAN_CURVE_PEERS names no folder for the keys\n");
        return 1;
    }
    if (mkdir(folder, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "aduan-admin: init: %s: %s\n", folder, strerror(errno));
        return 1;
    }
    int made = 0;
    for (size_t i = 0; i < sizeof init_key_pairs / sizeof init_key_pairs[0]; i++) {
        char path[4096], reason[300];
        snprintf(path, sizeof path, "%s/%s.cert", folder, init_key_pairs[i][0]);
        if (access(path, F_OK) != 0) {
            if (curve_keys_generate(init_key_pairs[i][0], init_key_pairs[i][1], folder, reason, sizeof reason) != 0) {
                fprintf(stderr, "aduan-admin: init: %s\n", reason);
                return 1;
            }
            made++;
        }
        if (give_to_group(folder, init_key_pairs[i][0], init_key_pairs[i][1], group) != 0)
            return 1;
    }
    printf("keys: %d made in %s, %d there already\n", made, folder,
           (int) (sizeof init_key_pairs / sizeof init_key_pairs[0]) - made);
    return 0;
}

/* A new password into a new file only root reads; 0, 1 when the file exists, -1 on failure. */
static int write_new_password(const char *path, char *password, size_t cap)
{
    unsigned char raw[18];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(password, cap, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return errno == EEXIST ? 1 : -1;
    size_t length = strlen(password);
    int rc = write(fd, password, length) == (ssize_t) length && write(fd, "\n", 1) == 1 ? 0 : -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

static int init_admin(const config_t *config)
{
    const char *path = config_get(config, "ADUAN_ADMIN_PASSWORD_FILE");
    char password[64];
    int written = write_new_password(path, password, sizeof password);
    if (written == 1) {
        printf("first admin: made already (the password given to \"admin\" is in %s)\n", path);
        return 0;
    }
    if (written < 0) {
        fprintf(stderr, "aduan-admin: init: %s: %s\n", path, strerror(errno));
        return 1;
    }
    db_t *db = NULL;
    int rc = 1;
    if (admin_db_open(config, admin_db_gateway_url(config), &db) == 0) {
        staff_account_t account = {"admin", "Administrator", "national_admin", "NASIONAL", password, NULL, NULL};
        rc = admin_db_create_account(db, &account);
    }
    if (rc == 0)
        printf("first admin: \"admin\", its password in %s\n", path);
    else
        unlink(path);   /* made again by the next init */
    sodium_memzero(password, sizeof password);
    db_destroy(&db);
    return rc;
}

int first_setup_run(const config_t *config)
{
    const struct group *group = getgrnam(SYSTEM_USER);
    if (geteuid() != 0 || !group) {
        fprintf(stderr, "aduan-admin: init sets up an installed system: run it as root, with the user %s there\n",
                SYSTEM_USER);
        return 2;
    }
    gid_t gid = group->gr_gid;
    int rc = init_database(config);
    if (rc == 0)
        rc = init_keys(config, gid);
    if (rc == 0)
        rc = init_admin(config);
    if (rc == 0)
        printf("aduan is set up: systemctl enable --now aduan.target\n");
    return rc;
}
