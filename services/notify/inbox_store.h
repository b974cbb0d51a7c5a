#ifndef ADUAN_INBOX_STORE_H
#define ADUAN_INBOX_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* The in-app inbox of staff (table inbox_items): one item per inbox delivery (written with it by
 * delivery_store), read by its owner only. */

/* {"items": [...], "unread": n} newest first, at most `limit`, only unread ones when asked. */
int inbox_store_list(db_t *db, int64_t staff_id, bool unread_only, int limit, char **json, db_error_t *error);

/* Marks one item (item_id > 0) or all of the owner's items (item_id 0) read.
 * 0 done, 1 no such item of this owner, -1 error. */
int inbox_store_mark_read(db_t *db, int64_t staff_id, int64_t item_id, db_error_t *error);

#endif
