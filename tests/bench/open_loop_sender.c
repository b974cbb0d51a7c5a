/* The sending side of tests/bench/open_loop.py: an open-loop HTTP/1.1 load at a fixed arrival rate
 * (wrk2-style). Request i is due at start + i / RATE whether or not earlier ones have been answered;
 * a pool of keep-alive connections to 127.0.0.1:PORT takes the due requests in order, the one idle
 * longest first. It runs on the cores of the services it measures: one epoll loop in C costs them
 * far less than the asyncio loop that sent before it.
 *
 *   aduan-open-loop PORT RATE CONNECTIONS TIMEOUT_MS < REQUESTS
 *
 * REQUESTS: for each request its length in bytes in decimal, a newline, then the bytes. Nothing is
 * printed until every request has ended; then the run's length and this process's CPU in ms
 * ("elapsed MS cpu MS started S"; reading the input included; S the wall clock at the start in
 * seconds since the epoch, to place the run beside what other tools sampled) and one line per request: "N DUE WRITTEN
 * ANSWERED STATUS", times in ms from the start, STATUS 0 for a time-out and -1 for a connection
 * that failed. Exit 0, or 2 for bad arguments or input. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 8192

typedef struct {
    char *bytes;
    size_t length;
    double written, answered;
    int status;
} request_t;

typedef struct {
    int fd;
    unsigned opened;        /* connections made so far: a closed descriptor's number comes back */
    bool connecting;
    bool kept;              /* answered a request before: the server may have closed it for silence */
    long request;           /* the request under way, -1 when idle */
    bool resent;            /* it was sent again on a new connection once already */
    double since;           /* when the request started here, then when it was written: its time-out runs from it */
    size_t sent;
    char head[HEAD_MAX];
    size_t have;            /* bytes of head[] read */
    long body_left;         /* -1 until the head is complete */
    int status;
} conn_t;

static struct {
    request_t *requests;
    long count, next, ended;
    conn_t *conns;
    int nconns, epoll;
    int *idle;                  /* the idle connections, the one idle longest first (a ring) */
    int idle_first, idle_count;
    double start, rate, timeout_ms;
    struct timespec started;    /* the wall clock at start */
    struct sockaddr_in address;
} run;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static double due_of(long n)
{
    return run.start + (double) n * 1e3 / run.rate;
}

static int read_requests(void)
{
    long cap = 1024;
    run.requests = calloc((size_t) cap, sizeof *run.requests);
    size_t length;
    while (run.requests && scanf("%zu", &length) == 1 && getchar() == '\n') {
        char *bytes = malloc(length);
        request_t *more = run.count < cap ? run.requests : realloc(run.requests, (size_t) (cap *= 2) * sizeof *more);
        if (more)
            run.requests = more;
        if (!bytes || !more || fread(bytes, 1, length, stdin) != length) {
            free(bytes);
            return -1;
        }
        run.requests[run.count++] = (request_t) {bytes, length, 0, 0, 0};
    }
    return run.requests && feof(stdin) ? 0 : -1;
}

static int watch(conn_t *c, bool writing)
{
    struct epoll_event ev = {.events = EPOLLIN | (writing ? EPOLLOUT : 0), .data.ptr = c};
    return epoll_ctl(run.epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

static void close_conn(conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->kept = c->connecting = false;
}

static int open_conn(conn_t *c)
{
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    c->opened++;
    int one = 1;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0
        || epoll_ctl(run.epoll, EPOLL_CTL_ADD, c->fd, &ev) != 0
        || (connect(c->fd, (struct sockaddr *) &run.address, sizeof run.address) != 0 && errno != EINPROGRESS)) {
        close_conn(c);
        return -1;
    }
    c->connecting = true;
    return 0;
}

/* The connection idle longest takes the next request, as a pool of waiting senders would: the
 * load spreads over every connection (and the server's threads that hold them), not the first few. */
static void now_idle(conn_t *c)
{
    run.idle[(run.idle_first + run.idle_count++) % run.nconns] = (int) (c - run.conns);
}

static conn_t *longest_idle(void)
{
    conn_t *c = &run.conns[run.idle[run.idle_first]];
    run.idle_first = (run.idle_first + 1) % run.nconns;
    run.idle_count--;
    return c;
}

static void end_request(conn_t *c, int status)
{
    request_t *r = &run.requests[c->request];
    r->answered = now_ms();
    r->status = status;
    c->request = -1;
    run.ended++;
    now_idle(c);
}

/* The request fails as one whose connection could not be made or was broken. */
static void lost(conn_t *c)
{
    close_conn(c);
    end_request(c, -1);
}

/* Starts request n on c (a new connection when c has none); a connection that cannot be made fails
 * the request. */
static void start_request(conn_t *c, long n)
{
    c->request = n;
    c->since = now_ms();
    c->sent = c->have = 0;
    c->body_left = -1;
    if (c->fd < 0 && open_conn(c) != 0) {
        end_request(c, -1);
        return;
    }
    if (!c->connecting && watch(c, true) != 0)
        lost(c);
}

/* A kept connection the gateway closed for silence (ADUAN_HTTP_IDLE_TIMEOUT_S at low rates): the
 * request goes again on a new one, once, as a client with the same Idempotency-Key would. */
static void failed(conn_t *c)
{
    long n = c->request;
    bool again = c->kept && c->have == 0 && !c->resent;
    close_conn(c);
    if (again) {
        c->resent = true;
        start_request(c, n);
    } else {
        end_request(c, -1);
    }
}

static void write_some(conn_t *c)
{
    if (c->connecting) {
        int error = 0;
        socklen_t size = sizeof error;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
            failed(c);
            return;
        }
        c->connecting = false;   /* a connection is made for a request only: there is one to write */
    }
    const request_t *r = &run.requests[c->request];
    ssize_t n = write(c->fd, r->bytes + c->sent, r->length - c->sent);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n < 0) {
        failed(c);
        return;
    }
    c->sent += (size_t) n;
    if (c->sent == r->length) {
        run.requests[c->request].written = c->since = now_ms();
        if (watch(c, false) != 0)
            lost(c);
    }
}

