#ifndef ADUAN_LIFECYCLE_STORE_H
#define ADUAN_LIFECYCLE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "error_reply.h"
#include "report_step_codec.h"

/* Applies the report_lifecycle.h rules to PostgreSQL (tables of db/migrations/0004_lifecycle.sql),
 * inside the caller's transaction: locks the report, checks role, scope and status, validates what
 * the action says, updates the report, logs the action, ends and starts the deadline clocks on the
 * working-day calendar, and appends the event — all or nothing (DESIGN.md property 1). Every
 * service that changes a report's status goes through here. */

typedef struct {
    const char *request_id;     /* the command's id: a resent command is answered, not repeated */
    int64_t now_ms;             /* clock_now_ms(): the lifecycle's time */
} lifecycle_context_t;

/* 0: applied (or already applied under this request id), *outcome filled.
 * 1: refused, *refusal says why (invalid, forbidden, not_found, conflict); nothing was written
 *    and the caller should roll back.
 * -1: database error in *error. */
int lifecycle_store_apply(db_t *db, const report_step_t *action, const lifecycle_context_t *context,
                          report_outcome_t *outcome, error_reply_t *refusal, db_error_t *error);

/* Starts clock `kind` for a report (the verification clock at submission). 0 on success. */
int lifecycle_store_open_clock(db_t *db, int64_t report_id, const char *kind, int64_t now_ms, db_error_t *error);
/* The due time a clock of `kind` started at now_ms gets on a new report (not under field
 * supervision) of each classification in `classifications` (an SQL array literal): a statement
 * for db_exec_all, with the caller's other reads, whose answer has rows (classification, due as
 * timestamptz text), a classification without a rule left out; the same rule (clock_rule) and the
 * same due time as lifecycle_store_open_new_clocks. Its parameters are *query's and the caller's
 * strings, borrowed until the statement has run. */
typedef struct {
    char now[24];
    const char *params[3];
} lifecycle_dues_query_t;
void lifecycle_store_new_clock_dues_query(const char *kind, const char *classifications, int64_t now_ms,
                                          lifecycle_dues_query_t *query, db_statement_t *statement);
/* Tells the clocks' statement trigger (migrations 0031, 0040) that the caller writes its reports'
 * next_due_at itself (on) or no longer (off), until the end of the transaction: a batch of new
 * reports inserted with their first due time, a run of system steps that wrote them already. */
int lifecycle_store_next_due_written(db_t *db, bool on, db_error_t *error);
/* Starts clock `kind` at now_ms for new reports (the reports a batch of submissions just stored:
 * no clock running, no holder, not under field supervision), in one statement; report_ids and
 * their classifications, in the same order, are SQL array literals ("{1,2}"). */
int lifecycle_store_open_new_clocks(db_t *db, const char *report_ids, const char *classifications, const char *kind,
                                    int64_t now_ms, db_error_t *error);
/* The same for the clocks of every kind of `kinds` (NULL-terminated), for the reports a run of
 * system steps just moved (lifecycle_run.h). */
int lifecycle_store_open_kinds(db_t *db, const char *report_ids, const char *const *kinds, int64_t now_ms,
                               db_error_t *error);

/* Handles up to `max` due clocks: an overdue reporter_reply clock closes the report
 * (closed_by_system), any other overdue clock is marked missed with its report.deadline_missed
 * event, and a clock whose warning time (deadline_rules.warn_before_days) came gets its
 * report.closing_soon event. Each clock and each warning is handled
 * once however many replicas sweep (row locks, SKIP LOCKED). Returns how many were handled, or -1.
 * Run it inside a transaction. */
int lifecycle_store_sweep(db_t *db, int64_t now_ms, int max, db_error_t *error);

/* The sweep's two statements ($1 now in ms, $2 max), for tests of their plans. */
extern const char lifecycle_store_overdue_sql[];
extern const char lifecycle_store_warning_sql[];

#endif
