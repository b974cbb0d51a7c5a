/* aduan-admin: operator commands — preparing the database, creating staff accounts (the first
 * national admin above all; later ones may also be made through POST /api/v1/staff), and asking
 * aduan-stats to count the statistics again from the event log.
 *
 *   aduan-admin migrate
 *   aduan-admin create-staff <username> <role> <institution> <display name> [e-mail]  < password-on-stdin
 *   aduan-admin rebuild-stats
 *   aduan-admin keys <name> <role> <folder>
 *   aduan-admin open311-key issue <app> <region> [--token] | revoke <app> | list
 *   aduan-admin init
 *
 * Each command acts as the owner of what it changes (docs/architecture.md, "Who owns which table"):
 *   migrate        the database owner (ADUAN_DB_URL): applies migrations and seed data, then creates
 *                  the service roles and grants each its tables (db/grants.sql); run it once before
 *                  the services start and again after each upgrade — the services wait for it.
 *                  Given the services' URLs (ADUAN_GATEWAY_DB_URL ... ADUAN_FEDERATE_DB_URL), it also
 *                  sets each role's password to the one in its URL;
 *   create-staff   the gateway's role (aduan_gateway: ADUAN_GATEWAY_DB_URL when set, else ADUAN_DB_URL):
 *                  staff is the gateway's table and
 *                  this is the gateway's own account code, for the first admin nobody can sign in as;
 *   rebuild-stats  a command to aduan-stats (ADUAN_STATS_ENDPOINTS), which owns the statistics; with
 *                  CURVE keys (ADUAN_CURVE_SECRET, ADUAN_CURVE_PEERS) an admin key is needed;
 *   open311-key    the gateway's role (ADUAN_DB_URL): the API keys of Open311 client applications
 *                  are the gateway's table; `issue` prints the key once (docs/open311.md);
 *   keys           writes a CURVE key pair <folder>/<name>.cert and .cert_secret with its role
 *                  (docs/operations.md "Keys"); no database;
 *   init           an installed system's first set-up (docs/install-debian.md), as root, each step
 *                  skipped when done already: the owner's role and database on the local PostgreSQL
 *                  (as the system user postgres), migrate (as the system user aduan: peer
 *                  authentication), every CURVE key pair into ADUAN_CURVE_PEERS, and a first
 *                  national admin "admin" whose password goes to ADUAN_ADMIN_PASSWORD_FILE.
 * On an installed system the settings files (ADUAN_ENV_FILES) are read first, so aduan-admin sees
 * what the services see; what is set in the environment wins over them.
 * The password is read from the first line of standard input, so it never shows in the process
 * list or the shell history. */
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_db.h"
#include "cmd_client.h"
#include "config.h"
#include "curve_keys.h"
#include "env_file.h"
#include "error_reply.h"
#include "first_setup.h"
#include "msgpack_fields.h"
#include "open311_keys.h"
#include "staff_accounts.h"
#include "stats_query_codec.h"

/* The installed system's settings, in the order they win (see env_file.h). */
#define DEFAULT_ENV_FILES "/etc/aduan/aduan.env:/etc/aduan/secrets.env"

static const config_option_t admin_settings[] = {
    {"ADUAN_DB_URL", "postgresql:///aduan", "the owner's URL (migrate, init); aduan_gateway's for create-staff when ADUAN_GATEWAY_DB_URL is empty"},
    {"ADUAN_DB_CONNECT_WAIT_MS", "10000", "how long to retry the first database connection"},
    {"ADUAN_GATEWAY_DB_URL", "", "migrate: the gateway's URL, whose password becomes aduan_gateway's; create-staff connects with it"},
    {"ADUAN_INTAKE_DB_URL", "", "migrate: likewise for aduan_intake"},
    {"ADUAN_VERIFY_DB_URL", "", "migrate: likewise for aduan_verify"},
    {"ADUAN_ROUTE_DB_URL", "", "migrate: likewise for aduan_route"},
    {"ADUAN_NOTIFY_DB_URL", "", "migrate: likewise for aduan_notify"},
    {"ADUAN_STATS_DB_URL", "", "migrate: likewise for aduan_stats"},
    {"ADUAN_FEDERATE_DB_URL", "", "migrate: likewise for aduan_federate"},
    {"ADUAN_STATS_ENDPOINTS", "tcp://127.0.0.1:7105", "rebuild-stats: aduan-stats replicas' query endpoints"},
    {"ADUAN_REBUILD_TIMEOUT_MS", "600000", "rebuild-stats: how long a recount of the whole log may take"},
    {"ADUAN_ENV_FILES", DEFAULT_ENV_FILES, "settings files read first, colon-separated (empty: none)"},
    {"ADUAN_ADMIN_PASSWORD_FILE", "/etc/aduan/admin-password", "init: where the first admin's password is written"},
    CONFIG_CURVE_OPTIONS,
};

