#include "text_buffer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void text_buffer_append(text_buffer_t *self, const char *bytes, size_t n)
{
    if (self->failed)
        return;
    if (n > SIZE_MAX - self->len - 1) {
        self->failed = true;
        return;
    }
    size_t needed = self->len + n + 1;
    if (!self->data || needed > self->cap) {
        size_t cap = self->cap ? self->cap : 256;
        while (cap < needed)
            cap = cap > SIZE_MAX / 2 ? needed : cap * 2;
        char *grown = realloc(self->data, cap);
        if (!grown) {
            self->failed = true;
            return;
        }
        self->data = grown;
        self->cap = cap;
    }
    memcpy(self->data + self->len, bytes, n);
    self->len += n;
    self->data[self->len] = '\0';
}

void text_buffer_append_str(text_buffer_t *self, const char *s)
{
    text_buffer_append(self, s, strlen(s));
}

char *text_buffer_take(text_buffer_t *self, size_t *len)
{
    text_buffer_append(self, "", 0);
    char *data = self->failed ? NULL : self->data;
    if (self->failed)
        free(self->data);
    if (len)
        *len = data ? self->len : 0;
    *self = (text_buffer_t) {0};
    return data;
}
