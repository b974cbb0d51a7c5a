#ifndef ADUAN_GATEWAY_LIVE_FEED_H
#define ADUAN_GATEWAY_LIVE_FEED_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "curve_keys.h"
#include "link_list.h"
#include "live_ring.h"
#include "tracking_cache.h"

/* The gateway's one subscription to the event stream, shared by every live (SSE) client
 * (live_api.h). A thread of its own reads the stream in order (stream_reader: live + replay),
 * keeps the last `backlog` events as what a viewer may be told of them, and wakes the clients
 * that wait. A client never has a thread: its connection is suspended while it waits
 * (live_feed_wait) and resumed by the feed when an event comes or its wake-up time is due. */

/* A client waiting for events, embedded in the client's state; the feed only links it. */
typedef struct live_waiter_t {
    struct MHD_Connection *connection;
    int64_t wake_at_ms;       /* zclock_mono() time to resume even without events */
    link_t link;              /* in the feed's waiters */
    bool linked;
} live_waiter_t;

typedef struct {
    const char *stream_endpoints;   /* "" : no live stream (GET /live answers 503) */
    const char *replay_endpoints;
    const char *intake_endpoints;   /* where the institutions' tree is asked for */
    const curve_keys_t *keys;       /* outlive the feed */
    size_t backlog;                 /* events kept for reconnecting clients */
    tracking_cache_t *tracking;     /* forgets the views events change; NULL: none kept */
} live_feed_config_t;

/* 0 started (or nothing to start without stream endpoints), -1 with the reason. */
int live_feed_start(const live_feed_config_t *config, char *reason, size_t reason_cap);
/* Ends every stream and resumes every waiting connection: before the HTTP server stops. */
void live_feed_close(void);
/* Stops the thread and frees the feed. */
void live_feed_stop(void);

bool live_feed_enabled(void);
/* The seq a client starting now begins with; 0 until the feed heard the hub. */
int64_t live_feed_next_seq(void);
/* The kept event with seq `from` in *out: 1; 0 not yet there; -1 no longer kept (the client must
 * reload); -2 the feed is closed. */
int live_feed_read(int64_t from, live_event_t *out);
/* Suspends the waiter's connection until an event from `from` on comes, wake_at_ms passes or the
 * feed closes; false (not suspended) when one of these is already so. Only from libmicrohttpd's
 * callbacks of that connection. */
bool live_feed_wait(live_waiter_t *waiter, int64_t from, int64_t wake_at_ms);

#endif
