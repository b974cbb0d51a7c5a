#ifndef ADUAN_NOTIFY_COMMAND_THREAD_H
#define ADUAN_NOTIFY_COMMAND_THREAD_H

#include <stddef.h>

#include "address_policy.h"
#include "curve_keys.h"
#include "fanout.h"

/* aduan-notify's command server (notify_commands.h) on a thread of its own with a database
 * connection of its own: the main thread spends its time in the senders, and a command must not
 * wait for a round of sending (nor the senders for a slow listing). */
typedef struct command_thread_t command_thread_t;

/* Binds `bind_endpoints` (CURVE with `keys`, which outlive the thread; NULL: plain), connects to
 * db_url (waiting up to wait_ms) and starts serving, checking webhook URLs against `policy` and
 * making followers' links and queueing sign-in codes with `fanout` (both must outlive the thread
 * too); NULL with a reason when any of it fails. */
command_thread_t *command_thread_start(const char *bind_endpoints, curve_keys_t *keys, const char *db_url, int wait_ms,
                                       const address_policy_t *policy, const fanout_settings_t *fanout, char *reason,
                                       size_t reason_cap);
/* Stops serving (a request in hand is answered first), joins the thread and frees everything. */
void command_thread_stop(command_thread_t **self_p);

#endif
