#include "institution_tree.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_types.h"
#include "msgpack_fields.h"
#include "reference_codec.h"

/* Deeper than any real tree (national > ministry or province > regency > unit ...): a cycle in
 * the data cannot make a walk endless. */
#define TREE_DEPTH_MAX 16

struct institution_tree_t {
    zhashx_t *parents;   /* code -> parent code ("" at a root) */
};

static void free_code(void **item)
{
    free(*item);
    *item = NULL;
}

static void *copy_code(const void *item)
{
    return strdup(item);
}

static envelope_t *ask_intake(cmd_client_t *intake, char *reason, size_t cap)
{
    reference_query_t query = {NULL};
    unsigned char *body = NULL;
    size_t size = 0;
    envelope_t *request = envelope_new(MSG_REFERENCE_LIST, 1, NULL, NULL);
    int encoded = request && mpf_set_string(&query.table, "institutions") == 0
                  && reference_query_encode(&query, &body, &size) == 0;
    reference_query_clear(&query);
    if (!encoded) {
        envelope_destroy(&request);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    envelope_take_body(request, body, size);
    envelope_t *reply = cmd_client_call(intake, request, reason, cap);
    envelope_destroy(&request);
    return reply;
}

institution_tree_t *institution_tree_from_list(const reference_list_t *list, char *reason, size_t cap)
{
    institution_tree_t *self = calloc(1, sizeof *self);
    if (!self || !(self->parents = zhashx_new())) {
        free(self);
        snprintf(reason, cap, "out of memory");
        return NULL;
    }
    zhashx_set_destructor(self->parents, free_code);
    zhashx_set_duplicator(self->parents, copy_code);
    for (size_t i = 0; i < list->count; i++) {
        const reference_entry_t *e = &list->items[i];
        if (zhashx_insert(self->parents, e->code, e->parent_code ? e->parent_code : "") == -1
            && !zhashx_lookup(self->parents, e->code)) {
            institution_tree_destroy(&self);
            snprintf(reason, cap, "out of memory");
            return NULL;
        }
    }
    return self;
}

institution_tree_t *institution_tree_load(cmd_client_t *intake, char *reason, size_t cap)
{
    envelope_t *reply = ask_intake(intake, reason, cap);
    reference_list_t list = {0, NULL};
    institution_tree_t *self = NULL;
    if (reply && strcmp(reply->type, MSG_REFERENCE_ITEMS) != 0)
        snprintf(reason, cap, "intake answered %s to reference.list", reply->type);
    else if (reply && reference_list_decode(reply->body, reply->body_size, &list, reason, cap) == 0)
        self = institution_tree_from_list(&list, reason, cap);
    reference_list_clear(&list);
    envelope_destroy(&reply);
    return self;
}

void institution_tree_destroy(institution_tree_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy(&(*self_p)->parents);
    free(*self_p);
    *self_p = NULL;
}

int institution_tree_knows(const institution_tree_t *self, const char *code)
{
    return self && code && zhashx_lookup(self->parents, code) != NULL;
}

size_t institution_tree_chain(const institution_tree_t *self, const char *code, char out[][33], size_t max)
{
    size_t n = 0;
    for (int depth = 0; code && *code && n < max && depth < TREE_DEPTH_MAX; depth++) {
        snprintf(out[n++], 33, "%s", code);
        code = self ? zhashx_lookup(self->parents, code) : NULL;
    }
    return n;
}
