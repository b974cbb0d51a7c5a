#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const config_option_t config_common_options[] = {
    {"ADUAN_DB_URL", "postgresql:///aduan", "PostgreSQL connection string or URI"},
    {"ADUAN_DB_CONNECT_WAIT_MS", "30000", "how long to retry the first database connection"},
    {"ADUAN_LOG_LEVEL", "info", "debug, info, warn or error"},
    {"ADUAN_ADMIN_ADDR", "127.0.0.1:0", "host:port of /healthz, /readyz and /metrics"},
    {"ADUAN_STATEMENT_TIMEOUT_MS", "5000",
     "how long a query for a person (sign-in, staff views, statistics) may run before it is cancelled; 0 = no limit"},
    {"ADUAN_CLOCK_FILE", "", "file holding seconds to add to the lifecycle clock (tests and drills; empty = none)"},
    CONFIG_CURVE_OPTIONS,
};
const size_t config_common_options_count = sizeof config_common_options / sizeof config_common_options[0];

#define CONFIG_MAX_OPTIONS 64

struct config_t {
    const char *program;
    const char *summary;
    config_option_t options[CONFIG_MAX_OPTIONS];
    const char *values[CONFIG_MAX_OPTIONS];
    size_t count;
};

static int find(const config_t *self, const char *env)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp(self->options[i].env, env) == 0)
            return (int) i;
    return -1;
}

/* A service's own declaration of a common option replaces it (another default, say). */
static void declare(config_t *self, const config_option_t *option)
{
    int index = find(self, option->env);
    if (index >= 0)
        self->options[index] = *option;
    else if (self->count < CONFIG_MAX_OPTIONS)
        self->options[self->count++] = *option;
}

config_t *config_new_own(const char *program, const char *summary, const config_option_t *options, size_t count)
{
    if (count > CONFIG_MAX_OPTIONS)
        return NULL;
    config_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->program = program;
    self->summary = summary;
    for (size_t i = 0; i < count; i++)
        declare(self, &options[i]);
    return self;
}

config_t *config_new(const char *program, const char *summary, const config_option_t *options, size_t count)
{
    if (config_common_options_count + count > CONFIG_MAX_OPTIONS)
        return NULL;
    config_t *self = config_new_own(program, summary, config_common_options, config_common_options_count);
    for (size_t i = 0; self && i < count; i++)
        declare(self, &options[i]);
    return self;
}

void config_destroy(config_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

void config_print_settings(const config_t *self, FILE *out)
{
    fputs("Every setting is an environment variable:\n\n", out);
    for (size_t i = 0; i < self->count; i++)
        fprintf(out, "  %-28s %s\n  %-28s (default: \"%s\")\n", self->options[i].env, self->options[i].help, "",
                self->options[i].fallback);
}

void config_read_environment(config_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        const char *value = getenv(self->options[i].env);
        self->values[i] = value ? value : self->options[i].fallback;
    }
}

int config_load(config_t *self, int argc, char **argv, char *reason, size_t cap)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("%s — %s\n\nUsage: %s [--help]\n\n", self->program, self->summary, self->program);
            config_print_settings(self, stdout);
            return 1;
        }
        snprintf(reason, cap, "unknown argument '%s' (settings are ADUAN_* environment variables; see --help)", argv[i]);
        return -1;
    }
    config_read_environment(self);
    return 0;
}

const char *config_get(const config_t *self, const char *env)
{
    int index = find(self, env);
    return index >= 0 ? self->values[index] : NULL;
}

int config_get_long(const config_t *self, const char *env, long min, long max, long *out, char *reason, size_t cap)
{
    const char *text = config_get(self, env);
    char *end = NULL;
    errno = 0;
    long value = text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || value < min || value > max) {
        snprintf(reason, cap, "%s must be a whole number from %ld to %ld (got '%s')", env, min, max, text ? text : "");
        return -1;
    }
    *out = value;
    return 0;
}

int config_get_bool(const config_t *self, const char *env, bool *out, char *reason, size_t cap)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    const char *text = config_get(self, env);
    for (size_t i = 0; text && i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
            *out = strcasecmp(text, yes[i]) == 0;
            return 0;
        }
    }
    snprintf(reason, cap, "%s must be true or false (got '%s')", env, text ? text : "");
    return -1;
}
