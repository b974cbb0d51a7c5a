#include "reporter_notifications.h"

#include <stdio.h>
#include <string.h>

#include "secret_token.h"

int reporter_notifications_set(db_t *db, const char *tracking_id, const char *reporter_token, const bool *enabled,
                               const char *language, reporter_notifications_t *now, db_error_t *error)
{
    char hash[SECRET_TOKEN_HASH_HEX_LEN + 1];
    secret_token_hash_hex(reporter_token ? reporter_token : "", hash);
    const char *params[] = {tracking_id, hash, enabled ? (*enabled ? "t" : "f") : NULL, language};
    PGresult *r = db_exec(db, "UPDATE reports SET notify_reporter = COALESCE($3::boolean, notify_reporter), "
                              "language = COALESCE($4, language) WHERE tracking_id = $1 AND reporter_token_hash = $2 "
                              "RETURNING notify_reporter, language", 4, params, error);
    if (!r)
        return -1;
    int rc = PQntuples(r) == 1 ? 0 : 1;
    if (rc == 0) {
        now->enabled = PQgetvalue(r, 0, 0)[0] == 't';
        snprintf(now->language, sizeof now->language, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return rc;
}
