/* libFuzzer target: a submission body as the gateway reads it (JSON → typed submission + rules). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "report_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t error;
    json_t *root = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, &error);
    if (!root)
        return 0;
    report_submission_t submission;
    memset(&submission, 0, sizeof submission);
    field_errors_t errors;
    field_errors_clear(&errors);
    report_json_to_submission(root, &submission, &errors);
    report_submission_clear(&submission);
    json_decref(root);
    return 0;
}
