#ifndef ADUAN_EMBEDDED_FILE_H
#define ADUAN_EMBEDDED_FILE_H
#include <stddef.h>

/* A text file compiled into the binary by cmake/EmbedFiles.cmake (migrations, seeds, OpenAPI). */
typedef struct {
    const char *name;   /* base name, e.g. "0001_core.sql" */
    const char *data;   /* NUL-terminated contents */
    size_t size;        /* bytes, without the terminating NUL */
} embedded_file_t;

#endif
