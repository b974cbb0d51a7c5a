#include "service.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "idle_memory.h"
#include "logger.h"

struct service_t {
    char name[32];
    config_t *config;
    admin_http_t *admin;
};

service_t *service_start(const char *name, const char *summary, const config_option_t *options,
                         size_t option_count, int argc, char **argv, int *exit_code)
{
    char program[64], reason[300];
    snprintf(program, sizeof program, "aduan-%s", name);
    idle_memory_prepare();   /* before any thread allocates */
    zsys_init();  /* installs CZMQ's SIGINT/SIGTERM handler: zsys_interrupted */
    logger_init(name);
    service_t *self = calloc(1, sizeof *self);
    if (!self || !(self->config = config_new(program, summary, options, option_count))) {
        free(self);
        *exit_code = 1;
        return NULL;
    }
    snprintf(self->name, sizeof self->name, "%s", name);
    int rc = config_load(self->config, argc, argv, reason, sizeof reason);
    if (rc == 0 && logger_set_level_name(config_get(self->config, "ADUAN_LOG_LEVEL")) != 0) {
        snprintf(reason, sizeof reason, "ADUAN_LOG_LEVEL must be debug, info, warn or error");
        rc = -1;
    }
    if (rc == 0 && !(self->admin = admin_http_new(config_get(self->config, "ADUAN_ADMIN_ADDR"), reason, sizeof reason))) {
        logger_error("%s", reason);
        *exit_code = 1;
        service_stop(&self);
        return NULL;
    }
    if (rc != 0) {
        if (rc < 0)
            logger_error("%s", reason);
        *exit_code = rc > 0 ? 0 : 2;
        service_stop(&self);
        return NULL;
    }
    clock_use_file(config_get(self->config, "ADUAN_CLOCK_FILE"));
    logger_info("%s starting (admin on port %u)", program, admin_http_port(self->admin));
    return self;
}

void service_stop(service_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    admin_http_destroy(&(*self_p)->admin);
    config_destroy(&(*self_p)->config);
    free(*self_p);
    *self_p = NULL;
}

const config_t *service_config(const service_t *self)
{
    return self->config;
}

const char *service_name(const service_t *self)
{
    return self->name;
}

admin_http_t *service_admin(service_t *self)
{
    return self->admin;
}

bool service_interrupted(void)
{
    return zsys_interrupted != 0;
}
