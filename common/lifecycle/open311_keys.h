#ifndef ADUAN_OPEN311_KEYS_H
#define ADUAN_OPEN311_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "report_rules.h"
#include "secret_token.h"

/* The API keys of Open311 client applications (table open311_keys, the gateway's): one per app,
 * a random secret shown once and stored only as its SHA-256 (secret_token.h). The app's name is
 * its channel: its reports carry channel "open311.<name>", so statistics count them by app. */


typedef struct {
    int64_t id;
    char name[REPORT_OPEN311_APP_MAX + 1];
    char region[33];          /* where the app's reports belong */
    bool answer_token;        /* POST answers a token to poll instead of the id */
} open311_app_t;

typedef struct {
    const char *name, *region;
    bool answer_token;
} open311_app_spec_t;

/* Issues a key into key (shown once). 0; 1 when the name is invalid or taken, or the region
 * unknown (*why says which); -1 on a database error. */
int open311_keys_issue(db_t *db, const open311_app_spec_t *spec, char key[SECRET_TOKEN_LEN + 1], const char **why,
                       db_error_t *error);
/* 0 revoked; 1 when no key of that name is in force; -1. */
int open311_keys_revoke(db_t *db, const char *name, db_error_t *error);
/* The app of a key in force: 0 with *app; 1 when the key is unknown or revoked; -1. */
int open311_keys_find(db_t *db, const char *key, open311_app_t *app, db_error_t *error);
/* {"items": [{name, channel, region, answer_token, created_at, revoked_at}]} malloc'd. 0 or -1. */
int open311_keys_list(db_t *db, char **json, db_error_t *error);

#endif
