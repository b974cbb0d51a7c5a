#include "desk_filters.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define TEXT_MAX 200
#define AGE_DAYS_MAX 3650

/* Every filter of the lists, for saved filters: the checked ones and the lists' own arguments. */
static const char *const names[] = {"category", "region", "q", "overdue", "duplicates", "older_than_days",
                                    "sort", "mine", "status", "institution", NULL};

static const char *argument(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
}

static const char *connection_argument(void *c, const char *name)
{
    return argument(c, name);
}

static bool is_one_of(const char *value, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

static bool is_days(const char *value)
{
    size_t n = strspn(value, "0123456789");
    return n > 0 && n <= 4 && !value[n] && (unsigned) atoi(value) <= AGE_DAYS_MAX;
}

void desk_filters_check(desk_filter_lookup_fn *lookup, void *ctx, field_errors_t *errors)
{
    static const char *const booleans[] = {"true", "false", NULL};
    static const char *const orders[] = {"due", "newest", "oldest", "updated", NULL};
    const char *value;
    if ((value = lookup(ctx, "category")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "category", "too_long", "a category code has at most %d characters", REPORT_CODE_MAX);
    if ((value = lookup(ctx, "region")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "region", "too_long", "a region code has at most %d characters", REPORT_CODE_MAX);
    if ((value = lookup(ctx, "q")) && strlen(value) > TEXT_MAX)
        field_errors_add(errors, "q", "too_long", "search for at most %d bytes", TEXT_MAX);
    if ((value = lookup(ctx, "overdue")) && !is_one_of(value, booleans))
        field_errors_add(errors, "overdue", "invalid", "overdue is true or false");
    if ((value = lookup(ctx, "mine")) && !is_one_of(value, booleans))
        field_errors_add(errors, "mine", "invalid", "mine is true or false");
    if ((value = lookup(ctx, "duplicates")) && !is_one_of(value, booleans))
        field_errors_add(errors, "duplicates", "invalid", "duplicates is true or false");
    if ((value = lookup(ctx, "older_than_days")) && !is_days(value))
        field_errors_add(errors, "older_than_days", "out_of_range", "older_than_days is a whole number 0-%d",
                         AGE_DAYS_MAX);
    if ((value = lookup(ctx, "sort")) && !is_one_of(value, orders))
        field_errors_add(errors, "sort", "invalid", "sort is due, newest, oldest or updated");
    if ((value = lookup(ctx, "status")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "status", "too_long", "a status has at most %d characters", REPORT_CODE_MAX);
    if ((value = lookup(ctx, "institution")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "institution", "too_long", "an institution code has at most %d characters",
                         REPORT_CODE_MAX);
}

/* `after`, the `next` cursor of an earlier page: only its form here (its check is the store's, which
 * knows the list it belongs to); it replaces `offset`, which may not come with it. */
static void check_cursor(struct MHD_Connection *c, field_errors_t *errors)
{
    const char *after = argument(c, "after");
    if (!after)
        return;
    if (argument(c, "offset"))
        field_errors_add(errors, "after", "invalid", "after (a next cursor) is given without offset");
    else if (strlen(after) > STAFF_CURSOR_MAX || after[strspn(after, "0123456789abcdef.-")])
        field_errors_add(errors, "after", "invalid", "after is the next cursor of an earlier answer");
}

bool desk_filters_known(const char *name)
{
    return is_one_of(name, names);
}

int desk_filters_read(struct MHD_Connection *c, staff_query_t *q, field_errors_t *errors)
{
    field_errors_clear(errors);
    desk_filters_check(connection_argument, c, errors);
    check_cursor(c, errors);
    if (errors->count)
        return 1;
    if (mpf_set_string(&q->category, argument(c, "category")) != 0
        || mpf_set_string(&q->region, argument(c, "region")) != 0
        || mpf_set_string(&q->text, argument(c, "q")) != 0
        || mpf_set_string(&q->overdue, argument(c, "overdue")) != 0
        || mpf_set_string(&q->duplicates, argument(c, "duplicates")) != 0
        || mpf_set_string(&q->older_than_days, argument(c, "older_than_days")) != 0
        || mpf_set_string(&q->sort, argument(c, "sort")) != 0 || mpf_set_string(&q->mine, argument(c, "mine")) != 0
        || mpf_set_string(&q->after, argument(c, "after")) != 0)
        return -1;
    return 0;
}
