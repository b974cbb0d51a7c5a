#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "staff_accounts.h"
#include "test_db.h"
#include "utf8_text.h"

static char *url;
static db_t *db;

static int setup(void **state)
{
    (void) state;
    return (db = test_db_open_migrated("staff", &url)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* The member's name is valid UTF-8 and as much of the stored name as fits. */
static void assert_whole_characters_of(const char *kept, const char *stored)
{
    size_t n = strlen(kept);
    assert_true(n > 0 && n < sizeof ((staff_member_t *) 0)->display_name);
    assert_true(utf8_text_length(kept, n) > 0);
    assert_memory_equal(kept, stored, n);
}

/* 200 characters of two bytes after one of one: the member's buffer is full in the middle of a
 * character, which a cut by bytes would split (and every encoder of the name then refuses). */
static void test_a_long_name_is_cut_at_a_character_boundary(void **state)
{
    (void) state;
    char name[1 + 199 * 2 + 1] = "a";
    for (int i = 0; i < 199; i++)
        memcpy(name + 1 + i * 2, "\xc3\xa9", 3);
    staff_account_t account = {.username = "panjang", .display_name = name, .role = "national_admin",
                               .institution = "NASIONAL", .password = "kata-sandi-panjang"};
    error_reply_t refusal;
    db_error_t error;
    assert_int_equal(staff_accounts_create(db, &account, NULL, &refusal, &error), 0);
    char token[SECRET_TOKEN_LEN + 1];
    int64_t expires_ms;
    staff_member_t who;
    assert_int_equal(staff_accounts_login(db, "panjang", "kata-sandi-panjang", 60, token, &expires_ms, &who, &error), 0);
    assert_whole_characters_of(who.display_name, name);
    assert_int_equal(staff_accounts_session(db, token, 30, &who, &error), 0);
    assert_whole_characters_of(who.display_name, name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_long_name_is_cut_at_a_character_boundary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
