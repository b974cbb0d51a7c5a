#include "live_feed.h"

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_codec.h"
#include "command_links.h"
#include "institution_tree.h"
#include "logger.h"
#include "report_subjects.h"
#include "stream_reader.h"

/* How often the institutions' tree is asked for again (a new unit appears without a restart),
 * and at least how long between two asks for a code the tree does not know. */
#define TREE_REFRESH_MS 60000
#define TREE_RETRY_MS 5000
/* The hub's heartbeat is 1 s: silent this long, the feed has not started yet. */
#define HUB_SILENCE_MS 3000
#define READ_SLICE_MS 250
/* The kept public views are answered only while the feed reads events at most this old: a view a
 * step ended elsewhere is answered at most this long after the step (docs/security.md). Also how
 * long the feed's word that it is live holds, so a stalled feed stops the answers too. */
#define VIEWS_LAG_MAX_MS 5000
/* Reports whose institution the feed remembers (report_subjects.h): 16 bytes each, at most 2 MB
 * of slots at this bound. */
#define SUBJECTS_MAX 100000

typedef struct {
    pthread_mutex_t lock;
    pthread_t thread;
    bool running, closed;
    bool synced;                        /* the hub was heard: head is known */
    stream_reader_t *reader;
    cmd_client_t *intake;
    institution_tree_t *tree;
    report_subjects_t *subjects;
    int64_t tree_loaded_at;
    live_ring_t *ring;
    size_t backlog;
    int64_t first_kept, newest, head;   /* 0 while none */
    link_list_t waiters;
    tracking_cache_t *tracking;
} live_feed_t;

static live_feed_t feed = {.lock = PTHREAD_MUTEX_INITIALIZER};

static live_waiter_t *waiter_of(link_t *link)
{
    return link ? LINK_ITEM(link, live_waiter_t, link) : NULL;
}

static void unlink_waiter(live_waiter_t *w)
{
    link_list_remove(&feed.waiters, &w->link);
    w->linked = false;
}

/* Under the lock: resumes the waiters due (every one when `all`). */
static void wake(bool all)
{
    int64_t now = zclock_mono();
    live_waiter_t *w = waiter_of(feed.waiters.first);
    while (w) {
        live_waiter_t *next = waiter_of(w->link.next);
        if (all || w->wake_at_ms <= now) {
            unlink_waiter(w);
            MHD_resume_connection(w->connection);
        }
        w = next;
    }
}

static void refresh_tree(bool unknown_code)
{
    int64_t now = zclock_mono();
    int64_t since = now - feed.tree_loaded_at;
    if (feed.tree && since < TREE_REFRESH_MS && !(unknown_code && since >= TREE_RETRY_MS))
        return;
    if (!feed.tree && since < TREE_RETRY_MS)
        return;
    feed.tree_loaded_at = now;
    char reason[256];
    institution_tree_t *tree = institution_tree_load(feed.intake, reason, sizeof reason);
    if (!tree) {
        logger_warn("live stream: institutions not loaded (%s); events go to their own institution's staff only",
                    reason);
        return;
    }
    institution_tree_destroy(&feed.tree);   /* only this thread reads the tree */
    feed.tree = tree;
}

/* The institution the event is about: whose the report is after the step, else the one it was
 * addressed to (`target`), else what an earlier event of the report said. NULL when none is known. */
static const char *subject_of(const event_t *e, const char *target)
{
    const char *subject = e->institution ? e->institution : target;
    if (!e->tracking_id)
        return subject;
    if (!subject)
        return report_subjects_get(feed.subjects, e->tracking_id);
    report_subjects_set(feed.subjects, e->tracking_id, subject);   /* not remembered: as if forgotten */
    return subject;
}

static void copy_text(char *to, size_t cap, const char *from)
{
    snprintf(to, cap, "%s", from ? from : "");
}

/* The payload's string `key` copied into `to` and returned; NULL (`to` empty) when the payload has
 * none or it does not fit `cap` with its NUL: what the stream tells are codes (statuses, institution
 * codes), shorter than the fields kept for them. Read from the msgpack map itself: converting the
 * whole event to JSON for these few fields was most of the feed's cost an event. */