static void usage(const config_t *config, FILE *out)
{
    fprintf(out, "usage: aduan-admin migrate\n"
                    "       aduan-admin create-staff <username> <role> <institution> <display name> [e-mail] < password\n"
                    "       aduan-admin rebuild-stats\n"
                    "       aduan-admin keys <name> <role> <folder>\n"
                    "       aduan-admin open311-key issue <app> <region> [--token] | revoke <app> | list\n"
                    "       aduan-admin init      (as root, on an installed system: database, migrate, keys, first admin)\n"
                    "  role: national_admin (institution NASIONAL), institution_admin, unit_liaison, analyst\n"
                    "  keys: name of the process (intake, stats, ...) or client; role gateway, service, analytics\n"
                    "        or admin; writes <folder>/<name>.cert (public) and <name>.cert_secret\n\n");
    config_print_settings(config, out);
}

static int read_password(char *out, size_t cap)
{
    if (!fgets(out, (int) cap, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

static int create_staff(const config_t *config, int argc, char **argv)
{
    char password[STAFF_PASSWORD_MAX + 2];
    if (read_password(password, sizeof password) != 0) {
        fprintf(stderr, "aduan-admin: give the password on standard input\n");
        return 2;
    }
    db_t *db = NULL;
    int exit_code = 1;
    if (admin_db_open(config, admin_db_gateway_url(config), &db) == 0) {
        staff_account_t account = {argv[2], argv[5], argv[3], argv[4], password, argc > 6 ? argv[6] : NULL, NULL};
        exit_code = admin_db_create_account(db, &account);
    }
    sodium_memzero(password, sizeof password);
    db_destroy(&db);
    return exit_code;
}

/* The request, naming the operator for aduan-stats' log. NULL when out of memory. */
static envelope_t *rebuild_request(void)
{
    const struct passwd *user = getpwuid(getuid());
    stats_rebuild_t asked = {NULL};
    unsigned char *body = NULL;
    size_t size = 0;
    envelope_t *request = NULL;
    if (mpf_set_string(&asked.requested_by, user ? user->pw_name : NULL) == 0
        && stats_rebuild_encode(&asked, &body, &size) == 0
        && (request = envelope_new(MSG_STATS_REBUILD, STATS_QUERY_VERSION, NULL, NULL)))
        envelope_take_body(request, body, size);
    else
        free(body);
    stats_rebuild_clear(&asked);
    return request;
}

/* What aduan-stats answered, printed; 0 when it counted. */
static int report_rebuilt(const envelope_t *reply)
{
    char why[200];
    stats_rebuilt_t done;
    error_reply_t error;
    if (strcmp(reply->type, MSG_STATS_REBUILT) == 0
        && stats_rebuilt_decode(reply->body, reply->body_size, &done, why, sizeof why) == 0) {
        printf("statistics rebuilt from %lld events\n", (long long) done.events);
        return 0;
    }
    if (strcmp(reply->type, MSG_ERROR) == 0 && error_reply_decode(reply->body, reply->body_size, &error, why,
                                                                   sizeof why) == 0)
        fprintf(stderr, "aduan-admin: aduan-stats refused: %s: %s\n", error.code, error.detail);
    else
        fprintf(stderr, "aduan-admin: unexpected answer %s from aduan-stats\n", reply->type);
    return 1;
}

/* One attempt: a recount may take long, and sending it again meanwhile would only count twice. */
static int rebuild_stats(const config_t *config)
{
    char reason[256] = "out of memory";
    long timeout_ms = 0;
    if (config_get_long(config, "ADUAN_REBUILD_TIMEOUT_MS", 100, 24 * 3600 * 1000L, &timeout_ms, reason,
                        sizeof reason) != 0) {
        fprintf(stderr, "aduan-admin: %s\n", reason);
        return 2;
    }
    curve_keys_t *keys = NULL;
    if (curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        fprintf(stderr, "aduan-admin: %s\n", reason);
        return 2;
    }
    cmd_client_t *client = cmd_client_new(config_get(config, "ADUAN_STATS_ENDPOINTS"), (int) timeout_ms, 1, keys,
                                          "stats", reason, sizeof reason);
    envelope_t *request = client ? rebuild_request() : NULL;
    envelope_t *reply = request ? cmd_client_call(client, request, reason, sizeof reason) : NULL;
    int exit_code = 1;
    if (reply)
        exit_code = report_rebuilt(reply);
    else
        fprintf(stderr, "aduan-admin: aduan-stats did not answer: %s\n", reason);
    envelope_destroy(&reply);
    envelope_destroy(&request);
    cmd_client_destroy(&client);
    curve_keys_destroy(&keys);
    return exit_code;
}

/* issue prints the key (shown once), revoke and list what the table holds. */
static int open311_key(db_t *db, int argc, char **argv, db_error_t *error)
{
    if (strcmp(argv[2], "list") == 0 && argc == 3) {
        char *json = NULL;
        if (open311_keys_list(db, &json, error) != 0)
            return -1;
        printf("%s\n", json);
        free(json);
        return 0;
    }
    if (strcmp(argv[2], "revoke") == 0 && argc == 4) {
        int rc = open311_keys_revoke(db, argv[3], error);
        if (rc > 0)
            fprintf(stderr, "aduan-admin: no key of %s is in force\n", argv[3]);
        return rc;
    }
    bool token = argc == 6 && strcmp(argv[5], "--token") == 0;
    if (strcmp(argv[2], "issue") != 0 || (argc != 5 && !token))
        return 2;
    open311_app_spec_t spec = {argv[3], argv[4], token};
    char key[SECRET_TOKEN_LEN + 1];
    const char *why = NULL;
    int rc = open311_keys_issue(db, &spec, key, &why, error);
    if (rc == 0)
        printf("%s\n", key);
    else if (rc > 0)
        fprintf(stderr, "aduan-admin: %s\n", why);
    sodium_memzero(key, sizeof key);
    return rc;
}

static int open311_keys_command(const config_t *config, int argc, char **argv)
{
    /* The keys are the gateway's table, like staff accounts. */
    db_t *db = NULL;
    if (admin_db_open(config, admin_db_gateway_url(config), &db) != 0)
        return 1;
    db_error_t error = {"", ""};
    int rc = open311_key(db, argc, argv, &error);
    if (rc < 0)
        fprintf(stderr, "aduan-admin: database: %s\n", error.message);
    else if (rc == 2)
        usage(config, stderr);
    db_destroy(&db);
    return rc < 0 ? 1 : rc;
}

static int make_keys(char **argv)
{
    char reason[300];
    if (curve_keys_generate(argv[2], argv[3], argv[4], reason, sizeof reason) != 0) {
        fprintf(stderr, "aduan-admin: %s\n", reason);
        return 1;
    }
    printf("%s/%s.cert (public) and %s/%s.cert_secret (secret) written\n", argv[4], argv[2], argv[4], argv[2]);
    return 0;
}

static int run(const config_t *config, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "migrate") == 0)
        return admin_db_migrate(config);
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "create-staff") == 0)
        return create_staff(config, argc, argv);
    if (argc == 2 && strcmp(argv[1], "rebuild-stats") == 0)
        return rebuild_stats(config);
    if (argc >= 3 && strcmp(argv[1], "open311-key") == 0)
        return open311_keys_command(config, argc, argv);
    if (argc == 5 && strcmp(argv[1], "keys") == 0)
        return make_keys(argv);
    if (argc == 2 && strcmp(argv[1], "init") == 0)
        return first_setup_run(config);
    bool help = argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
    usage(config, help ? stdout : stderr);
    return help ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "aduan-admin: libsodium cannot start\n");
        return 1;
    }
    config_t *config = config_new_own("aduan-admin", "operator commands of aduan", admin_settings,
                                      sizeof admin_settings / sizeof admin_settings[0]);
    if (!config)
        return 1;
    char reason[300];
    const char *files = getenv("ADUAN_ENV_FILES");
    if (env_file_load_list(files ? files : DEFAULT_ENV_FILES, reason, sizeof reason) != 0)
        fprintf(stderr, "aduan-admin: %s\n", reason);
    config_read_environment(config);
    int exit_code = run(config, argc, argv);
    config_destroy(&config);
    return exit_code;
}