/* The status and Content-Length of a complete head; false when it is not HTTP. */
static bool parse_head(conn_t *c, size_t head_length)
{
    c->head[head_length - 1] = '\0';
    if (sscanf(c->head, "HTTP/1.%*d %d", &c->status) != 1)
        return false;
    long length = 0;
    for (char *line = strstr(c->head, "\r\n"); line; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "content-length:", 15) == 0)
            length = strtol(line + 17, NULL, 10);
    c->body_left = length - (long) (c->have - head_length);
    return true;
}

static void read_some(conn_t *c)
{
    char scratch[16384];
    bool in_head = c->request >= 0 && c->body_left < 0;
    char *into = in_head ? c->head + c->have : scratch;
    size_t room = in_head ? sizeof c->head - 1 - c->have : sizeof scratch;
    ssize_t n = read(c->fd, into, room);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (c->request < 0) {            /* idle: the server closed it, or sent what nobody asked for */
        close_conn(c);
        return;
    }
    if (n <= 0) {
        failed(c);
        return;
    }
    if (in_head) {
        c->have += (size_t) n;
        c->head[c->have] = '\0';
        char *end = strstr(c->head, "\r\n\r\n");
        if (!end && c->have == sizeof c->head - 1) {
            failed(c);
            return;
        }
        if (!end)
            return;
        if (!parse_head(c, (size_t) (end - c->head) + 4)) {
            failed(c);
            return;
        }
    } else {
        c->body_left -= n;
    }
    if (c->body_left <= 0) {
        c->kept = true;
        c->resent = false;
        end_request(c, c->status);
    }
}

/* Time-outs, then the due requests to idle connections; returns the ms until the next due request
 * (when a connection is free for it) or time-out. */
static int tend(void)
{
    double now = now_ms(), next = now + 1000;
    for (int i = 0; i < run.nconns; i++) {
        conn_t *c = &run.conns[i];
        if (c->request < 0)
            continue;
        double deadline = c->since + run.timeout_ms;
        if (now >= deadline) {
            close_conn(c);
            end_request(c, 0);
        } else if (deadline < next) {
            next = deadline;
        }
    }
    while (run.idle_count > 0 && run.next < run.count && due_of(run.next) <= now) {
        conn_t *c = longest_idle();
        c->resent = false;
        start_request(c, run.next++);
    }
    /* With every connection busy the next request waits for an answer, not for its time. */
    if (run.idle_count > 0 && run.next < run.count && due_of(run.next) < next)
        next = due_of(run.next);
    double wait = ceil(next - now_ms());
    return wait < 0 ? 0 : (int) wait;
}

static int setup(int argc, char **argv)
{
    if (argc != 5)
        return -1;
    run.address = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &run.address.sin_addr);
    run.rate = strtod(argv[2], NULL);
    run.nconns = atoi(argv[3]);
    run.timeout_ms = strtod(argv[4], NULL);
    if (run.rate <= 0 || run.nconns < 1 || run.timeout_ms <= 0 || read_requests() != 0)
        return -1;
    run.conns = calloc((size_t) run.nconns, sizeof *run.conns);
    run.idle = calloc((size_t) run.nconns, sizeof *run.idle);
    run.epoll = epoll_create1(EPOLL_CLOEXEC);
    if (!run.conns || !run.idle || run.epoll < 0)
        return -1;
    for (int i = 0; i < run.nconns; i++) {
        run.conns[i] = (conn_t) {.fd = -1, .request = -1};
        now_idle(&run.conns[i]);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (setup(argc, argv) != 0) {
        fprintf(stderr, "usage: aduan-open-loop PORT RATE CONNECTIONS TIMEOUT_MS < REQUESTS\n");
        return 2;
    }
    run.start = now_ms();
    if (clock_gettime(CLOCK_REALTIME, &run.started) != 0)
        return 2;
    struct epoll_event events[64];
    while (run.ended < run.count) {
        int n = epoll_wait(run.epoll, events, 64, tend());
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            unsigned opened = c->opened;   /* a failure may open a new connection, which these events are not of */
            if (c->fd >= 0 && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                read_some(c);
            if (c->fd >= 0 && c->opened == opened && (events[i].events & EPOLLOUT))
                write_some(c);
        }
    }
    struct rusage used;
    getrusage(RUSAGE_SELF, &used);
    printf("elapsed %.3f cpu %.3f started %.3f\n", now_ms() - run.start,
           (double) (used.ru_utime.tv_sec + used.ru_stime.tv_sec) * 1e3
               + (double) (used.ru_utime.tv_usec + used.ru_stime.tv_usec) / 1e3,
           (double) run.started.tv_sec + (double) run.started.tv_nsec / 1e9);
    for (long i = 0; i < run.count; i++) {
        const request_t *r = &run.requests[i];
        printf("%ld %.3f %.3f %.3f %d\n", i, due_of(i) - run.start, r->written ? r->written - run.start : 0,
               r->answered - run.start, r->status);
    }
    for (int i = 0; i < run.nconns; i++)
        close_conn(&run.conns[i]);
    for (long i = 0; i < run.count; i++)
        free(run.requests[i].bytes);
    free(run.requests);
    free(run.conns);
    free(run.idle);
    close(run.epoll);
    return 0;
}
