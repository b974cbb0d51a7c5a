#ifndef ADUAN_REPORTER_CONTACT_H
#define ADUAN_REPORTER_CONTACT_H

/* How "my reports" compares a reporter's contact (docs/api.md, "A reporter's own reports"): the
 * gateway counts requests per contact with it, intake finds the contact's reports with it. */

#define REPORTER_CONTACT_KEY_MAX 270      /* "email:" + 254, or "phone:" + digits */

typedef enum { CONTACT_EMAIL, CONTACT_PHONE } contact_kind_t;

/* The contact key of what a reporter typed (db/migrations/0022 makes the same key of a report's
 * contact): "email:<trimmed, lower case>" or "phone:<digits, leading 0 as 62>".
 * 0, or -1 when it is neither an e-mail address nor a phone number of 8 to 15 digits. */
int reporter_contact_key(const char *typed, char out[REPORTER_CONTACT_KEY_MAX + 1], contact_kind_t *kind);

#endif
