/* aduan-tail: prints the event stream as JSON lines, in order, without gaps:
 *   aduan-tail --from 0 | jq        everything from the first event, then live
 * Wire format: docs/event-stream.md. */
#include <czmq.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "curve_keys.h"
#include "logger.h"
#include "stream_reader.h"

typedef struct {
    long long from;
    const char *resume;
    const char *topic;
    const char *endpoints;
    const char *replay;
    long long count;
    long idle_exit_ms;
} tail_options_t;

static const config_option_t tail_settings[] = {
    {"ADUAN_STREAM_ENDPOINTS", "tcp://127.0.0.1:7110", "hub PUB endpoints, comma-separated (--endpoints)"},
    {"ADUAN_REPLAY_ENDPOINTS", "tcp://127.0.0.1:7111", "hub replay endpoints, comma-separated (--replay)"},
    {"ADUAN_LOG_LEVEL", "warn", "debug, info, warn or error"},
    CONFIG_CURVE_OPTIONS,
};

static void usage(const config_t *config, FILE *out)
{
    fputs("aduan-tail — print aduan's event stream as JSON lines\n\n"
          "Usage: aduan-tail [--from SEQ | --resume FILE] [--topic PREFIX] [--count N] [--idle-exit MS]\n"
          "                  [--endpoints LIST] [--replay LIST]\n\n"
          "  --from SEQ        start after SEQ (0: from the first event; default 0)\n"
          "  --resume FILE     start after the seq stored in FILE, and store the last printed seq there\n"
          "  --topic PREFIX    print only events whose type starts with PREFIX\n"
          "  --count N         exit after printing N events\n"
          "  --idle-exit MS    exit once caught up and nothing arrived for MS milliseconds\n"
          "  --endpoints LIST  hub PUB endpoints (instead of ADUAN_STREAM_ENDPOINTS)\n"
          "  --replay LIST     hub replay endpoints (instead of ADUAN_REPLAY_ENDPOINTS)\n\n",
          out);
    config_print_settings(config, out);
}

/* 0 to run, 1 after --help, -1 on a bad argument. */
static int parse(int argc, char **argv, const config_t *config, tail_options_t *o)
{
    static const struct option longs[] = {
        {"from", required_argument, 0, 'f'},  {"resume", required_argument, 0, 'r'},
        {"topic", required_argument, 0, 't'}, {"count", required_argument, 0, 'c'},
        {"idle-exit", required_argument, 0, 'i'}, {"endpoints", required_argument, 0, 'e'},
        {"replay", required_argument, 0, 'p'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    *o = (tail_options_t) {0, NULL, "", config_get(config, "ADUAN_STREAM_ENDPOINTS"),
                           config_get(config, "ADUAN_REPLAY_ENDPOINTS"), 0, 0};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'f': o->from = strtoll(optarg, &end, 10); if (*end || o->from < 0) return -1; break;
        case 'r': o->resume = optarg; break;
        case 't': o->topic = optarg; break;
        case 'c': o->count = strtoll(optarg, &end, 10); if (*end || o->count < 1) return -1; break;
        case 'i': o->idle_exit_ms = strtol(optarg, &end, 10); if (*end || o->idle_exit_ms < 1) return -1; break;
        case 'e': o->endpoints = optarg; break;
        case 'p': o->replay = optarg; break;
        case 'h': usage(config, stdout); return 1;
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

static long long read_resume(const char *path)
{
    FILE *f = fopen(path, "r");
    long long seq = 0;
    if (f) {
        if (fscanf(f, "%lld", &seq) != 1)
            seq = 0;
        fclose(f);
    }
    return seq;
}

/* Written to a temporary file and renamed, so a crash never leaves half a number. */
static void write_resume(const char *path, long long seq)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%lld\n", seq) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        logger_error("cannot write %s", path);
}

static int print_event(const event_t *event)
{
    json_t *doc = event_to_json(event);
    char *line = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!line)
        return -1;
    int rc = puts(line) < 0 || fflush(stdout) != 0 ? -1 : 0;
    free(line);
    return rc;
}

static int run(const tail_options_t *o, const curve_keys_t *keys)
{
    long long start = o->resume ? read_resume(o->resume) : o->from;
    stream_reader_config_t config = {o->endpoints, o->replay, start + 1, o->topic, 0, keys};
    char reason[256];
    stream_reader_t *reader = stream_reader_new(&config, reason, sizeof reason);
    if (!reader) {
        logger_error("%s", reason);
        return 1;
    }
    long long printed = 0;
    int64_t idle_since = zclock_mono();
    int rc = 0;
    while (!o->count || printed < o->count) {
        event_t event;
        int got = stream_reader_next(reader, 200, &event);
        if (got < 0)
            break;
        if (got == 0) {
            bool caught_up = stream_reader_position(reader) > stream_reader_head(reader);
            if (o->idle_exit_ms && caught_up && zclock_mono() - idle_since >= o->idle_exit_ms)
                break;
            continue;
        }
        idle_since = zclock_mono();
        rc = print_event(&event);
        event_clear(&event);
        if (rc != 0)
            break;  /* stdout closed (e.g. `| head`): stop quietly */
        printed++;
        if (o->resume)
            write_resume(o->resume, stream_reader_position(reader) - 1);
    }
    if (o->resume)
        write_resume(o->resume, stream_reader_position(reader) - 1);
    stream_reader_destroy(&reader);
    return 0;
}

static int run_with_keys(const config_t *config, const tail_options_t *o)
{
    char reason[256];
    curve_keys_t *keys = NULL;
    if (curve_keys_from_config(config, &keys, reason, sizeof reason) != 0) {
        logger_error("%s", reason);
        return 2;
    }
    int exit_code = run(o, keys);
    curve_keys_destroy(&keys);
    return exit_code;
}

int main(int argc, char **argv)
{
    config_t *config = config_new_own("aduan-tail", "print aduan's event stream as JSON lines", tail_settings,
                                      sizeof tail_settings / sizeof tail_settings[0]);
    if (!config)
        return 1;
    config_read_environment(config);
    tail_options_t options;
    int exit_code = 0;
    int parsed = parse(argc, argv, config, &options);
    if (parsed < 0) {
        usage(config, stderr);
        exit_code = 2;
    } else if (parsed == 0) {
        zsys_init();
        logger_init("tail");
        logger_set_level_name(config_get(config, "ADUAN_LOG_LEVEL"));
        exit_code = run_with_keys(config, &options);
    }
    config_destroy(&config);
    return exit_code;
}
