#ifndef ADUAN_REFERENCE_CODEC_H
#define ADUAN_REFERENCE_CODEC_H
#include <stddef.h>

/* reference.list / reference.items: the look-up tables a submission form needs (categories,
 * regions, institutions), each a flat list of tree nodes. Strict decoders as in report_codec.h. */
typedef struct {
    char *table;                 /* categories | regions | institutions */
} reference_query_t;

typedef struct {
    char *code;
    char *name;
    char *parent_code;           /* NULL at the root */
    char *kind;                  /* categories: group|subcategory; regions: province|regency|city|district|village;
                                    institutions: national|ministry|province|regency|city|unit */
    char *region_code;           /* institutions only, else NULL */
} reference_entry_t;

typedef struct {
    size_t count;
    reference_entry_t *items;
} reference_list_t;

#define REFERENCE_LIST_MAX 100000

int reference_query_encode(const reference_query_t *in, unsigned char **out, size_t *out_size);
int reference_query_decode(const void *data, size_t size, reference_query_t *out,
                           char *reason, size_t reason_cap);
void reference_query_clear(reference_query_t *self);

int reference_list_encode(const reference_list_t *in, unsigned char **out, size_t *out_size);
int reference_list_decode(const void *data, size_t size, reference_list_t *out,
                          char *reason, size_t reason_cap);
void reference_list_clear(reference_list_t *self);

#endif