static const char *payload_code(const msgpack_object *payload, const char *key, char *to, size_t cap)
{
    to[0] = '\0';
    const msgpack_object *value = payload ? mpf_find(payload, key) : NULL;
    if (!value || value->type != MSGPACK_OBJECT_STR || value->via.str.size >= cap)
        return NULL;
    memcpy(to, value->via.str.ptr, value->via.str.size);
    to[value->via.str.size] = '\0';
    return to;
}

/* What the stream may tell of `e` (its payload map, NULL when unreadable): the codes staff views
 * and the dashboard refresh on. */
static void describe(const event_t *e, const msgpack_object *payload, live_event_t *out)
{
    memset(out, 0, sizeof *out);
    out->seq = e->seq;
    out->at_ms = e->occurred_at_ms;
    copy_text(out->type, sizeof out->type, e->type);
    copy_text(out->report, sizeof out->report, e->tracking_id);
    char previous[sizeof out->status];
    const char *status = payload_code(payload, "status", out->status, sizeof out->status);
    const char *was = payload_code(payload, "previous_status", previous, sizeof previous);
    payload_code(payload, "public_status", out->public_status, sizeof out->public_status);
    const msgpack_object *confidential = payload ? mpf_find(payload, "confidential") : NULL;
    out->confidential = confidential && confidential->type == MSGPACK_OBJECT_BOOLEAN && confidential->via.boolean;
    out->figures = e->tracking_id
                   && (strcmp(e->type, EVENT_REPORT_SUBMITTED) == 0 || (status && was && strcmp(status, was) != 0));
    char target[sizeof out->chain[0]];
    const char *subject = subject_of(e, payload_code(payload, "target_institution", target, sizeof target));
    if (subject && !institution_tree_knows(feed.tree, subject))
        refresh_tree(true);
    out->chain_len = institution_tree_chain(feed.tree, subject, out->chain, LIVE_CHAIN_MAX);
    char given[sizeof out->given_by[0]];
    if (payload_code(payload, "previous_institution", given, sizeof given))
        out->given_by_len = institution_tree_chain(feed.tree, given, out->given_by, LIVE_CHAIN_MAX);
}

static void keep(const event_t *e)
{
    if (feed.tracking)   /* an event about no report may be about many (NULL: every view) */
        tracking_cache_forget(feed.tracking, e->tracking_id);
    mpf_doc_t payload;
    char reason[128];
    bool readable = event_payload_open(e, &payload, reason, sizeof reason) == 0;
    live_event_t described;
    describe(e, readable ? payload.root : NULL, &described);
    if (readable)
        mpf_doc_close(&payload);
    pthread_mutex_lock(&feed.lock);
    if (live_ring_put(feed.ring, &described) != 0)   /* a client resuming from it reloads */
        logger_warn("live stream: out of memory keeping event %lld", (long long) e->seq);
    if (!feed.first_kept)
        feed.first_kept = e->seq;
    feed.newest = e->seq;
    wake(true);
    pthread_mutex_unlock(&feed.lock);
}

/* Once the hub is heard: start `backlog` events before its head, so that clients that come back
 * soon after a gateway restart can still resume. */
static bool start_position(bool *positioned)
{
    if (*positioned || !stream_reader_hub_alive(feed.reader, HUB_SILENCE_MS))
        return *positioned;
    int64_t head = stream_reader_head(feed.reader);
    int64_t from = head + 1 - (int64_t) feed.backlog;
    stream_reader_seek(feed.reader, from > 1 ? from : 1);
    *positioned = true;
    return true;
}

