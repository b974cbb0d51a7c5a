/* The benchmarks' SMTP server: accepts every message aduan-notify sends and only counts it. It runs
 * on the cores of the services it measures, where the tests' mail sink (tests/harness/mail_sink.py:
 * an asyncio SMTP server writing each message to disk) took about 0.14 ms of CPU a submission at
 * 1 150 submissions a second, a sixth of a core (stop 56); one epoll loop in C costs them far less.
 * It keeps nothing: tests that read what was sent use mail_sink.py.
 *
 *   aduan-bench-mail PORT
 *
 * Listens on 127.0.0.1:PORT and prints "listening" once it does. Speaks what libcurl's SMTP client
 * says without AUTH or TLS (EHLO or HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); anything else gets a
 * 502. On SIGTERM or SIGINT it prints "messages N sessions N" and exits 0; 2 for bad arguments, 1 if
 * it cannot listen. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINE_MAX_BYTES 4096
#define MAX_EVENTS 64

typedef struct session_t {
    int fd;
    bool in_data;               /* between DATA's 354 and the line holding a lone dot */
    char line[LINE_MAX_BYTES];  /* the part of a line read so far */
    size_t have;
    struct session_t *prev, *next;
} session_t;

static volatile sig_atomic_t stopping;
static unsigned long messages, sessions;
static session_t *open_sessions;    /* ended at exit too: a client may still be connected */

static void on_signal(int signo)
{
    (void) signo;
    stopping = 1;
}

/* Answers are a few bytes on a loopback socket that has room: a short write ends the session. */
static bool reply(session_t *s, const char *text)
{
    size_t length = strlen(text);
    return write(s->fd, text, length) == (ssize_t) length;
}

static void end_session(int epoll, session_t *s)
{
    epoll_ctl(epoll, EPOLL_CTL_DEL, s->fd, NULL);
    close(s->fd);
    if (s->prev)
        s->prev->next = s->next;
    else
        open_sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    free(s);
}

/* One message line: the lone dot ends the message. */
static bool data_line(session_t *s, const char *line)
{
    if (strcmp(line, ".") != 0)
        return true;
    s->in_data = false;
    messages++;
    return reply(s, "250 2.0.0 counted\r\n");
}

/* One command; false when the session is over. */
static bool command_line(session_t *s, const char *line)
{
    if (strncasecmp(line, "EHLO", 4) == 0)
        return reply(s, "250-aduan-bench-mail\r\n250 SIZE 10485760\r\n");
    if (strncasecmp(line, "HELO", 4) == 0 || strncasecmp(line, "MAIL", 4) == 0 || strncasecmp(line, "RCPT", 4) == 0
        || strncasecmp(line, "RSET", 4) == 0 || strncasecmp(line, "NOOP", 4) == 0)
        return reply(s, "250 2.0.0 ok\r\n");
    if (strncasecmp(line, "DATA", 4) == 0) {
        s->in_data = true;
        return reply(s, "354 end with <CRLF>.<CRLF>\r\n");
    }
    if (strncasecmp(line, "QUIT", 4) == 0) {
        reply(s, "221 2.0.0 bye\r\n");
        return false;
    }
    return reply(s, "502 5.5.2 not here\r\n");
}

/* The complete lines of what arrived; a line longer than the buffer is cut (message lines only
 * matter for their dot). False when the session is over. */
static bool take_lines(session_t *s, const char *bytes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (bytes[i] != '\n') {
            if (s->have < LINE_MAX_BYTES - 1)
                s->line[s->have++] = bytes[i];
            continue;
        }
        if (s->have && s->line[s->have - 1] == '\r')
            s->have--;
        s->line[s->have] = '\0';
        s->have = 0;
        if (!(s->in_data ? data_line(s, s->line) : command_line(s, s->line)))
            return false;
    }
    return true;
}

static void read_session(int epoll, session_t *s)
{
    char bytes[16384];
    ssize_t got = read(s->fd, bytes, sizeof bytes);
    if (got < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (got <= 0 || !take_lines(s, bytes, (size_t) got))
        end_session(epoll, s);
}

static void accept_sessions(int epoll, int listener)
{
    int fd;
    while ((fd = accept(listener, NULL, NULL)) >= 0) {
        session_t *s = calloc(1, sizeof *s);
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = s};
        if (!s || fcntl(fd, F_SETFL, O_NONBLOCK) != 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
            free(s);
            close(fd);
            continue;
        }
        s->fd = fd;
        s->next = open_sessions;
        if (open_sessions)
            open_sessions->prev = s;
        open_sessions = s;
        sessions++;
        if (!reply(s, "220 aduan-bench-mail ESMTP\r\n"))
            end_session(epoll, s);
    }
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
        || bind(fd, (struct sockaddr *) &address, sizeof address) != 0 || listen(fd, 256) != 0) {
        perror("aduan-bench-mail: listen");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    char *end = NULL;
    long port = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end || port <= 0 || port > 65535) {
        fprintf(stderr, "usage: aduan-bench-mail PORT\n");
        return 2;
    }
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);
    int listener = listen_on((int) port);
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    if (listener < 0 || epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) != 0)
        return 1;
    printf("listening\n");
    fflush(stdout);
    struct epoll_event ready[MAX_EVENTS];
    while (!stopping) {
        int n = epoll_wait(epoll, ready, MAX_EVENTS, 1000);
        for (int i = 0; i < n; i++) {
            if (ready[i].data.ptr)
                read_session(epoll, ready[i].data.ptr);
            else
                accept_sessions(epoll, listener);
        }
    }
    while (open_sessions)
        end_session(epoll, open_sessions);
    printf("messages %lu sessions %lu\n", messages, sessions);
    return 0;
}
