#include "calendar_date.h"

#include <stdio.h>
#include <string.h>

bool calendar_date_parse(const char *text, int *year, int *month, int *day)
{
    int y, m, d;
    char tail;
    bool ok = text && strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3
              && text[4] == '-' && text[7] == '-' && m >= 1 && m <= 12 && d >= 1;
    if (ok) {
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = d <= days[m - 1] + (m == 2 && leap);
    }
    if (ok && year)
        *year = y;
    if (ok && month)
        *month = m;
    if (ok && day)
        *day = d;
    return ok;
}
