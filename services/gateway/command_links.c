#include "command_links.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "logger.h"

/* How long the dispatcher sleeps at most when nothing happens (it wakes on every request). */
#define IDLE_POLL_MS 1000

typedef struct outgoing_t outgoing_t;
struct outgoing_t {
    command_peer_t peer;
    envelope_t *request;
    cmd_mux_done_fn *done;
    cmd_mux_wanted_fn *wanted;
    void *tag;
    outgoing_t *next;
};

static const char *const peer_names[PEER_COUNT] = {"intake", "verify", "route", "notify", "stats"};

/* What the HTTP threads hand over, and the thread that sends it. */
static struct {
    cmd_mux_t *links[PEER_COUNT];   /* the dispatcher's alone once it runs */
    pthread_mutex_t lock;
    outgoing_t *first, *last;       /* under lock */
    bool running;                   /* under lock */
    atomic_bool stop;
    int wake;                       /* eventfd: the inbox is no longer empty, or stop */
    pthread_t thread;
} links = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = -1};

static void ring(void)
{
    uint64_t one = 1;
    if (write(links.wake, &one, sizeof one) != (ssize_t) sizeof one)
        logger_warn("cannot wake the command dispatcher: %s", strerror(errno));
}

/* Sends what the HTTP threads handed over since the last look. */
static void take_inbox(void)
{
    uint64_t rung;
    if (read(links.wake, &rung, sizeof rung) < 0 && errno != EAGAIN)
        logger_warn("command dispatcher wake-up: %s", strerror(errno));
    pthread_mutex_lock(&links.lock);
    outgoing_t *next, *item = links.first;
    links.first = links.last = NULL;
    pthread_mutex_unlock(&links.lock);
    for (; item; item = next) {
        next = item->next;
        char reason[256];
        if (cmd_mux_send(links.links[item->peer], item->request, item->done, item->wanted, item->tag, reason,
                         sizeof reason) != 0)
            item->done(item->tag, NULL, reason);
        envelope_destroy(&item->request);
        free(item);
    }
}

/* Ticks the peers polled at `polled_at` and those handed requests since; the ms until one wants a
 * tick again. */
static long tick_busy(const int64_t *looked_at, int64_t polled_at)
{
    long wait = IDLE_POLL_MS;
    int64_t now = zclock_mono();
    for (int i = 0; i < PEER_COUNT; i++) {
        if (looked_at[i] != polled_at && !cmd_mux_waiting(links.links[i]))
            continue;
        long next = cmd_mux_tick(links.links[i], now);
        if (next >= 0 && next < wait)
            wait = next;
    }
    return wait;
}

/* A peer's socket is polled and ticked while requests to it wait, otherwise once every
 * IDLE_POLL_MS (a reply to a request given up is read and dropped then). Each socket a zmq_poll
 * looks at costs system calls (ZeroMQ checks the socket's mailbox, twice when the poll waits), and
 * so does each read of an empty one: polling and reading all five peers at every wake-up, when one
 * was busy, made most of the dispatcher's. */
static void *dispatch(void *unused)
{
    (void) unused;
    zmq_pollitem_t items[PEER_COUNT + 1];
    int64_t looked_at[PEER_COUNT] = {0};
    long wait = IDLE_POLL_MS;
    while (!atomic_load(&links.stop)) {
        int64_t now = zclock_mono();
        int polled = 0;
        for (int i = 0; i < PEER_COUNT; i++)
            if (cmd_mux_waiting(links.links[i]) || now - looked_at[i] >= IDLE_POLL_MS) {
                items[polled++] = (zmq_pollitem_t) {zsock_resolve(cmd_mux_socket(links.links[i])), 0, ZMQ_POLLIN, 0};
                looked_at[i] = now;
            }
        items[polled] = (zmq_pollitem_t) {NULL, links.wake, ZMQ_POLLIN, 0};
        if (zmq_poll(items, polled + 1, wait) < 0 && errno != EINTR) {
            logger_error("command dispatcher: %s", zmq_strerror(errno));
            break;
        }
        if (items[polled].revents & ZMQ_POLLIN)
            take_inbox();
        wait = tick_busy(looked_at, now);
    }
    return NULL;
}

static void close_links(void)
{
    for (int i = 0; i < PEER_COUNT; i++)
        cmd_mux_destroy(&links.links[i]);
    if (links.wake >= 0)
        close(links.wake);
    links.wake = -1;
}

int command_links_setup(const char *const endpoints[PEER_COUNT], const curve_keys_t *keys, int timeout_ms,
                        int attempts, size_t window, char *reason, size_t cap)
{
    atomic_store(&links.stop, false);
    if ((links.wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        snprintf(reason, cap, "eventfd: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < PEER_COUNT; i++) {
        links.links[i] = cmd_mux_new(endpoints[i], timeout_ms, attempts, window, keys, peer_names[i], reason, cap);
        if (!links.links[i]) {
            close_links();
            return -1;
        }
    }
    if (pthread_create(&links.thread, NULL, dispatch, NULL) != 0) {
        snprintf(reason, cap, "cannot start the command dispatcher");
        close_links();
        return -1;
    }
    pthread_mutex_lock(&links.lock);
    links.running = true;
    pthread_mutex_unlock(&links.lock);
    return 0;
}

void command_links_teardown(void)
{
    pthread_mutex_lock(&links.lock);
    bool running = links.running;
    links.running = false;
    pthread_mutex_unlock(&links.lock);
    if (!running)
        return;
    atomic_store(&links.stop, true);
    ring();
    pthread_join(links.thread, NULL);
    take_inbox();   /* handed over while the dispatcher stopped: failed by the closing links */
    close_links();
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

int command_links_send(command_peer_t peer, envelope_t *request, cmd_mux_done_fn *done, cmd_mux_wanted_fn *wanted,
                       void *tag, char *reason, size_t cap)
{
    outgoing_t *item = peer < PEER_COUNT ? calloc(1, sizeof *item) : NULL;
    if (!item) {
        snprintf(reason, cap, peer < PEER_COUNT ? "out of memory" : "no such peer");
        envelope_destroy(&request);
        return -1;
    }
    *item = (outgoing_t) {peer, request, done, wanted, tag, NULL};
    pthread_mutex_lock(&links.lock);
    bool running = links.running, was_empty = !links.first;
    if (running) {
        if (links.last)
            links.last->next = item;
        else
            links.first = item;
        links.last = item;
    }
    pthread_mutex_unlock(&links.lock);
    if (!running) {
        snprintf(reason, cap, "the gateway is stopping");
        envelope_destroy(&request);
        free(item);
        return -1;
    }
    if (was_empty)
        ring();
    return 0;
}
