#ifndef ADUAN_GATEWAY_ATTACHMENT_API_H
#define ADUAN_GATEWAY_ATTACHMENT_API_H

#include <stdbool.h>
#include <stddef.h>

#include "http_reply.h"

/* A report's photos and PDFs (docs/api.md, "Attachments"):
 *   POST /api/v1/reports/{id}/attachments        multipart/form-data, field "file"; the reporter token
 *   GET  /api/v1/reports/{id}/attachments/{n}    [?size=thumbnail]; a confidential report's only
 *                                                with its reporter token, or ?as=staff with the
 *                                                session of staff in scope
 * The gateway reads the multipart body and passes the bytes on: aduan-intake checks the real type,
 * re-encodes photos and stores them (attachment.add / attachment.get, attachment_codec.h). */

/* Bodies of an upload may be this large: one file of ATTACHMENT_DATA_MAX and the multipart
 * framing around it. */
#define ATTACHMENT_API_BODY_MAX (10 * 1024 * 1024 + 64 * 1024)

/* The largest body a request to `url` may carry: ATTACHMENT_API_BODY_MAX for an upload, otherwise
 * HTTP_API_BODY_MAX. */
size_t attachment_api_body_max(const char *method, const char *url);

enum MHD_Result attachment_api_route(struct MHD_Connection *c, request_t *req, const char *method, const char *url,
                                     bool *handled);

#endif
