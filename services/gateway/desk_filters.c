#include "desk_filters.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "msgpack_fields.h"
#include "report_rules.h"

#define TEXT_MAX 200
#define AGE_DAYS_MAX 3650

static const char *argument(struct MHD_Connection *c, const char *name)
{
    const char *value = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    return value && *value ? value : NULL;
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

static void check(struct MHD_Connection *c, field_errors_t *errors)
{
    static const char *const booleans[] = {"true", "false", NULL};
    static const char *const orders[] = {"due", "newest", "oldest", "updated", NULL};
    const char *value;
    if ((value = argument(c, "category")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "category", "too_long", "a category code has at most %d characters", REPORT_CODE_MAX);
    if ((value = argument(c, "region")) && strlen(value) > REPORT_CODE_MAX)
        field_errors_add(errors, "region", "too_long", "a region code has at most %d characters", REPORT_CODE_MAX);
    if ((value = argument(c, "q")) && strlen(value) > TEXT_MAX)
        field_errors_add(errors, "q", "too_long", "search for at most %d bytes", TEXT_MAX);
    if ((value = argument(c, "overdue")) && !is_one_of(value, booleans))
        field_errors_add(errors, "overdue", "invalid", "overdue is true or false");
    if ((value = argument(c, "mine")) && !is_one_of(value, booleans))
        field_errors_add(errors, "mine", "invalid", "mine is true or false");
    if ((value = argument(c, "duplicates")) && !is_one_of(value, booleans))
        field_errors_add(errors, "duplicates", "invalid", "duplicates is true or false");
    if ((value = argument(c, "older_than_days")) && !is_days(value))
        field_errors_add(errors, "older_than_days", "out_of_range", "older_than_days is a whole number 0-%d",
                         AGE_DAYS_MAX);
    if ((value = argument(c, "sort")) && !is_one_of(value, orders))
        field_errors_add(errors, "sort", "invalid", "sort is due, newest, oldest or updated");
}

int desk_filters_read(struct MHD_Connection *c, staff_query_t *q, field_errors_t *errors)
{
    field_errors_clear(errors);
    check(c, errors);
    if (errors->count)
        return 1;
    if (mpf_set_string(&q->category, argument(c, "category")) != 0
        || mpf_set_string(&q->region, argument(c, "region")) != 0
        || mpf_set_string(&q->text, argument(c, "q")) != 0
        || mpf_set_string(&q->overdue, argument(c, "overdue")) != 0
        || mpf_set_string(&q->duplicates, argument(c, "duplicates")) != 0
        || mpf_set_string(&q->older_than_days, argument(c, "older_than_days")) != 0
        || mpf_set_string(&q->sort, argument(c, "sort")) != 0 || mpf_set_string(&q->mine, argument(c, "mine")) != 0)
        return -1;
    return 0;
}
