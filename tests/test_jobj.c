/* Member surgery on JSON object texts (evk_jobj.h) and the scanner's member
 * spans it stands on (evk_json_members). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_jobj.h"
#include "evk_json.h"

/* Spans that survive strings with brackets, quotes and escapes inside,
 * nested values and whitespace; every cut leaves valid JSON with one member
 * less and the rest byte for byte. */
static const struct {
    const char *text;
    int object;
    size_t members;
    const char *without[4]; /* the text without member 0, 1, 2, 3 */
} rows[] = {
    {"{\"a\":1}", 1, 1, {"{}"}},
    {" { \"a\" : \"}\" , \"b\":[1,{\"c\":\"]\\\"\"}] ,\"d\":null } ", 1, 3,
     {" { \"b\":[1,{\"c\":\"]\\\"\"}] ,\"d\":null } ", " { \"a\" : \"}\" ,\"d\":null } ",
      " { \"a\" : \"}\" , \"b\":[1,{\"c\":\"]\\\"\"}] } "}},
    {"{\"type\":\"event\",\"id\":\"x\",\"x\":-1.5e3,\"t\":true}", 1, 4,
     {"{\"id\":\"x\",\"x\":-1.5e3,\"t\":true}", "{\"type\":\"event\",\"x\":-1.5e3,\"t\":true}",
      "{\"type\":\"event\",\"id\":\"x\",\"t\":true}", "{\"type\":\"event\",\"id\":\"x\",\"x\":-1.5e3}"}},
    {"{\"a\":{},\"b\":[],\"a\":\"\"}", 1, 3, {"{\"b\":[],\"a\":\"\"}", "{\"a\":{},\"a\":\"\"}", "{\"a\":{},\"b\":[]}"}},
    {"{}", 1, 0, {NULL}},
    {" {\n} ", 1, 0, {NULL}},
    {"[1,2]", 0, 0, {NULL}},
    {"\"{}\"", 0, 0, {NULL}},
    {"{\"a\":1,}", 0, 0, {NULL}}, /* not JSON: left alone */
    {"{\"a\":1", 0, 0, {NULL}},
    {"{'a':1}", 0, 0, {NULL}},
    {"", 0, 0, {NULL}},
};

START_TEST(members_and_cuts)
{
    const char *t = rows[_i].text;
    size_t n = strlen(t), count = 99;
    evk_jspan sp[8];
    ck_assert_int_eq(evk_json_members(t, n, sp, 8, &count, NULL), rows[_i].object ? 0 : -1);
    ck_assert_uint_eq(count, rows[_i].members);
    for (size_t m = 0; m < count; m++) {
        ck_assert_int_eq(t[sp[m].key_off], '"');
        ck_assert_int_eq(t[sp[m].key_end - 1], '"');
        ck_assert_uint_lt(sp[m].key_end, sp[m].value_off);
        /* The value span is one JSON value by itself. */
        evk_jscan sc;
        ck_assert_int_eq(evk_json_scan(t + sp[m].value_off, sp[m].value_end - sp[m].value_off, NULL, 0, &sc), 0);
    }
    for (size_t m = 0; m < rows[_i].members; m++) {
        size_t len = 0;
        char *out = evk_jobj_drop_at(t, n, m, &len);
        ck_assert_ptr_nonnull(out);
        ck_assert_uint_eq(len, strlen(out));
        const char *want = rows[_i].without[m];
        ck_assert_msg(strcmp(out, want) == 0, "row %d without %zu: %s", _i, m, out);
        size_t left;
        ck_assert_int_eq(evk_json_members(out, len, NULL, 0, &left, NULL), 0);
        ck_assert_uint_eq(left, rows[_i].members - 1);
        free(out);
    }
    ck_assert_ptr_null(evk_jobj_drop_at(t, n, rows[_i].members, NULL));
}
END_TEST

START_TEST(spans_beyond_max_are_counted)
{
    const char *t = "{\"a\":1,\"b\":2,\"c\":3}";
    evk_jspan sp[2];
    size_t count;
    ck_assert_int_eq(evk_json_members(t, strlen(t), sp, 2, &count, NULL), 0);
    ck_assert_uint_eq(count, 3);
    ck_assert_uint_eq(sp[1].value_off, 11);
    ck_assert_uint_eq(sp[1].value_end, 12);
    evk_jscan sc;
    ck_assert_int_eq(evk_json_members("{\"a\":01}", 8, NULL, 0, &count, &sc), -1);
    ck_assert_str_eq(sc.error, "leading zero in a number");
}
END_TEST

