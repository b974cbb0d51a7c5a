#include "live_api.h"

#include <czmq.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_feed.h"
#include "metrics.h"
#include "staff_api.h"

#define LIVE_PATH "/api/v1/live"
#define LIVE_OUT_MAX 1024

static int64_t heartbeat_ms = 15000;
static metrics_gauge_t *streams_gauge;

typedef struct {
    live_waiter_t waiter;
    bool staff, national;
    char institution[33];
    char token[129];
    int64_t next_seq;
    int64_t heartbeat_at, check_at;
    bool done;               /* the last message is out: the stream ends */
    char out[LIVE_OUT_MAX];
    size_t out_len, out_off;
} live_client_t;

void live_api_setup(long heartbeat_s)
{
    heartbeat_ms = heartbeat_s * 1000;
    streams_gauge = metrics_gauge("aduan_live_streams", "live update (SSE) streams open", NULL);
}

static bool in_chain(const char chain[][33], size_t len, const char *institution)
{
    for (size_t i = 0; i < len; i++)
        if (strcmp(chain[i], institution) == 0)
            return true;
    return false;
}

static bool visible(const live_client_t *client, const live_event_t *e)
{
    if (!client->staff)
        return e->figures && !e->confidential;
    if (e->report[0] == '\0')   /* only events of reports: the pages show reports */
        return false;
    if (client->national)
        return true;
    return in_chain(e->chain, e->chain_len, client->institution)
           || in_chain(e->given_by, e->given_by_len, client->institution);
}

static void put(live_client_t *client, const char *event, int64_t seq, json_t *data)
{
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    char id[32] = "";
    if (seq > 0)
        snprintf(id, sizeof id, "id: %" PRId64 "\n", seq);
    int n = snprintf(client->out, sizeof client->out, "%sevent: %s\ndata: %s\n\n", id, event, text ? text : "{}");
    client->out_len = n > 0 && (size_t) n < sizeof client->out ? (size_t) n : 0;
    free(text);
}

static void put_event(live_client_t *client, const live_event_t *e)
{
    if (!client->staff) {
        put(client, "figures", e->seq, json_pack("{s:I,s:s}", "seq", (json_int_t) e->seq, "public_status",
                                                 e->public_status));
        return;
    }
    put(client, "report", e->seq,
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s*,s:I}", "seq", (json_int_t) e->seq, "type", e->type, "report", e->report,
                  "status", e->status, "public_status", e->public_status, "institution",
                  e->chain_len ? e->chain[0] : NULL, "at", (json_int_t) e->at_ms));
}

/* A staff stream ends with its session (signed out, expired, deactivated), and when the accounts
 * cannot be read: it must not outlive a session nobody can check. */
static bool session_ended(live_client_t *client, int64_t now)
{
    if (!client->staff || now < client->check_at)
        return false;
    client->check_at = now + heartbeat_ms;
    return staff_api_session_stands(client->token) != 0;
}

/* The next message into client->out: 1 there is one; 0 the connection waits (suspended); -1 the
 * stream is over. */
static int next_message(live_client_t *client)
{
    client->out_len = client->out_off = 0;
    if (client->done)
        return -1;
    for (;;) {
        int64_t now = zclock_mono();
        live_event_t e;
        int found = session_ended(client, now) ? -3 : live_feed_read(client->next_seq, &e);
        if (found == -3 || found == -2) {
            client->done = true;
            put(client, "end", 0, NULL);
            return 1;
        }
        if (found == -1) {   /* missed more than the gateway keeps: the page reloads */
            client->next_seq = live_feed_next_seq();
            put(client, "reload", 0, NULL);
            return 1;
        }
        if (found == 1) {
            client->next_seq = e.seq + 1;
            if (!visible(client, &e))
                continue;
            put_event(client, &e);
            client->heartbeat_at = now + heartbeat_ms;
            return 1;
        }
        if (now >= client->heartbeat_at) {
            snprintf(client->out, sizeof client->out, ": keep-alive\n\n");
            client->out_len = strlen(client->out);
            client->heartbeat_at = now + heartbeat_ms;
            return 1;
        }
        int64_t wake = client->staff && client->check_at < client->heartbeat_at ? client->check_at
                                                                                  : client->heartbeat_at;
        if (live_feed_wait(&client->waiter, client->next_seq, wake))
            return 0;
    }
}

static ssize_t produce(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    live_client_t *client = cls;
    if (client->out_off == client->out_len) {
        int got = next_message(client);
        if (got <= 0)
            return got == 0 ? 0 : MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = client->out_len - client->out_off;
    n = n < max ? n : max;
    memcpy(buf, client->out + client->out_off, n);
    client->out_off += n;
    return (ssize_t) n;
}

static void count_streams(int change)
{
    metrics_gauge_add(streams_gauge, change);
}

static void release(void *cls)
{
    count_streams(-1);
    free(cls);
}

/* Where a new stream starts: after the Last-Event-ID the client saw, else at the live end. */
static int64_t first_seq(struct MHD_Connection *c)
{
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    char *end = NULL;
    long long seen = last ? strtoll(last, &end, 10) : -1;
    if (last && end != last && *end == '\0' && seen >= 0)
        return seen + 1;
    return live_feed_next_seq();
}

static enum MHD_Result open_stream(struct MHD_Connection *c, request_t *req, live_client_t *client)
{
    client->waiter.connection = c;
    client->next_seq = first_seq(c);
    client->heartbeat_at = client->check_at = zclock_mono() + heartbeat_ms;
    /* the first message tells the browser how soon to come back if the stream breaks */
    snprintf(client->out, sizeof client->out, "retry: 5000\n\n");
    client->out_len = strlen(client->out);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, LIVE_OUT_MAX, produce, client,
                                                               release);
    if (!r) {
        free(client);
        return MHD_NO;
    }
    count_streams(+1);
    req->status = 200;
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");   /* nginx: pass each event on at once */
    MHD_add_response_header(r, "X-Request-Id", req->id);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result serve(struct MHD_Connection *c, request_t *req, bool staff)
{
    static const char *const retry[] = {"Retry-After", "5", NULL};
    if (!live_feed_enabled() || live_feed_next_seq() == 0)
        return http_send_problem(c, req, &PROBLEM_UNAVAILABLE, "no live stream now; poll instead", NULL, retry);
    live_client_t *client = calloc(1, sizeof *client);
    if (!client)
        return http_send_problem(c, req, &PROBLEM_INTERNAL, NULL, NULL, NULL);
    if (staff) {
        staff_member_t who;
        enum MHD_Result rc;
        if (!staff_api_authenticate(c, req, &who, &rc)) {
            free(client);
            return rc;
        }
        client->staff = true;
        client->national = strcmp(who.role, "national_admin") == 0;
        snprintf(client->institution, sizeof client->institution, "%s", who.institution);
        snprintf(client->token, sizeof client->token, "%s", http_bearer_token(c));
    }
    return open_stream(c, req, client);
}

enum MHD_Result live_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                               bool *handled)
{
    bool staff = strcmp(url, LIVE_PATH) == 0, public = strcmp(url, LIVE_PATH "/public") == 0;
    if (!staff && !public)
        return MHD_NO;
    *handled = true;
    req->route = staff ? "live" : "live_public";
    return strcmp(method, "GET") == 0 ? serve(c, req, staff) : http_wrong_method(c, req, "GET");
}
