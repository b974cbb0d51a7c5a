#include "link_list.h"

void link_list_push_first(link_list_t *list, link_t *link)
{
    link->prev = NULL;
    link->next = list->first;
    if (list->first)
        list->first->prev = link;
    else
        list->last = link;
    list->first = link;
}

void link_list_push_last(link_list_t *list, link_t *link)
{
    link->next = NULL;
    link->prev = list->last;
    if (list->last)
        list->last->next = link;
    else
        list->first = link;
    list->last = link;
}

void link_list_remove(link_list_t *list, link_t *link)
{
    if (link->prev)
        link->prev->next = link->next;
    else
        list->first = link->next;
    if (link->next)
        link->next->prev = link->prev;
    else
        list->last = link->prev;
    link->prev = link->next = NULL;
}

void link_list_move_first(link_list_t *list, link_t *link)
{
    link_list_remove(list, link);
    link_list_push_first(list, link);
}
