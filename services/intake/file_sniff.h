#ifndef ADUAN_INTAKE_FILE_SNIFF_H
#define ADUAN_INTAKE_FILE_SNIFF_H

#include <stddef.h>

/* The real type of an uploaded file from its first bytes, whatever name or media type the client
 * gave it: "image/jpeg", "image/png", "image/webp" or "application/pdf"; NULL for anything else
 * (which is refused). */
const char *file_sniff(const unsigned char *data, size_t size);

#endif
