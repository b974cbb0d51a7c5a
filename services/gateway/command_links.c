#include "intake_link.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_client.h"

static char *link_endpoints;
static int link_timeout_ms;
static int link_attempts;
static pthread_key_t client_key;

static void destroy_client(void *client)
{
    cmd_client_t *c = client;
    cmd_client_destroy(&c);
}

int intake_link_setup(const char *endpoints, int timeout_ms, int attempts)
{
    link_endpoints = strdup(endpoints);
    link_timeout_ms = timeout_ms;
    link_attempts = attempts;
    return link_endpoints && pthread_key_create(&client_key, destroy_client) == 0 ? 0 : -1;
}

void intake_link_teardown(void)
{
    destroy_client(pthread_getspecific(client_key));
    pthread_setspecific(client_key, NULL);
    pthread_key_delete(client_key);
    free(link_endpoints);
    link_endpoints = NULL;
}

envelope_t *intake_link_call(const envelope_t *request, char *reason, size_t cap)
{
    cmd_client_t *client = pthread_getspecific(client_key);
    if (!client) {
        client = cmd_client_new(link_endpoints, link_timeout_ms, link_attempts, reason, cap);
        if (!client || pthread_setspecific(client_key, client) != 0) {
            cmd_client_destroy(&client);
            return NULL;
        }
    }
    return cmd_client_call(client, request, reason, cap);
}
