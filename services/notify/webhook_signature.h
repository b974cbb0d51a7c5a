#ifndef ADUAN_WEBHOOK_SIGNATURE_H
#define ADUAN_WEBHOOK_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

/* How a receiver knows a webhook request came from aduan and was not replayed later
 * (docs/notifications.md shows the receiving side):
 *   Aduan-Timestamp: unix seconds when the request was signed
 *   Aduan-Signature: v1=<hex of HMAC-SHA256(secret, timestamp "." body)>
 * The timestamp is inside the signature, so an old request cannot be sent again with a new one. */
#define WEBHOOK_HEADER_DELIVERY "Aduan-Delivery-Id"
#define WEBHOOK_HEADER_TIMESTAMP "Aduan-Timestamp"
#define WEBHOOK_HEADER_SIGNATURE "Aduan-Signature"
#define WEBHOOK_HEADER_EVENT "Aduan-Event-Type"

#define WEBHOOK_SIGNATURE_SIZE (3 + 64 + 1)   /* "v1=" + 64 hex digits + NUL */
#define WEBHOOK_SECRET_MIN 32

/* Writes "v1=<hex>" into out. 0, or -1 when the secret is shorter than WEBHOOK_SECRET_MIN. */
int webhook_signature(const char *secret, int64_t timestamp, const void *body, size_t body_size,
                      char out[WEBHOOK_SIGNATURE_SIZE]);

#endif
