#ifndef ADUAN_CONFIG_H
#define ADUAN_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Twelve-factor settings: every option is read from an ADUAN_* environment variable, with a default
 * that works on one machine. `--help` prints the table; nothing else is accepted on the command line
 * except the flags a program declares itself. */
typedef struct {
    const char *env;          /* e.g. "ADUAN_DB_URL" */
    const char *fallback;     /* default value, may be "" but not NULL */
    const char *help;         /* one line */
} config_option_t;

typedef struct config_t config_t;

/* The options every service shares (database, log level, admin listener, ...). Services pass their
 * own table to config_new; the shared ones are added automatically. */
extern const config_option_t config_common_options[];
/* The CURVE settings (common/bus/curve_keys.h), among the common options and for the tools'
 * own tables. */
#define CONFIG_CURVE_OPTIONS \
    {"ADUAN_CURVE_SECRET", "", "this process's secret CURVE certificate (NAME.cert_secret); empty: plain links, loopback only"}, \
    {"ADUAN_CURVE_PEERS", "", "folder of the public certificates (name, role) this process accepts and connects to"}
extern const size_t config_common_options_count;

config_t *config_new(const char *program, const char *summary,
                     const config_option_t *options, size_t count);
/* Only the options given, for a tool that is not a service (aduan-tail has no database). */
config_t *config_new_own(const char *program, const char *summary, const config_option_t *options, size_t count);
void config_destroy(config_t **self_p);

/* Reads the environment (and argv for --help). Returns 0 to run, 1 when --help was printed (exit 0),
 * -1 on a bad argument or value, with the reason in `reason` (exit 2). */
int config_load(config_t *self, int argc, char **argv, char *reason, size_t reason_cap);
/* For programs with flags of their own (aduan-admin, aduan-tail): the environment alone, and the
 * table of settings for their --help. */
void config_read_environment(config_t *self);
void config_print_settings(const config_t *self, FILE *out);

/* Values of declared options; asking for an undeclared name aborts in debug builds, NULL otherwise. */
const char *config_get(const config_t *self, const char *env);
/* Parses integers and booleans (1/0, true/false, yes/no, on/off); -1 and the reason on bad input. */
int config_get_long(const config_t *self, const char *env, long min, long max, long *out,
                    char *reason, size_t reason_cap);
int config_get_bool(const config_t *self, const char *env, bool *out, char *reason, size_t reason_cap);

#endif
