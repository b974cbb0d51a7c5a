#ifndef ADUAN_CALENDAR_DATE_H
#define ADUAN_CALENDAR_DATE_H

#include <stdbool.h>

/* A date as people and the API write it: exactly YYYY-MM-DD, and a day the calendar has (no
 * 31 April, 29 February only in leap years). True with the parts (any may be NULL). */
bool calendar_date_parse(const char *text, int *year, int *month, int *day);

#endif
