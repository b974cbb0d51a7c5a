#include "open311_xml.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <string.h>

/* The element of each item of a list, by the list's name (the standard's pairs). */
static const char *const singulars[][2] = {
    {"services", "service"}, {"attributes", "attribute"}, {"values", "value"}, {"endpoints", "endpoint"},
    {"formats", "format"}, {"service_requests", "request"}, {"service_request_updates", "request_update"},
    {"notes", "note"}, {"errors", "error"},
};

static const char *singular(const char *plural)
{
    for (size_t i = 0; i < sizeof singulars / sizeof singulars[0]; i++)
        if (strcmp(singulars[i][0], plural) == 0)
            return singulars[i][1];
    return "item";
}

static int write_element(xmlTextWriterPtr w, const char *name, json_t *value);

static int write_children(xmlTextWriterPtr w, const char *name, json_t *value)
{
    if (json_is_array(value)) {
        size_t i;
        json_t *item;
        json_array_foreach(value, i, item)
            if (write_element(w, singular(name), item) < 0)
                return -1;
        return 0;
    }
    const char *key;
    json_t *member;
    json_object_foreach(value, key, member)
        if (write_element(w, key, member) < 0)
            return -1;
    return 0;
}

static int write_text(xmlTextWriterPtr w, json_t *value)
{
    char number[40];
    const char *text = "";
    if (json_is_string(value))
        text = json_string_value(value);
    else if (json_is_boolean(value))
        text = json_is_true(value) ? "true" : "false";
    else if (json_is_integer(value)) {
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        text = number;
    } else if (json_is_real(value)) {
        snprintf(number, sizeof number, "%.10g", json_real_value(value));
        text = number;
    }
    return xmlTextWriterWriteString(w, BAD_CAST text);
}

static int write_element(xmlTextWriterPtr w, const char *name, json_t *value)
{
    if (xmlTextWriterStartElement(w, BAD_CAST name) < 0)
        return -1;
    int rc = json_is_array(value) || json_is_object(value) ? write_children(w, name, value) : write_text(w, value);
    /* FullEndElement: an empty value is <x></x>, as the standard's examples show it */
    return rc < 0 ? -1 : xmlTextWriterFullEndElement(w);
}

char *open311_xml_render(json_t *doc, const char *root)
{
    xmlBufferPtr buffer = xmlBufferCreate();
    xmlTextWriterPtr w = buffer ? xmlNewTextWriterMemory(buffer, 0) : NULL;
    char *out = NULL;
    if (w && xmlTextWriterStartDocument(w, "1.0", "utf-8", NULL) >= 0 && write_element(w, root, doc) >= 0
        && xmlTextWriterEndDocument(w) >= 0) {
        xmlFreeTextWriter(w);   /* flushes into the buffer */
        w = NULL;
        out = strdup((const char *) xmlBufferContent(buffer));
    }
    if (w)
        xmlFreeTextWriter(w);
    if (buffer)
        xmlBufferFree(buffer);
    return out;
}
