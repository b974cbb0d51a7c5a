#include "clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "logger.h"

static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;
static char *clock_path;
static struct timespec clock_file_mtime;
static int64_t clock_offset_ms;

void clock_use_file(const char *path)
{
    pthread_mutex_lock(&clock_lock);
    free(clock_path);
    clock_path = path && *path ? strdup(path) : NULL;
    memset(&clock_file_mtime, 0, sizeof clock_file_mtime);
    clock_offset_ms = 0;
    pthread_mutex_unlock(&clock_lock);
}

/* Re-reads the offset when the file changed; a missing or unreadable file means no offset. */
static void refresh_offset(void)
{
    struct stat st;
    if (!clock_path || stat(clock_path, &st) != 0) {
        clock_offset_ms = 0;
        return;
    }
    if (st.st_mtim.tv_sec == clock_file_mtime.tv_sec && st.st_mtim.tv_nsec == clock_file_mtime.tv_nsec)
        return;
    clock_file_mtime = st.st_mtim;
    FILE *file = fopen(clock_path, "r");
    long long seconds = 0;
    if (!file || fscanf(file, "%lld", &seconds) != 1) {
        logger_warn("clock file %s holds no number of seconds; using no offset", clock_path);
        seconds = 0;
    }
    if (file)
        fclose(file);
    clock_offset_ms = (int64_t) seconds * 1000;
}

int64_t clock_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    pthread_mutex_lock(&clock_lock);
    refresh_offset();
    int64_t offset = clock_offset_ms;
    pthread_mutex_unlock(&clock_lock);
    return (int64_t) now.tv_sec * 1000 + now.tv_nsec / 1000000 + offset;
}
