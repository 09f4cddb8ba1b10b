/* The strict RFC 8259 scanner: grammar, UTF-8, members, unescaping, pointers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_json.h"

/* len 0 means strlen(in). */
static const struct {
    const char *in;
    size_t len;
    int ok;
    evk_jtype top;
} rows[] = {
    {"{}", 0, 1, EVK_JT_OBJECT},
    {" \t\r\n{ } \n", 0, 1, EVK_JT_OBJECT},
    {"[]", 0, 1, EVK_JT_ARRAY},
    {"\"s\"", 0, 1, EVK_JT_STRING},
    {"0", 0, 1, EVK_JT_NUMBER},
    {"-0.5e+10", 0, 1, EVK_JT_NUMBER},
    {"1E-3", 0, 1, EVK_JT_NUMBER},
    {"1e999", 0, 1, EVK_JT_NUMBER}, /* grammar is fine; the value is the reader's business */
    {"true", 0, 1, EVK_JT_BOOL},
    {"null", 0, 1, EVK_JT_NULL},
    {"{\"a\":[1,{\"b\":null}],\"c\":\"\\u00e9\\ud83d\\ude00\\n\"}", 0, 1, EVK_JT_OBJECT},
    {"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0, 1, EVK_JT_STRING}, /* é € 😀 */
    {"\"\\ud800\"", 0, 1, EVK_JT_STRING}, /* lone surrogate escape: grammar allows it */
    {"\"a\\u0000b\"", 0, 1, EVK_JT_STRING},
    /* not JSON (cJSON accepts the first eight) */
    {"01", 0, 0, EVK_JT_NONE},
    {"{\"a\":01}", 0, 0, EVK_JT_NONE},
    {"1.", 0, 0, EVK_JT_NONE},
    {"\"a\tb\"", 0, 0, EVK_JT_NONE},          /* raw tab */
    {"\"a\nb\"", 0, 0, EVK_JT_NONE},          /* raw newline */
    {"\xef\xbb\xbf{}", 0, 0, EVK_JT_NONE},     /* BOM */
    {"\"\xff\"", 0, 0, EVK_JT_NONE},           /* invalid UTF-8 */
    {"{} x", 0, 0, EVK_JT_NONE},               /* trailing garbage */
    {"\"\xc0\xaf\"", 0, 0, EVK_JT_NONE},       /* overlong '/' */
    {"\"\xed\xa0\x80\"", 0, 0, EVK_JT_NONE},   /* UTF-8 encoded surrogate */
    {"\"\xf4\x90\x80\x80\"", 0, 0, EVK_JT_NONE}, /* above U+10FFFF */
    {"\"\xe2\x82\"", 0, 0, EVK_JT_NONE},       /* cut-off sequence */
    {"", 0, 0, EVK_JT_NONE},
    {"   ", 0, 0, EVK_JT_NONE},
    {"{", 0, 0, EVK_JT_NONE},
    {"{\"a\"", 0, 0, EVK_JT_NONE},
    {"{\"a\":}", 0, 0, EVK_JT_NONE},
    {"{\"a\":1,}", 0, 0, EVK_JT_NONE},
    {"[1,]", 0, 0, EVK_JT_NONE},
    {"[1 2]", 0, 0, EVK_JT_NONE},
    {"{'a':1}", 0, 0, EVK_JT_NONE},
    {"{a:1}", 0, 0, EVK_JT_NONE},
    {"NaN", 0, 0, EVK_JT_NONE},
    {"-Infinity", 0, 0, EVK_JT_NONE},
    {"+1", 0, 0, EVK_JT_NONE},
    {".5", 0, 0, EVK_JT_NONE},
    {"1e", 0, 0, EVK_JT_NONE},
    {"tru", 0, 0, EVK_JT_NONE},
    {"nulll", 0, 0, EVK_JT_NONE},
    {"/* c */ {}", 0, 0, EVK_JT_NONE},
    {"{} // c", 0, 0, EVK_JT_NONE},
    {"\"\\x41\"", 0, 0, EVK_JT_NONE},
    {"\"\\u12\"", 0, 0, EVK_JT_NONE},
    {"\"abc", 0, 0, EVK_JT_NONE},
    {"{}\0", 3, 0, EVK_JT_NONE},               /* NUL after the value */
    {"\v{}", 0, 0, EVK_JT_NONE},               /* vertical tab is not whitespace */
    {"\"\\", 0, 0, EVK_JT_NONE},
    {"{\"a\" 1}", 0, 0, EVK_JT_NONE},
};

START_TEST(scan_row)
{
    evk_jscan sc;
    size_t len = rows[_i].len ? rows[_i].len : strlen(rows[_i].in);
    int rc = evk_json_scan(rows[_i].in, len, NULL, 0, &sc);
    ck_assert_msg((rc == 0) == rows[_i].ok, "row %d: want %s, got rc %d (%s)", _i,
                  rows[_i].ok ? "valid" : "invalid", rc, sc.error ? sc.error : "");
    ck_assert_msg(sc.top == rows[_i].top, "row %d: top %s", _i, evk_jtype_name(sc.top));
    if (!rows[_i].ok) ck_assert_msg(sc.error && *sc.error, "row %d: no reason", _i);
}
END_TEST

START_TEST(members_are_found_first_wins)
{
    const char *t = "{\"x\":{\"id\":\"inner\"}, \"id\" : \"a\\\"b\", \"n\":[1,2] ,\"id\":\"second\","
                    "\"\\u0074ype\":\"event\"}";
    evk_jmember w[3] = {{.key = "id", .key_len = 2}, {.key = "n", .key_len = 1},
                        {.key = "type", .key_len = 4}};
    evk_jscan sc;
    ck_assert_int_eq(evk_json_scan(t, strlen(t), w, 3, &sc), 0);
    ck_assert_int_eq(w[0].type, EVK_JT_STRING);
    ck_assert_int_eq(w[0].count, 2);
    ck_assert_uint_eq(w[0].len, 4);
    ck_assert(memcmp(t + w[0].off, "a\\\"b", 4) == 0);
    ck_assert(sc.notes & EVK_JNOTE_DUP_KEY);
    ck_assert_int_eq(w[1].type, EVK_JT_ARRAY);
    ck_assert(memcmp(t + w[1].off, "[1,2]", w[1].len) == 0 && w[1].len == 5);
    ck_assert_int_eq(w[2].type, EVK_JT_STRING); /* escaped key matched */
}
END_TEST

/* Under EVK_JSCAN_LAST_WINS the same text reports the last member. */
START_TEST(members_last_wins)
{
    const char *t = "{\"id\":\"first\", \"n\":1, \"id\" : [\"second\"] , \"\\u0069d\":\"third\"}";
    evk_jmember w[2] = {{.key = "id", .key_len = 2}, {.key = "n", .key_len = 1}};
    evk_jscan sc;
    ck_assert_int_eq(evk_json_scan_opts(t, strlen(t), w, 2, EVK_JSCAN_LAST_WINS, &sc), 0);
    ck_assert_int_eq(w[0].count, 3);
    ck_assert_int_eq(w[0].type, EVK_JT_STRING);
    ck_assert(w[0].len == 5 && memcmp(t + w[0].off, "third", 5) == 0);
    ck_assert(sc.notes & EVK_JNOTE_DUP_KEY);
    ck_assert_int_eq(w[1].type, EVK_JT_NUMBER);
    /* a pointer lookup follows the same reading at every step */
    const char *u = "{\"payload\":{\"t\":1},\"payload\":{\"t\":2,\"t\":3}}";
    evk_jmember f;
    bool no;
    ck_assert_int_eq(evk_json_lookup_opts(u, strlen(u), "/payload/t", EVK_JSCAN_LAST_WINS, &f, &no), 0);
    ck_assert(f.len == 1 && u[f.off] == '3');
    ck_assert_int_eq(evk_json_lookup(u, strlen(u), "/payload/t", &f, &no), 0);
    ck_assert(f.len == 1 && u[f.off] == '1');
}
END_TEST

/* Duplicate names at any depth, compared unescaped; arrays and values do not count. */
static const struct {
    const char *text;
    int want;
} dups[] = {
    {"{}", 0},
    {"{\"a\":1,\"b\":2}", 0},
    {"{\"a\":1,\"a\":2}", 1},
    {"{\"a\":1,\"\\u0061\":2}", 1},               /* the same name, escaped */
    {"{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}", 0}, /* same names in different objects */
    {"{\"p\":{\"x\":1,\"y\":{},\"x\":2}}", 1},      /* nested */
    {"{\"a\":\"a\",\"b\":[\"a\",\"a\"]}", 0},        /* values are not names */
    {"{\"a\\\"\":1,\"a\\\"\":2}", 1},              /* escaped quote inside the name */
    {"{\"k\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}", 0},  /* JSON inside a string is a string */
    {"[{\"a\":1,\"a\":1}]", 1},
    {"{\"a\":1,\"a\"", -1},                          /* not JSON */
};

START_TEST(duplicate_keys_anywhere)
{
    ck_assert_msg(evk_json_has_dup_key(dups[_i].text, strlen(dups[_i].text)) == dups[_i].want, "row %d: %s", _i,
                  dups[_i].text);
}
END_TEST

/* Many keys: bounded work, and beyond the bound it says it cannot tell. */
START_TEST(duplicate_keys_bounded)
{
    size_t n = EVK_JSON_DUP_KEYS_MAX + 1;
    char *t = malloc(n * 12 + 8);
    size_t o = 0;
    t[o++] = '{';
    for (size_t i = 0; i < n; i++) o += (size_t)sprintf(t + o, "%s\"%zu\":0", i ? "," : "", i);
    t[o++] = '}';
    ck_assert_int_eq(evk_json_has_dup_key(t, o), -1);
    /* one key fewer: all distinct */
    o = 0;
    t[o++] = '{';
    for (size_t i = 0; i + 1 < n; i++) o += (size_t)sprintf(t + o, "%s\"%zu\":0", i ? "," : "", i);
    t[o++] = '}';
    ck_assert_int_eq(evk_json_has_dup_key(t, o), 0);
    free(t);
}
END_TEST

START_TEST(lone_surrogate_noted)
{
    evk_jscan sc;
    ck_assert_int_eq(evk_json_scan("\"\\udc00\"", 8, NULL, 0, &sc), 0);
    ck_assert(sc.notes & EVK_JNOTE_LONE_SURROGATE);
    ck_assert_int_eq(evk_json_scan("\"\\ud83d\\ude00\"", 14, NULL, 0, &sc), 0);
    ck_assert(!(sc.notes & EVK_JNOTE_LONE_SURROGATE));
}
END_TEST

START_TEST(unescape_values)
{
    char out[32];
    size_t n;
    const char *s = "a\\u0000b\\n\\u00e9\\ud83d\\ude00\\ud800";
    ck_assert_int_eq(evk_json_unescape(s, strlen(s), out, sizeof out, &n), 0);
    ck_assert_uint_eq(n, 1 + 1 + 1 + 1 + 2 + 4 + 3);
    ck_assert(memcmp(out, "a\0b\n\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd", n) == 0);
    ck_assert_int_eq(evk_json_unescape("abcdef", 6, out, 6, &n), -1); /* no room for NUL */
    ck_assert_int_eq(evk_json_unescape("abcdef", 6, out, 7, &n), 0);
}
END_TEST

START_TEST(pointer_lookup)
{
    const char *t = "{\"payload\":{\"ack_timeout\":0.25,\"a/b\":{\"~\":1}},\"s\":\"x\"}";
    evk_jmember f;
    bool not_obj;
    ck_assert_int_eq(evk_json_lookup(t, strlen(t), "/payload/ack_timeout", &f, &not_obj), 0);
    ck_assert_int_eq(f.type, EVK_JT_NUMBER);
    ck_assert(f.len == 4 && memcmp(t + f.off, "0.25", 4) == 0);
    ck_assert_int_eq(evk_json_lookup(t, strlen(t), "/payload/a~1b/~0", &f, &not_obj), 0);
    ck_assert(f.len == 1 && t[f.off] == '1');
    ck_assert_int_eq(evk_json_lookup(t, strlen(t), "/payload/missing", &f, &not_obj), -1);
    ck_assert(!not_obj);
    ck_assert_int_eq(evk_json_lookup(t, strlen(t), "/s/x", &f, &not_obj), -1);
    ck_assert(not_obj);
}
END_TEST

static char *nested(size_t depth, size_t *len)
{
    char *s = malloc(2 * depth + 1);
    for (size_t i = 0; i < depth; i++) s[i] = '[';
    for (size_t i = 0; i < depth; i++) s[depth + i] = ']';
    *len = 2 * depth;
    return s;
}

START_TEST(utf8_texts)
{
    ck_assert(evk_utf8_valid("", 0));
    ck_assert(evk_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10));
    ck_assert(evk_utf8_valid("\xef\xbf\xbf\xf4\x8f\xbf\xbf", 7)); /* U+FFFF, U+10FFFF */
    ck_assert(evk_utf8_valid("a\0b", 3));                              /* NUL is UTF-8 */
    ck_assert(!evk_utf8_valid("\xff", 1));
    ck_assert(!evk_utf8_valid("\x80", 1));                 /* a lone continuation byte */
    ck_assert(!evk_utf8_valid("\xc0\xaf", 2));             /* overlong */
    ck_assert(!evk_utf8_valid("\xe0\x80\xaf", 3));         /* overlong */
    ck_assert(!evk_utf8_valid("\xed\xa0\x80", 3));         /* a surrogate */
    ck_assert(!evk_utf8_valid("\xf4\x90\x80\x80", 4));     /* above U+10FFFF */
    ck_assert(!evk_utf8_valid("\xc3", 1));                 /* cut short */
    ck_assert(!evk_utf8_valid("\xe2\x82", 2));             /* cut short */
    ck_assert(!evk_utf8_valid("\xe2\x82\xac\xe2", 4));     /* the last one cut short */
}
END_TEST

