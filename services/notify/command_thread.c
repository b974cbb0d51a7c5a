#include "command_thread.h"

#include <czmq.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd_server.h"
#include "follow_commands.h"
#include "logger.h"
#include "notify_commands.h"
#include "sign_in_code.h"
#include "template_commands.h"

#define POLL_MS 200

struct command_thread_t {
    cmd_server_t *server;
    notify_commands_t commands;
    follow_commands_t follow;
    sign_in_code_t codes;
    pthread_t thread;
    bool running;
    atomic_bool stopping;
};

/* The server's socket is used only here once the thread runs (ZeroMQ sockets are not thread-safe). */
static void *serve(void *arg)
{
    command_thread_t *self = arg;
    zpoller_t *poller = zpoller_new(cmd_server_socket(self->server), NULL);
    if (!poller)
        logger_error("cannot poll the command server");
    while (poller && !atomic_load(&self->stopping)) {
        if (zpoller_wait(poller, POLL_MS) && cmd_server_handle_one(self->server) != 0)
            break;
        if (zpoller_terminated(poller))
            break;
    }
    zpoller_destroy(&poller);
    return NULL;
}

static int open_parts(command_thread_t *self, const char *bind, curve_keys_t *keys, const char *db_url, int wait_ms,
                      char *reason, size_t cap)
{
    db_error_t error = {"", "out of memory"};
    if (!(self->commands.db = db_new(db_url)) || db_connect(self->commands.db, wait_ms, &error) != 0) {
        snprintf(reason, cap, "database: %s", error.message);
        return -1;
    }
    if (!(self->server = cmd_server_new(bind, keys, reason, cap)))
        return -1;
    self->follow.db = self->commands.db;
    self->codes.db = self->commands.db;
    if (notify_commands_register(self->server, &self->commands) != 0
        || follow_commands_register(self->server, &self->follow) != 0
        || sign_in_code_register(self->server, &self->codes) != 0
        || template_commands_register(self->server, self->commands.db) != 0) {
        snprintf(reason, cap, "cannot register the commands");
        return -1;
    }
    if (pthread_create(&self->thread, NULL, serve, self) != 0) {
        snprintf(reason, cap, "cannot start the command thread");
        return -1;
    }
    self->running = true;
    return 0;
}

command_thread_t *command_thread_start(const char *bind, curve_keys_t *keys, const char *db_url, int wait_ms,
                                       const address_policy_t *policy, const fanout_settings_t *fanout, char *reason,
                                       size_t cap)
{
    command_thread_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    atomic_init(&self->stopping, false);
    self->commands.policy = policy;
    self->follow.settings = fanout;
    self->codes.settings = fanout;
    if (open_parts(self, bind, keys, db_url, wait_ms, reason, cap) != 0)
        command_thread_stop(&self);
    return self;
}

void command_thread_stop(command_thread_t **self_p)
{
    command_thread_t *self = *self_p;
    if (!self)
        return;
    atomic_store(&self->stopping, true);
    if (self->running)
        pthread_join(self->thread, NULL);
    cmd_server_destroy(&self->server);
    db_destroy(&self->commands.db);
    free(self);
    *self_p = NULL;
}
