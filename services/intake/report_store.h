#ifndef ADUAN_INTAKE_REPORT_STORE_H
#define ADUAN_INTAKE_REPORT_STORE_H
#include <stdbool.h>
#include <stdint.h>
#include "db.h"
#include "field_errors.h"
#include "report_codec.h"
#include "tracking_id.h"

/* All SQL on reports and report_actions. */
#define REPORT_STATUS_SUBMITTED "waiting_verification"

typedef struct {
    int64_t id;
    char tracking_id[TRACKING_ID_LEN + 1];
    int64_t submitted_at_ms;
} report_stored_t;

/* The codes of a submission that name nothing active: a set of these. */
typedef enum {
    REPORT_UNKNOWN_CATEGORY = 1u << 0,
    REPORT_UNKNOWN_REGION = 1u << 1,
    REPORT_UNKNOWN_TARGET = 1u << 2,
} report_unknown_code_t;

/* The codes of `count` submissions (NULL ones are skipped) checked in one statement, sent with the
 * batch's other reads (db_exec_all): report_store_codes_query fills *statement, whose parameters
 * *query owns until report_store_codes_query_clear; report_store_codes_read makes unknown[i] the
 * set of submission i's codes that name nothing active (0: every one does). A set, not the field
 * errors themselves: those are 9 kB a submission, and a batch's submissions almost never have any. */
#define REPORT_CODES_PARAMS 4   /* the submissions' indexes, categories, regions, target institutions */
typedef struct {
    char *owned[REPORT_CODES_PARAMS];
    const char *params[REPORT_CODES_PARAMS];
} report_codes_query_t;
int report_store_codes_query(const report_submission_t *const *submissions, size_t count,
                             report_codes_query_t *query, db_statement_t *statement);
void report_store_codes_read(const PGresult *answer, const report_submission_t *const *submissions,
                             unsigned *unknown, size_t count);
void report_store_codes_query_clear(report_codes_query_t *query);

/* A field error (code "unknown") in `errors` for each code of `submission` in `unknown`. */
void report_store_describe_unknown(const report_submission_t *submission, unsigned unknown, field_errors_t *errors);

/* The clock a new report starts with. */
#define REPORT_FIRST_CLOCK "verification"

/* A new report to store: what was submitted and its token's hash (borrowed, for the call), and
 * next_due_at, its REPORT_FIRST_CLOCK's due time (lifecycle_store_new_clock_dues_query; NULL: no clock),
 * written with the report so that the clock's trigger leaves the report as it is instead of
 * writing it a second time (migration 0036). `stored` is filled by the call. */
typedef struct {
    const report_submission_t *submission;
    const char *token_hash;
    const char *next_due_at;
    report_stored_t stored;
} report_new_t;

/* Inside a transaction, in one statement for all of them: the reports (status
 * waiting_verification, each a fresh tracking id) and their first actions. The clocks are the
 * caller's (lifecycle_store_open_new_clocks, once for a batch). 0 with every row stored; -1 on a
 * database error, which may come from any one row: which one cannot be told, and the transaction
 * is left failed, so none of them stays stored. */
int report_store_insert_many(db_t *db, report_new_t *rows, size_t count, db_error_t *error);

/* One tracking lookup of those taken together: the normalized tracking id asked (NULL: nothing to
 * look up), and what is stored about that report, unfiltered (the caller applies the privacy
 * rules), with its attachment count and its token hash when found. */
typedef struct {
    const char *tracking_id;
    bool found;
    report_view_t view;          /* cleared by the caller (report_view_clear) */
    char token_hash[65];
} report_load_t;

/* Every lookup of `loads` in one statement; 0 (each found or not), -1 on a database error or out
 * of memory (nothing found then). */
int report_store_load_many(db_t *db, report_load_t *loads, size_t count, db_error_t *error);

/* That statement ($1 a text[] of tracking ids): what GET tracking costs, for tests of its plan. */
extern const char report_store_load_sql[];

/* What deciding who may touch a report's attachments needs: its id, whether it is confidential, and
 * its token hash. 1 when there is no such report. */
int report_store_access(db_t *db, const char *tracking_id, int64_t *report_id, bool *confidential,
                        char token_hash[65], db_error_t *error);

/* Whether staff of `role` at `institution` may see the report's content: a national admin always,
 * others when it lies in their institution's subtree (as the staff views decide). 0 with *in. */
int report_store_in_scope(db_t *db, int64_t report_id, const char *role, const char *institution, bool *in,
                          db_error_t *error);

/* Inside a transaction: locks the report row (uploads to one report are numbered one after the
 * other); 1 when there is no such report. */
int report_store_lock(db_t *db, int64_t report_id, db_error_t *error);

#endif