static void *run(void *unused)
{
    (void) unused;
    bool positioned = false;
    for (;;) {
        pthread_mutex_lock(&feed.lock);
        bool closed = feed.closed;
        if (positioned) {
            feed.head = stream_reader_head(feed.reader);
            feed.synced = true;
        }
        wake(false);
        pthread_mutex_unlock(&feed.lock);
        if (closed)
            break;
        refresh_tree(false);
        event_t e;
        int got = stream_reader_next(feed.reader, READ_SLICE_MS, &e);
        /* Wall clock, as the events' own time: a lifecycle clock's offset (ADUAN_CLOCK_FILE) only
         * makes them look newer. */
        bool behind = got == 1 && zclock_time() - e.occurred_at_ms > VIEWS_LAG_MAX_MS;
        if (got == 1 && positioned)
            keep(&e);
        if (got == 1)
            event_clear(&e);
        else if (got < 0)   /* interrupted: the gateway is stopping, live_feed_close comes */
            zclock_sleep(READ_SLICE_MS);
        start_position(&positioned);
        if (feed.tracking) {
            bool live = positioned && !behind && stream_reader_hub_alive(feed.reader, HUB_SILENCE_MS);
            tracking_cache_set_live(feed.tracking, live ? zclock_mono() + VIEWS_LAG_MAX_MS : 0);
        }
    }
    if (feed.tracking)
        tracking_cache_set_live(feed.tracking, 0);
    return NULL;
}

int live_feed_start(const live_feed_config_t *config, char *reason, size_t cap)
{
    if (!config->stream_endpoints || !*config->stream_endpoints)
        return 0;
    /* Far ahead: nothing is taken (or replayed) before start_position knows the head. */
    stream_reader_config_t rc = {config->stream_endpoints, config->replay_endpoints, INT64_MAX / 2, "", 0,
                                 config->keys};
    feed.backlog = config->backlog > 0 ? config->backlog : 1;
    feed.tracking = config->tracking;
    if (!(feed.ring = live_ring_new(feed.backlog))) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    if (!(feed.subjects = report_subjects_new(SUBJECTS_MAX))) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    if (!(feed.reader = stream_reader_new(&rc, reason, cap))
        || !(feed.intake = cmd_client_new(config->intake_endpoints, 1000, 1, config->keys,
                                            command_links_name(PEER_INTAKE), reason, cap))
        || pthread_create(&feed.thread, NULL, run, NULL) != 0) {
        if (feed.reader && feed.intake)
            snprintf(reason, cap, "cannot start the live stream's thread");
        live_feed_stop();
        return -1;
    }
    feed.running = true;
    return 0;
}

void live_feed_close(void)
{
    pthread_mutex_lock(&feed.lock);
    feed.closed = true;
    wake(true);
    pthread_mutex_unlock(&feed.lock);
}

void live_feed_stop(void)
{
    live_feed_close();
    if (feed.running)
        pthread_join(feed.thread, NULL);
    feed.running = false;
    stream_reader_destroy(&feed.reader);
    cmd_client_destroy(&feed.intake);
    institution_tree_destroy(&feed.tree);
    report_subjects_destroy(&feed.subjects);
    live_ring_destroy(&feed.ring);
}

bool live_feed_enabled(void)
{
    return feed.running;
}

int64_t live_feed_next_seq(void)
{
    pthread_mutex_lock(&feed.lock);
    int64_t head = feed.head > feed.newest ? feed.head : feed.newest;
    int64_t next = feed.synced ? head + 1 : 0;
    pthread_mutex_unlock(&feed.lock);
    return next;
}

/* Under the lock. */
static int lookup(int64_t from, live_event_t *out)
{
    if (feed.closed)
        return -2;
    if (!feed.newest || from > feed.newest)
        return 0;
    if (from < feed.first_kept || from <= feed.newest - (int64_t) feed.backlog)
        return -1;
    return live_ring_get(feed.ring, from, out) ? 1 : -1;
}

int live_feed_read(int64_t from, live_event_t *out)
{
    pthread_mutex_lock(&feed.lock);
    int rc = lookup(from, out);
    pthread_mutex_unlock(&feed.lock);
    return rc;
}

bool live_feed_wait(live_waiter_t *waiter, int64_t from, int64_t wake_at_ms)
{
    pthread_mutex_lock(&feed.lock);
    live_event_t unused;
    bool wait = !waiter->linked && lookup(from, &unused) == 0 && wake_at_ms > zclock_mono();
    if (wait) {
        waiter->wake_at_ms = wake_at_ms;
        link_list_push_first(&feed.waiters, &waiter->link);
        waiter->linked = true;
        MHD_suspend_connection(waiter->connection);
    }
    pthread_mutex_unlock(&feed.lock);
    return wait;
}
