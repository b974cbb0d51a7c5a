#ifndef ADUAN_CLOCK_H
#define ADUAN_CLOCK_H

#include <stdint.h>

/* The time the lifecycle runs on: wall-clock time plus an offset. Deadlines are days long, so tests
 * and drills move time forward instead of sleeping: when a clock file is configured
 * (ADUAN_CLOCK_FILE), it holds a whole number of seconds to add, and is read again whenever it
 * changes. Without a file the offset is 0. */
void clock_use_file(const char *path);

/* Milliseconds since the epoch, offset applied. */
int64_t clock_now_ms(void);

#endif