START_TEST(quote_and_literals)
{
    char out[16];
    ck_assert_uint_eq(evk_json_quote("id", out, sizeof out), 4);
    ck_assert_str_eq(out, "\"id\"");
    ck_assert_uint_eq(evk_json_quote("a\"\\\x01\xc3\xa9", out, sizeof out), 15);
    ck_assert_str_eq(out, "\"a\\\"\\\\\\u0001\xc3\xa9\"");
    ck_assert_uint_eq(evk_json_quote("a\"\\\x01\xc3\xa9", out, 15), 0); /* one byte short */
    ck_assert_str_eq(out, "");
    ck_assert_uint_eq(evk_json_quote("", out, 3), 2);
    ck_assert_uint_eq(evk_json_quote("", out, 2), 0);

    ck_assert(evk_json_literal_is("\"id\"", 4, "id"));
    ck_assert(evk_json_literal_is("\"\\u0069\\u0064\"", 14, "id"));
    ck_assert(evk_json_literal_is("\"a\\u0000b\"", 10, "a") == false); /* the NUL is part of it */
    ck_assert(evk_json_literal_is("\"\"", 2, ""));
    ck_assert(!evk_json_literal_is("\"id\"", 4, "ID"));
    ck_assert(!evk_json_literal_is("\"id\" ", 5, "id"));  /* not a literal alone */
    ck_assert(!evk_json_literal_is("id", 2, "id"));
    ck_assert(!evk_json_literal_is("\"i\\x\"", 5, "i\\x")); /* a bad escape */
    ck_assert(!evk_json_literal_is("\"id", 3, "id"));
}
END_TEST