START_TEST(find_by_value_first_wins)
{
    const char *t = "{ \"x\":{\"id\":\"inner\"}, \"\\u0069d\" : \"a\\\"b\", \"id\":\"second\", \"n\":null }";
    size_t n = strlen(t);
    evk_jspan s;
    ck_assert_int_eq(evk_jobj_find(t, n, "id", &s), 1); /* the escaped key, the first one */
    ck_assert(memcmp(t + s.value_off, "\"a\\\"b\"", s.value_end - s.value_off) == 0);
    ck_assert_int_eq(evk_jobj_find(t, n, "n", NULL), 3);
    ck_assert_int_eq(evk_jobj_find(t, n, "inner", NULL), -1); /* not a top-level key */
    ck_assert_int_eq(evk_jobj_find(t, n, "ID", NULL), -1);
    ck_assert_int_eq(evk_jobj_find("[{\"id\":1}]", 10, "id", NULL), -1);

    char v[16];
    size_t vl;
    ck_assert(evk_jobj_get_string(t, n, "id", v, sizeof v, &vl));
    ck_assert_str_eq(v, "a\"b");
    ck_assert_uint_eq(vl, 3);
    ck_assert(!evk_jobj_get_string(t, n, "x", v, sizeof v, NULL)); /* not a string */
    ck_assert(!evk_jobj_get_string(t, n, "nope", v, sizeof v, NULL));
    ck_assert(!evk_jobj_get_string(t, n, "id", v, 3, NULL)); /* no room */
    const char *nul = "{\"id\":\"ab\\u0000cd\"}";
    ck_assert(evk_jobj_get_string(nul, strlen(nul), "id", v, sizeof v, &vl));
    ck_assert_uint_eq(vl, 5);
    ck_assert_str_eq(v, "ab");

    static const char *const known[] = {"x", "id", "n", NULL}, *const fewer[] = {"x", "id", NULL};
    ck_assert(!evk_jobj_has_other_keys(t, n, known));
    ck_assert(evk_jobj_has_other_keys(t, n, fewer));
    ck_assert(!evk_jobj_has_other_keys("{}", 2, fewer));
    ck_assert(!evk_jobj_has_other_keys("{\"a\":1,}", 8, fewer)); /* not JSON */
}
END_TEST

static void set_is(const char *in, const char *key, const char *value, const char *want)
{
    size_t len = 0;
    char *out = evk_jobj_set(in, strlen(in), key, value, &len);
    if (!want) {
        ck_assert_msg(out == NULL, "%s: set %s to %s gave %s", in, key, value, out);
        return;
    }
    ck_assert_msg(out && strcmp(out, want) == 0, "%s: set %s to %s gave %s", in, key, value, out);
    ck_assert_uint_eq(len, strlen(want));
    free(out);
}

START_TEST(set_replaces_in_place_or_adds)
{
    /* Replaced where it stands, the rest as it was (spaces, escapes, numbers). */
    set_is("{ \"id\" : \"x\" , \"n\":1.50 }", "id", "\"y\"", "{ \"id\" : \"y\" , \"n\":1.50 }");
    set_is("{\"\\u0069d\":[1],\"id\":2}", "id", "{\"a\":[]}", "{\"\\u0069d\":{\"a\":[]},\"id\":2}");
    set_is("{\"payload\":{\"ack_timeout\":1}}", "payload", "{}", "{\"payload\":{}}");
    /* Added after the last member, or inside an empty object. */
    set_is("{\"a\":1 }", "b", "true", "{\"a\":1,\"b\":true }");
    set_is(" { } ", "b", "null", " {\"b\":null } ");
    set_is("{}", "q\"\n", "0", "{\"q\\\"\\u000a\":0}");
    /* Refused: not an object, not JSON, a value that is not one JSON value. */
    set_is("[]", "a", "1", NULL);
    set_is("{\"a\":1,}", "a", "1", NULL);
    set_is("{\"a\":1}", "a", "01", NULL);
    set_is("{\"a\":1}", "a", "1 2", NULL);
    set_is("{\"a\":1}", "a", "", NULL);
}
END_TEST

START_TEST(drop_by_key)
{
    const char *t = "{\"a\":1, \"b\":{\"a\":2}, \"a\":3}";
    size_t len;
    char *o = evk_jobj_drop(t, strlen(t), "a", &len);
    ck_assert_str_eq(o, "{\"b\":{\"a\":2}, \"a\":3}");
    char *o2 = evk_jobj_drop(o, len, "a", NULL);
    ck_assert_str_eq(o2, "{\"b\":{\"a\":2}}");
    ck_assert_ptr_null(evk_jobj_drop(o2, strlen(o2), "a", NULL));
    free(o);
    free(o2);
}
END_TEST

/* More members than fit on the stack. */
START_TEST(many_members)
{
    enum { N = 300 };
    char *t = malloc(N * 16 + 8);
    size_t o = 0;
    t[o++] = '{';
    for (int i = 0; i < N; i++) o += (size_t)sprintf(t + o, "%s\"k%d\":%d", i ? "," : "", i, i);
    t[o++] = '}';
    t[o] = '\0';
    size_t count;
    ck_assert_int_eq(evk_json_members(t, o, NULL, 0, &count, NULL), 0);
    ck_assert_uint_eq(count, N);
    ck_assert_int_eq(evk_jobj_find(t, o, "k299", NULL), 299);
    char *d = evk_jobj_drop(t, o, "k150", NULL);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_null(strstr(d, "\"k150\""));
    ck_assert_int_eq(evk_jobj_find(d, strlen(d), "k151", NULL), 150);
    free(d);
    free(t);
}
END_TEST

static Suite *jobj_suite(void)
{
    Suite *s = suite_create("jobj");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, members_and_cuts, 0, (int)EVK_COUNTOF(rows));
    tcase_add_test(tc, spans_beyond_max_are_counted);
    tcase_add_test(tc, find_by_value_first_wins);
    tcase_add_test(tc, set_replaces_in_place_or_adds);
    tcase_add_test(tc, drop_by_key);
    tcase_add_test(tc, many_members);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(jobj_suite)
