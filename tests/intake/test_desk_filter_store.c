/* The saved desk filters as intake keeps them: each member's own, names unique per member, at most
 * DESK_FILTER_SAVED_MAX, and the documents the gateway passes on unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_filter_store.h"
#include "test_db.h"

static db_t *db;
static char *url;
static int64_t ana, budi;

static int64_t add_member(const char *username)
{
    const char *params[] = {username};
    db_error_t error = {"", ""};
    PGresult *r = db_exec(db, "INSERT INTO staff (username, display_name, role, institution_code, password_hash) "
                              "VALUES ($1, $1, 'analyst', 'NASIONAL', '$argon2id$x') RETURNING id",
                          1, params, &error);
    if (!r)
        return -1;
    int64_t id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return id;
}

static int setup(void **state)
{
    (void) state;
    db = test_db_open_migrated("desk_filters", &url);
    if (!db)
        return -1;
    ana = add_member("ana");
    budi = add_member("budi");
    return ana > 0 && budi > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void) state;
    test_db_close(&db, &url);
    return 0;
}

/* 0 with the saved filter's document in *json, or the store's answer. */
static int save(int64_t member, const char *name, const char *filters, char **json, error_reply_t *refusal)
{
    db_error_t error = {"", ""};
    *json = NULL;
    return desk_filter_store_save(db, member, name, filters, json, refusal, &error);
}

/* The member's saved filters, as the store lists them, in *json (the caller frees). An out
 * parameter rather than a returned local: GCC's -Wdangling-pointer at -O3 took a pointer into the
 * returned text for one to the local that held it. */
static void list(int64_t member, char **json)
{
    db_error_t error = {"", ""};
    *json = NULL;
    assert_int_equal(desk_filter_store_list(db, member, json, &error), 0);
}

static void assert_field_error(const error_reply_t *refusal, const char *code)
{
    assert_string_equal(refusal->code, ERROR_INVALID);
    assert_int_equal(refusal->fields.count, 1);
    assert_string_equal(refusal->fields.items[0].field, "name");
    assert_string_equal(refusal->fields.items[0].code, code);
}

static void test_filters_are_each_members_own_and_names_unique(void **state)
{
    (void) state;
    char *json, *listed;
    error_reply_t refusal;
    assert_int_equal(save(ana, "Terlambat", "{\"overdue\": \"true\"}", &json, &refusal), 0);
    assert_non_null(strstr(json, "\"name\" : \"Terlambat\""));
    free(json);
    assert_int_equal(save(ana, "Baru", "{\"sort\": \"newest\"}", &json, &refusal), 0);
    free(json);
    assert_int_equal(save(ana, "Terlambat", "{}", &json, &refusal), 1);
    assert_field_error(&refusal, "taken");
    assert_int_equal(save(budi, "Terlambat", "{}", &json, &refusal), 0);   /* another member's name space */
    free(json);
    list(ana, &listed);
    char *baru = strstr(listed, "Baru"), *late = strstr(listed, "Terlambat");
    assert_true(baru && late && baru < late);   /* ordered by name */
    assert_non_null(strstr(listed, "\"overdue\": \"true\""));
    free(listed);
    list(budi, &listed);
    assert_null(strstr(listed, "Baru"));
    free(listed);
}

static void test_a_member_may_delete_only_their_own(void **state)
{
    (void) state;
    char *json;
    error_reply_t refusal;
    db_error_t error = {"", ""};
    assert_int_equal(save(ana, "Hapus saya", "{}", &json, &refusal), 0);
    const char *id_at = strstr(json, "\"id\" : ");
    assert_non_null(id_at);
    int64_t id = strtoll(id_at + strlen("\"id\" : "), NULL, 10);
    free(json);
    assert_int_equal(desk_filter_store_delete(db, budi, id, &refusal, &error), 1);
    assert_string_equal(refusal.code, ERROR_NOT_FOUND);
    assert_int_equal(desk_filter_store_delete(db, ana, id, &refusal, &error), 0);
    assert_int_equal(desk_filter_store_delete(db, ana, id, &refusal, &error), 1);
}

static void test_a_member_keeps_at_most_the_bound(void **state)
{
    (void) state;
    int64_t cici = add_member("cici");
    assert_true(cici > 0);
    char name[16], *json;
    error_reply_t refusal;
    for (int i = 0; i < DESK_FILTER_SAVED_MAX; i++) {
        snprintf(name, sizeof name, "f%02d", i);
        assert_int_equal(save(cici, name, "{}", &json, &refusal), 0);
        free(json);
    }
    assert_int_equal(save(cici, "satu lagi", "{}", &json, &refusal), 1);
    assert_field_error(&refusal, "too_many");
    assert_int_equal(save(ana, "satu lagi", "{}", &json, &refusal), 0);   /* the bound is per member */
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filters_are_each_members_own_and_names_unique),
        cmocka_unit_test(test_a_member_may_delete_only_their_own),
        cmocka_unit_test(test_a_member_keeps_at_most_the_bound),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
