#ifndef ADUAN_REPORT_PRIVACY_H
#define ADUAN_REPORT_PRIVACY_H
#include <stdbool.h>
#include "report_codec.h"

/* The public view's privacy rules, applied on the server to a complete view:
 *  - contact data (e-mail, phone) only for the reporter (a valid reporter token);
 *  - an anonymous reporter's name for nobody but the reporter;
 *  - a confidential report's content (title, body, address, coordinates, action notes) only for
 *    the reporter; content_hidden tells the reader that something was withheld. */
void report_privacy_restrict(report_view_t *view, bool reporter_authorized);

#endif
