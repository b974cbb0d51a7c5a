#include "report_privacy.h"

#include <stdlib.h>

static void drop(char **field)
{
    free(*field);
    *field = NULL;
}

void report_privacy_restrict(report_view_t *view, bool reporter_authorized)
{
    view->reporter_authorized = reporter_authorized;
    view->content_hidden = view->confidential && !reporter_authorized;
    if (reporter_authorized)
        return;
    drop(&view->reporter_email);
    drop(&view->reporter_phone);
    if (view->anonymous)
        drop(&view->reporter_name);
    if (!view->content_hidden)
        return;
    drop(&view->title);
    drop(&view->body);
    drop(&view->address);
    view->has_coordinates = false;
    view->lat = view->lon = 0;
    view->attachment_count = 0;
    for (size_t i = 0; i < view->action_count; i++)
        drop(&view->actions[i].note);
}
