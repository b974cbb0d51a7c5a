#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env_file.h"

static char *write_file(const char *text)
{
    char *path = strdup("/tmp/aduan-env-file-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    return path;
}

static void test_settings_comments_and_quotes(void **state)
{
    (void) state;
    unsetenv("ADUAN_T_PLAIN");
    unsetenv("ADUAN_T_QUOTED");
    unsetenv("ADUAN_T_SINGLE");
    unsetenv("ADUAN_T_EMPTY");
    unsetenv("ADUAN_T_URL");
    char *path = write_file("# a comment\n; another\n\nADUAN_T_PLAIN=smtp://127.0.0.1:25\n"
                            "  ADUAN_T_QUOTED = \"two words\"  \nADUAN_T_SINGLE='x=y'\nADUAN_T_EMPTY=\n"
                            "#ADUAN_T_COMMENTED=1\nADUAN_T_URL=postgresql://u:p@h/db?sslmode=require");
    char reason[200];
    assert_int_equal(env_file_load(path, reason, sizeof reason), 0);
    assert_string_equal(getenv("ADUAN_T_PLAIN"), "smtp://127.0.0.1:25");
    assert_string_equal(getenv("ADUAN_T_QUOTED"), "two words");
    assert_string_equal(getenv("ADUAN_T_SINGLE"), "x=y");
    assert_string_equal(getenv("ADUAN_T_EMPTY"), "");
    assert_string_equal(getenv("ADUAN_T_URL"), "postgresql://u:p@h/db?sslmode=require");
    assert_null(getenv("ADUAN_T_COMMENTED"));
    unlink(path);
    free(path);
}

static void test_environment_and_first_file_win(void **state)
{
    (void) state;
    setenv("ADUAN_T_SET", "from the environment", 1);
    unsetenv("ADUAN_T_BOTH");
    char *first = write_file("ADUAN_T_SET=from a file\nADUAN_T_BOTH=first\n");
    char *second = write_file("ADUAN_T_BOTH=second\n");
    char list[200], reason[200];
    snprintf(list, sizeof list, "%s:/nonexistent/aduan.env:%s", first, second);
    assert_int_equal(env_file_load_list(list, reason, sizeof reason), 0);
    assert_string_equal(getenv("ADUAN_T_SET"), "from the environment");
    assert_string_equal(getenv("ADUAN_T_BOTH"), "first");
    unlink(first);
    unlink(second);
    free(first);
    free(second);
}

static void test_missing_file_and_bad_line(void **state)
{
    (void) state;
    char reason[200] = "";
    assert_int_equal(env_file_load("/nonexistent/aduan.env", reason, sizeof reason), 1);
    char *path = write_file("ADUAN_T_OK=1\nexport ADUAN_T_X=2\n");
    assert_int_equal(env_file_load(path, reason, sizeof reason), -1);
    assert_non_null(strstr(reason, ":2: not a KEY=value setting"));
    char *bad_name = write_file("1ADUAN=2\n");
    assert_int_equal(env_file_load(bad_name, reason, sizeof reason), -1);
    unlink(path);
    unlink(bad_name);
    free(path);
    free(bad_name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_comments_and_quotes),
        cmocka_unit_test(test_environment_and_first_file_win),
        cmocka_unit_test(test_missing_file_and_bad_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
