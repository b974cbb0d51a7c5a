#ifndef ADUAN_CORE_LINK_LIST_H
#define ADUAN_CORE_LINK_LIST_H

#include <stddef.h>

/* A doubly-linked list threaded through its items, each of which embeds a link_t: putting an
 * item in, moving it and taking it out cost no allocation and cannot fail, which is what an
 * order of use kept beside a table needs (the least recently used found at once). The list owns
 * nothing: an item is taken out before its owner frees it. A link is in one list at a time;
 * out of every list its pointers are NULL. A zeroed link_list_t is empty. */
typedef struct link_t {
    struct link_t *prev, *next;
} link_t;

typedef struct {
    link_t *first, *last;
} link_list_t;

/* The item a link is embedded in, as `member` of `type`; the link is not const, nor is the item. */
#define LINK_ITEM(link, type, member) ((type *) (void *) ((char *) (link) - offsetof(type, member)))

void link_list_push_first(link_list_t *list, link_t *link);
void link_list_push_last(link_list_t *list, link_t *link);
/* Takes out a link that is in `list`. */
void link_list_remove(link_list_t *list, link_t *link);
/* Takes out a link that is in `list` and puts it first. */
void link_list_move_first(link_list_t *list, link_t *link);

#endif
