#include "multipart.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The first `needle` in [hay, hay + size), or NULL (memmem is a GNU extension). */
static const char *find(const char *hay, size_t size, const char *needle, size_t length)
{
    for (const char *end = hay + size, *p = hay; (size_t) (end - p) >= length;) {
        p = memchr(p, needle[0], (size_t) (end - p) - length + 1);
        if (!p)
            return NULL;
        if (memcmp(p, needle, length) == 0)
            return p;
        p++;
    }
    return NULL;
}

int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1])
{
    static const char type[] = "multipart/form-data";
    if (!content_type || strncasecmp(content_type, type, sizeof type - 1) != 0)
        return -1;
    const char *p = content_type + sizeof type - 1;
    for (; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        bool quoted = *p == '"';
        size_t length = quoted ? strcspn(p + 1, "\"") : strcspn(p, "; \t");
        if (length == 0 || length > MULTIPART_BOUNDARY_MAX || (quoted && p[1 + length] != '"'))
            return -1;
        memcpy(out, p + quoted, length);
        out[length] = '\0';
        return 0;
    }
    return -1;
}

/* The value of parameter `key` (name, filename) of a Content-Disposition header line, quoted or
 * not, into `out`; false when absent or too long. */
static bool disposition_parameter(const char *line, size_t length, const char *key, char *out, size_t cap)
{
    size_t key_length = strlen(key);
    for (size_t i = 0; i + key_length + 1 < length; i++) {
        bool starts = i > 0 && (line[i - 1] == ';' || line[i - 1] == ' ');
        if (!starts || strncasecmp(line + i, key, key_length) != 0 || line[i + key_length] != '=')
            continue;
        const char *value = line + i + key_length + 1, *end = line + length;
        bool quoted = value < end && *value == '"';
        const char *stop = value + quoted;
        while (stop < end && (quoted ? *stop != '"' : (*stop != ';' && *stop != ' ')))
            stop++;
        size_t n = (size_t) (stop - value - quoted);
        if (n >= cap || (quoted && stop == end))
            return false;
        memcpy(out, value + quoted, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

/* Reads a part's header block [start, end) into its name and *part. */
static void read_headers(const char *start, const char *end, char *name, size_t name_cap, multipart_part_t *part)
{
    *name = '\0';
    for (const char *line = start; line < end;) {
        const char *eol = memchr(line, '\r', (size_t) (end - line));
        size_t length = (size_t) ((eol ? eol : end) - line);
        if (length > 20 && strncasecmp(line, "Content-Disposition:", 20) == 0) {
            disposition_parameter(line + 20, length - 20, "name", name, name_cap);
            disposition_parameter(line + 20, length - 20, "filename", part->filename, sizeof part->filename);
        } else if (length > 13 && strncasecmp(line, "Content-Type:", 13) == 0) {
            size_t skip = strspn(line + 13, " \t");
            snprintf(part->content_type, sizeof part->content_type, "%.*s", (int) (length - 13 - skip),
                     line + 13 + skip);
        }
        line += length + 2;
    }
}

int multipart_find(const char *content_type, const char *body, size_t size, const char *name,
                   multipart_part_t *part, char *reason, size_t cap)
{
    char boundary[MULTIPART_BOUNDARY_MAX + 1], delimiter[MULTIPART_BOUNDARY_MAX + 5];
    if (multipart_boundary(content_type, boundary) != 0) {
        snprintf(reason, cap, "send multipart/form-data with a boundary of 1 to 70 characters");
        return -1;
    }
    /* Every delimiter after the first is preceded by CRLF; the first may start the body. */
    int dlen = snprintf(delimiter, sizeof delimiter, "\r\n--%s", boundary);
    const char *end = body + size;
    const char *at = size >= (size_t) dlen - 2 && memcmp(body, delimiter + 2, (size_t) dlen - 2) == 0
                         ? body : find(body, size, delimiter, (size_t) dlen);
    if (!at) {
        snprintf(reason, cap, "the body has no part");
        return -1;
    }
    at += at == body ? dlen - 2 : dlen;
    for (;;) {
        if (end - at >= 2 && at[0] == '-' && at[1] == '-')
            return 1;   /* the closing delimiter: no such field */
        if (end - at < 2 || at[0] != '\r' || at[1] != '\n')
            break;
        const char *headers = at + 2;
        size_t window = (size_t) (end - headers) < MULTIPART_HEADERS_MAX ? (size_t) (end - headers) : MULTIPART_HEADERS_MAX;
        const char *blank = find(headers, window, "\r\n\r\n", 4);
        if (!blank && !(window >= 2 && headers[0] == '\r' && headers[1] == '\n'))
            break;
        const char *content = blank ? blank + 4 : headers + 2;
        const char *next = find(content, (size_t) (end - content), delimiter, (size_t) dlen);
        if (!next)
            break;
        char field[128];
        memset(part, 0, sizeof *part);
        read_headers(headers, blank ? blank : headers, field, sizeof field, part);
        if (strcmp(field, name) == 0) {
            part->offset = (size_t) (content - body);
            part->size = (size_t) (next - content);
            return 0;
        }
        at = next + dlen;
    }
    snprintf(reason, cap, "the multipart body is cut short or malformed");
    return -1;
}
