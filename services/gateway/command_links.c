#include "command_links.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_client.h"

static const char *const peer_names[PEER_COUNT] = {"intake", "verify", "route", "notify", "stats"};
static char *link_endpoints[PEER_COUNT];
static const curve_keys_t *link_keys;
static int link_timeout_ms;
static int link_attempts;
static pthread_key_t clients_key;

typedef struct {
    cmd_client_t *clients[PEER_COUNT];
} thread_clients_t;

static void destroy_clients(void *data)
{
    thread_clients_t *mine = data;
    for (int i = 0; mine && i < PEER_COUNT; i++)
        cmd_client_destroy(&mine->clients[i]);
    free(mine);
}

int command_links_setup(const char *const endpoints[PEER_COUNT], const curve_keys_t *keys, int timeout_ms, int attempts)
{
    for (int i = 0; i < PEER_COUNT; i++)
        if (!(link_endpoints[i] = strdup(endpoints[i])))
            return -1;
    link_keys = keys;
    link_timeout_ms = timeout_ms;
    link_attempts = attempts;
    return pthread_key_create(&clients_key, destroy_clients) == 0 ? 0 : -1;
}

void command_links_teardown(void)
{
    destroy_clients(pthread_getspecific(clients_key));
    pthread_setspecific(clients_key, NULL);
    pthread_key_delete(clients_key);
    link_keys = NULL;
    for (int i = 0; i < PEER_COUNT; i++) {
        free(link_endpoints[i]);
        link_endpoints[i] = NULL;
    }
}

const char *command_links_name(command_peer_t peer)
{
    return peer < PEER_COUNT ? peer_names[peer] : "none";
}

command_peer_t command_links_peer_named(const char *service)
{
    for (int i = 0; service && i < PEER_COUNT; i++)
        if (strcmp(peer_names[i], service) == 0)
            return (command_peer_t) i;
    return PEER_COUNT;
}

envelope_t *command_links_call(command_peer_t peer, const envelope_t *request, char *reason, size_t cap)
{
    thread_clients_t *mine = pthread_getspecific(clients_key);
    if (!mine) {
        if (!(mine = calloc(1, sizeof *mine)) || pthread_setspecific(clients_key, mine) != 0) {
            free(mine);
            snprintf(reason, cap, "out of memory");
            return NULL;
        }
    }
    if (!mine->clients[peer]
        && !(mine->clients[peer] = cmd_client_new(link_endpoints[peer], link_timeout_ms, link_attempts, link_keys,
                                                     peer_names[peer], reason, cap)))
        return NULL;
    return cmd_client_call(mine->clients[peer], request, reason, cap);
}
