#ifndef ADUAN_GATEWAY_INSTITUTION_TREE_H
#define ADUAN_GATEWAY_INSTITUTION_TREE_H

#include <stddef.h>

#include "cmd_client.h"
#include "reference_codec.h"

/* The institutions' tree as intake lists it (reference.list "institutions"), so that the live
 * stream can tell whose subtree an event's institution lies in without SQL of its own. */
typedef struct institution_tree_t institution_tree_t;

/* Asks intake through `intake` (a command client the caller keeps); NULL with the reason. */
institution_tree_t *institution_tree_load(cmd_client_t *intake, char *reason, size_t reason_cap);
/* The tree of a list intake answered (entries with parent_code). */
institution_tree_t *institution_tree_from_list(const reference_list_t *list, char *reason, size_t reason_cap);
void institution_tree_destroy(institution_tree_t **self_p);

/* Whether `code` is in the tree. */
int institution_tree_knows(const institution_tree_t *self, const char *code);

/* Fills out[0..] with `code` and then its ancestors up to the root (at most max); the count.
 * An unknown code is its own only ancestor: a viewer is never given more than its own code. */
size_t institution_tree_chain(const institution_tree_t *self, const char *code, char out[][33], size_t max);

#endif
