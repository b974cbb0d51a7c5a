#ifndef ADUAN_NOTIFY_FANOUT_H
#define ADUAN_NOTIFY_FANOUT_H

#include "db.h"
#include "event_codec.h"
#include "fanout_run.h"

/* Turns one event into its deliveries (DOMAIN.md: notify every step): the rules of
 * notification_rules name the audiences and channels, notification_templates the words in the
 * recipient's language, and every webhook whose subtree and event filter match gets the event.
 * Runs in the consumer's transaction, so the deliveries and the group's position commit together,
 * and adding a delivery twice adds nothing. */
typedef struct {
    const char *public_url;      /* base of links in messages, e.g. https://lapor.example.go.id */
    int max_attempts;
    bool sms_enabled;            /* an SMS provider is configured */
    const unsigned char *delivery_id_key;   /* SECRET_SETTING_BYTES; keys delivery ids (delivery_store_make_id) */
} fanout_settings_t;

/* The handler's context: the settings, and what the current run of events has read
 * (fanout_run.h). */
typedef struct {
    const fanout_settings_t *settings;
    fanout_run_t *run;
} fanout_context_t;

/* The consumer's run_start (event_consumer.h): reads what the run's events need, in one statement.
 * `context` is a fanout_context_t. 0, or -1 with the error. */
int fanout_run_begin(db_t *db, const event_t *events, size_t count, void *context, db_error_t *error);

/* The deliveries of one event of the run begun; the run's last event adds those of the whole run
 * in one statement whose answer is not read. 0 with *deliveries the number made for this event
 * (or made before: adding again adds nothing), or -1 with the error. */
int fanout_event(db_t *db, const event_t *event, const fanout_context_t *context, int *deliveries,
                 db_error_t *error);

#endif
