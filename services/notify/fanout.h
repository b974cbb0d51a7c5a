#ifndef ADUAN_NOTIFY_FANOUT_H
#define ADUAN_NOTIFY_FANOUT_H

#include "db.h"
#include "event_codec.h"

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

/* 0 with *created the number of new deliveries, or -1 with the error. */
int fanout_event(db_t *db, const event_t *event, const fanout_settings_t *settings, int *created,
                 db_error_t *error);

#endif
