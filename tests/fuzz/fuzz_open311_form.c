/* libFuzzer target: an Open311 POST body or query as the gateway reads it (urlencoded form → the
 * GET filters and their error list, datetimes), and the result rendered as XML and JSON. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "open311_form.h"
#include "open311_json.h"
#include "open311_params.h"
#include "open311_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static open311_form_t form;
    const char *why = NULL;
    if (open311_form_parse((const char *) data, size, &form, &why) != 0)
        return 0;
    open311_query_t q;
    memset(&q, 0, sizeof q);
    json_t *errors = open311_errors_new();
    open311_params_requests(&form, &q, errors);
    char *xml = open311_xml_render(errors, "errors"), *json = open311_json_render(errors);
    free(xml);
    free(json);
    json_decref(errors);
    open311_query_clear(&q);
    open311_form_clear(&form);
    return 0;
}
