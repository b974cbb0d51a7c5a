#ifndef ADUAN_NOTIFY_SIGN_IN_CODE_H
#define ADUAN_NOTIFY_SIGN_IN_CODE_H

#include "cmd_server.h"
#include "db.h"
#include "fanout.h"

/* reporter.code_send (reporter_sign_in_codec.h): the gateway hands over a "my reports" sign-in code
 * that aduan-intake issued, and it is queued like any message to a reporter (delivery_store.h),
 * by e-mail or through the SMS provider, with few attempts (the code lives 10 minutes). The
 * gateway does not wait for the answer (its time would tell contacts that reported from others);
 * a code with nothing to send (no report has the contact) is answered the same. The code is never
 * logged. */
typedef struct {
    db_t *db;
    const fanout_settings_t *settings;
} sign_in_code_t;

int sign_in_code_register(cmd_server_t *server, sign_in_code_t *self);

/* The handler, exposed for tests that drive it without sockets. */
int notify_sign_in_code_send(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
