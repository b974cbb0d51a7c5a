#include "attachment_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bytea travels as text parameters in hex ("\\x…"): db_exec takes text only. */
static char *hex_bytea(const void *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    char *text = malloc(2 * size + 3);
    if (!text)
        return NULL;
    const unsigned char *bytes = data;
    text[0] = '\\', text[1] = 'x';
    for (size_t i = 0; i < size; i++) {
        text[2 + 2 * i] = digits[bytes[i] >> 4];
        text[3 + 2 * i] = digits[bytes[i] & 15];
    }
    text[2 + 2 * size] = '\0';
    return text;
}

int attachment_store_next_number(db_t *db, int64_t report_id, int max, int *number, db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    const char *params[] = {id};
    PGresult *r = db_exec(db, "SELECT count(*), coalesce(max(number), 0) FROM attachments WHERE report_id = $1", 1,
                          params, error);
    if (!r)
        return -1;
    long count = strtol(PQgetvalue(r, 0, 0), NULL, 10), last = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    PQclear(r);
    *number = count < max ? (int) last + 1 : 0;
    return 0;
}

int attachment_store_put(db_t *db, int64_t report_id, int number, const char *request_id,
                         const attachment_file_t *file, db_error_t *error)
{
    char id[24], n[16], width[16], height[16];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    snprintf(n, sizeof n, "%d", number);
    snprintf(width, sizeof width, "%d", file->width);
    snprintf(height, sizeof height, "%d", file->height);
    char *data = hex_bytea(file->data, file->size);
    char *thumbnail = file->thumbnail ? hex_bytea(file->thumbnail, file->thumbnail_size) : NULL;
    int rc = -1;
    if (!data || (file->thumbnail && !thumbnail))
        snprintf(error->message, sizeof error->message, "out of memory");
    else {
        const char *params[] = {id, n, file->media_type, data, thumbnail, file->width ? width : NULL,
                                file->height ? height : NULL, request_id};
        rc = db_exec_ok(db, "INSERT INTO attachments (report_id, number, media_type, data, thumbnail, width, height, "
                            "request_id) VALUES ($1, $2, $3, $4::bytea, $5::bytea, $6, $7, $8)", 8, params, error);
    }
    free(data);
    free(thumbnail);
    return rc;
}

int attachment_store_get(db_t *db, int64_t report_id, int number, bool thumbnail, char **media_type,
                         unsigned char **data, size_t *size, db_error_t *error)
{
    char id[24], n[16];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    snprintf(n, sizeof n, "%d", number);
    const char *params[] = {id, n};
    PGresult *r = db_exec(db, thumbnail
                                  ? "SELECT CASE WHEN thumbnail IS NULL THEN media_type ELSE 'image/jpeg' END, "
                                    "coalesce(thumbnail, data) FROM attachments WHERE report_id = $1 AND number = $2"
                                  : "SELECT media_type, data FROM attachments WHERE report_id = $1 AND number = $2",
                          2, params, error);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return 1;
    }
    size_t length = 0;
    unsigned char *bytes = PQunescapeBytea((const unsigned char *) PQgetvalue(r, 0, 1), &length);
    *media_type = db_value_dup(r, 0, 0);
    *data = bytes ? malloc(length ? length : 1) : NULL;
    if (*data)
        memcpy(*data, bytes, length);
    *size = length;
    PQfreemem(bytes);
    PQclear(r);
    if (!*media_type || !*data) {
        free(*media_type);
        free(*data);
        *media_type = NULL;
        *data = NULL;
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return 0;
}

int attachment_store_by_request(db_t *db, int64_t report_id, const char *request_id, int *number, char **media_type,
                                int *width, int *height, db_error_t *error)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long) report_id);
    const char *params[] = {id, request_id};
    PGresult *r = db_exec(db, "SELECT number, media_type, coalesce(width, 0), coalesce(height, 0) FROM attachments "
                              "WHERE report_id = $1 AND request_id = $2", 2, params, error);
    if (!r)
        return -1;
    int found = PQntuples(r) == 1;
    if (found) {
        *number = (int) strtol(PQgetvalue(r, 0, 0), NULL, 10);
        *media_type = db_value_dup(r, 0, 1);
        *width = (int) strtol(PQgetvalue(r, 0, 2), NULL, 10);
        *height = (int) strtol(PQgetvalue(r, 0, 3), NULL, 10);
    }
    PQclear(r);
    if (found && !*media_type) {
        snprintf(error->message, sizeof error->message, "out of memory");
        return -1;
    }
    return found ? 0 : 1;
}
