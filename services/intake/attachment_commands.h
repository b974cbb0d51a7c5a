#ifndef ADUAN_INTAKE_ATTACHMENT_COMMANDS_H
#define ADUAN_INTAKE_ATTACHMENT_COMMANDS_H

#include "envelope.h"

/* attachment.add and attachment.get (attachment_codec.h), served by aduan-intake, which owns the
 * reports and so decides who may add to one or see its files:
 * - add: the reporter's token only; the real type is sniffed (file_sniff.h), photos re-encoded
 *   (image_reencode.h) before anything is stored, PDFs kept as sent; at most
 *   ATTACHMENTS_PER_REPORT per report.
 * - get: anyone for a report that is not confidential; for a confidential one only with the
 *   reporter's token or for staff in scope (report_store_in_scope), and the refusal is the same
 *   not_found as for a file that does not exist. */
int intake_attachment_add(void *ctx, const envelope_t *request, envelope_t *reply);
int intake_attachment_get(void *ctx, const envelope_t *request, envelope_t *reply);

#endif
