#include "db_wakeup.h"

#include <stdio.h>

int db_wakeup_fd(db_wakeup_t *self)
{
    if (!db_pgconn(self->db))
        return -1;
    if (self->generation != db_generation(self->db)) {
        char sql[96];
        db_error_t error;
        snprintf(sql, sizeof sql, "LISTEN %s", self->channel);
        PGresult *r = db_exec(self->db, sql, 0, NULL, &error);
        if (!r)
            return -1;
        PQclear(r);
        self->generation = db_generation(self->db);
    }
    PGconn *conn = db_pgconn(self->db);
    return conn ? PQsocket(conn) : -1;
}

bool db_wakeup_drain(db_wakeup_t *self, db_wakeup_payload_fn *each, void *ctx)
{
    PGconn *conn = db_pgconn(self->db);
    if (!conn || !PQconsumeInput(conn))
        return false;
    bool any = false;
    PGnotify *notify;
    while ((notify = PQnotifies(conn)) != NULL) {
        any = true;
        if (each)
            each(notify->extra, ctx);
        PQfreemem(notify);
    }
    return any;
}
