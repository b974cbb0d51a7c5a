#ifndef ADUAN_INTAKE_REPORT_STORE_H
#define ADUAN_INTAKE_REPORT_STORE_H
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

/* Adds a field error (code "unknown") for each code that names nothing active. -1 on a database
 * error. */
int report_store_check_codes(db_t *db, const report_submission_t *submission, field_errors_t *errors,
                             db_error_t *error);

/* Inside a transaction: the report (status waiting_verification, a fresh tracking id) and its
 * first action. */
int report_store_insert(db_t *db, const report_submission_t *submission, const char *token_hash,
                        report_stored_t *stored, db_error_t *error);

/* Everything stored about a report, unfiltered (the caller applies the privacy rules), and its
 * token hash. 1 when there is no such report. */
int report_store_load(db_t *db, const char *tracking_id, report_view_t *view,
                      char token_hash[65], db_error_t *error);

/* Its first statement ($1 tracking id): what GET tracking costs, for tests of its plan. */
extern const char report_store_load_sql[];

#endif