START_TEST(deep_nesting_is_bounded)
{
    size_t len;
    evk_jscan sc;
    char *s = nested(10000, &len);
    ck_assert_int_eq(evk_json_scan(s, len, NULL, 0, &sc), 0);
    free(s);
    s = nested(EVK_JSON_MAX_DEPTH, &len);
    ck_assert_int_eq(evk_json_scan(s, len, NULL, 0, &sc), 0);
    free(s);
    s = nested(EVK_JSON_MAX_DEPTH + 1, &len);
    ck_assert_int_eq(evk_json_scan(s, len, NULL, 0, &sc), -1);
    ck_assert_str_eq(sc.error, "nesting deeper than the parser limit");
    free(s);
    s = nested(1000000, &len);
    ck_assert_int_eq(evk_json_scan(s, len, NULL, 0, &sc), -1);
    free(s);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, scan_row, 0, (int)EVK_COUNTOF(rows));
    tcase_add_test(tc, members_are_found_first_wins);
    tcase_add_test(tc, members_last_wins);
    tcase_add_loop_test(tc, duplicate_keys_anywhere, 0, (int)EVK_COUNTOF(dups));
    tcase_add_test(tc, duplicate_keys_bounded);
    tcase_add_test(tc, lone_surrogate_noted);
    tcase_add_test(tc, unescape_values);
    tcase_add_test(tc, pointer_lookup);
    tcase_add_test(tc, utf8_texts);
    tcase_add_test(tc, quote_and_literals);
    tcase_add_test(tc, deep_nesting_is_bounded);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(json_suite)
