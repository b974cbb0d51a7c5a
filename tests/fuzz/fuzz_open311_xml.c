/* libFuzzer target: any JSON document (as intake's Open311 store answers) written as Open311 XML
 * by libxml2: names, text escaping, nesting, numbers. Element names come from our own code, so
 * only documents whose keys are plain names are rendered. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "open311_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t error;
    json_t *doc = json_loadb((const char *) data, size, JSON_DECODE_ANY, &error);
    if (!doc)
        return 0;
    free(open311_xml_render(doc, "service_requests"));
    json_decref(doc);
    return 0;
}
