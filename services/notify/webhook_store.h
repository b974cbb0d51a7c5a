#ifndef ADUAN_WEBHOOK_STORE_H
#define ADUAN_WEBHOOK_STORE_H

#include <stdint.h>

#include "address_policy.h"
#include "db.h"
#include "error_reply.h"
#include "field_errors.h"
#include "staff_accounts.h"

/* The webhooks institutions and integrators register (table webhooks): each receives the events of
 * reports in one institution's subtree, optionally only some event types, as signed JSON
 * (webhook_signature.h). Admins register them for their own subtree; a national admin for any. */

#define WEBHOOK_EVENT_TYPES_MAX 32
#define WEBHOOK_SECRET_CHARS 43   /* 32 random bytes, base64url without padding */

typedef struct {
    const char *url;
    const char *institution;          /* NULL: the admin's own institution */
    const char *event_types[WEBHOOK_EVENT_TYPES_MAX + 1];   /* NULL-terminated; empty = every type */
    const char *description;          /* optional */
    const char *request_id;           /* the command's: registering under it again adds nothing */
    const address_policy_t *policy;   /* which hosts the URL may name */
} webhook_registration_t;

/* Registers a webhook; the answer is its JSON (with the secret, shown to its registrar only) in
 * *json. A registration already made under the same request id by the same admin answers that
 * webhook again. A URL whose host resolves to an address the policy refuses is invalid (field
 * "url"). 0 registered; 1 refused: invalid (with its field errors) or forbidden (the
 * institution is outside the admin's subtree); -1 error. */
int webhook_store_register(db_t *db, const webhook_registration_t *registration, const staff_member_t *admin,
                           char **json, error_reply_t *refusal, db_error_t *error);

/* The webhooks of the admin's subtree as {"items": [...]} (no secrets). 0, or -1. */
int webhook_store_list(db_t *db, const staff_member_t *admin, char **json, db_error_t *error);

/* Switches a webhook off for good (its pending deliveries are cancelled, and so are those being
 * sent: an outcome that comes after that changes nothing): by an admin of its
 * subtree (reason "removed by <username>"), or by aduan-notify when the receiver answered 410
 * (admin NULL). 0 done, 1 no such webhook in scope, -1 error. */
int webhook_store_disable(db_t *db, int64_t id, const staff_member_t *admin, const char *reason,
                          db_error_t *error);

#endif
