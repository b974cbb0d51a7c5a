#ifndef ADUAN_TEXT_BUFFER_H
#define ADUAN_TEXT_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

/* A growing, always NUL-terminated byte string for building messages piece by piece. An
 * allocation failure is remembered (failed) and later appends do nothing, so builders check once
 * at the end. Start from a zeroed struct. */
typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} text_buffer_t;

void text_buffer_append(text_buffer_t *self, const char *bytes, size_t n);
void text_buffer_append_str(text_buffer_t *self, const char *s);
/* The built string (caller frees), or NULL when an append failed; the buffer is empty after. */
char *text_buffer_take(text_buffer_t *self, size_t *len);

#endif
