#ifndef ADUAN_GATEWAY_OPEN311_XML_H
#define ADUAN_GATEWAY_OPEN311_XML_H
#include <jansson.h>
#include <stddef.h>

/* Open311 documents as XML (libxml2's xmlTextWriter): the same JSON tree open311_json renders,
 * read the other way round. An array becomes a container whose elements take the singular of its
 * name (services/service, service_requests/request, attributes/attribute, ...), an object's
 * members become child elements in order, true/false/numbers their text, null an empty element.
 * `<?xml version="1.0" encoding="utf-8"?>`, no namespace. */

/* A malloc'd NUL-terminated document with root `root` (an array's items named by its singular);
 * NULL when out of memory or libxml2 refuses. */
char *open311_xml_render(json_t *doc, const char *root);

#endif
