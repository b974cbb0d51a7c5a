#include "env_file.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *text)
{
    while (isspace((unsigned char) *text))
        text++;
    size_t length = strlen(text);
    while (length > 0 && isspace((unsigned char) text[length - 1]))
        text[--length] = '\0';
    return text;
}

static void unquote(char *value)
{
    size_t length = strlen(value);
    if (length >= 2 && (value[0] == '"' || value[0] == '\'') && value[length - 1] == value[0]) {
        memmove(value, value + 1, length - 2);
        value[length - 2] = '\0';
    }
}

static int valid_name(const char *name)
{
    if (!*name || isdigit((unsigned char) *name))
        return 0;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char) *c) && *c != '_')
            return 0;
    return 1;
}

/* 0 for a setting or a line without one, -1 for a line that is neither. */
static int load_line(char *line, const char *path, int number, char *reason, size_t cap)
{
    char *text = trim(line);
    if (!*text || *text == '#' || *text == ';')
        return 0;
    char *equals = strchr(text, '=');
    if (equals)
        *equals = '\0';
    char *name = equals ? trim(text) : text;
    if (!equals || !valid_name(name)) {
        snprintf(reason, cap, "%s:%d: not a KEY=value setting", path, number);
        return -1;
    }
    char *value = trim(equals + 1);
    unquote(value);
    if (setenv(name, value, 0) != 0) {
        snprintf(reason, cap, "%s:%d: %s", path, number, strerror(errno));
        return -1;
    }
    return 0;
}

int env_file_load(const char *path, char *reason, size_t cap)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        if (errno == ENOENT)
            return 1;
        snprintf(reason, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int number = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, file)) {
        number++;
        if (!strchr(line, '\n') && !feof(file)) {
            snprintf(reason, cap, "%s:%d: line longer than %zu bytes", path, number, sizeof line - 2);
            rc = -1;
        } else {
            rc = load_line(line, path, number, reason, cap);
        }
    }
    fclose(file);
    return rc;
}

int env_file_load_list(const char *paths, char *reason, size_t cap)
{
    char *copy = strdup(paths);
    if (!copy) {
        snprintf(reason, cap, "out of memory");
        return -1;
    }
    int rc = 0;
    char *saved = NULL;
    for (char *path = strtok_r(copy, ":", &saved); path && rc == 0; path = strtok_r(NULL, ":", &saved))
        rc = env_file_load(path, reason, cap) < 0 ? -1 : 0;
    free(copy);
    return rc;
}
