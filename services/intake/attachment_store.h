#ifndef ADUAN_INTAKE_ATTACHMENT_STORE_H
#define ADUAN_INTAKE_ATTACHMENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Where a report's attachments are kept: the storage interface of aduan-intake. Its one
 * implementation stores the bytes in PostgreSQL (table attachments, bytea); an object store would
 * be another implementation of these three functions, the callers unchanged. */

typedef struct {
    const char *media_type;
    const void *data;
    size_t size;
    const void *thumbnail;      /* NULL for a PDF */
    size_t thumbnail_size;
    int width, height;          /* 0 for a PDF */
} attachment_file_t;

/* Inside a transaction that locked the report (report_store_access): the next number, 0 when
 * the report holds `max` already. */
int attachment_store_next_number(db_t *db, int64_t report_id, int max, int *number, db_error_t *error);
/* Stores the file under `request_id`, the id of the command that brought it. */
int attachment_store_put(db_t *db, int64_t report_id, int number, const char *request_id,
                         const attachment_file_t *file, db_error_t *error);
/* The number, type and size of the file a command stored already, if one did: 0 when found
 * (media_type malloc'd), 1 when not. */
int attachment_store_by_request(db_t *db, int64_t report_id, const char *request_id, int *number, char **media_type,
                                int *width, int *height, db_error_t *error);

/* The file (or its thumbnail: the file itself when it has none); media_type and data malloc'd.
 * 1 when there is no such attachment. */
int attachment_store_get(db_t *db, int64_t report_id, int number, bool thumbnail, char **media_type,
                         unsigned char **data, size_t *size, db_error_t *error);

#endif
