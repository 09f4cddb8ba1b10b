/* Case templates become exactly the bytes the case means. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_expand.h"
#include "evk_json.h"
#include "evk_validate.h"

static evk_profile seed, strict;
static evk_expand_ctx x;

static void load(void)
{
    char err[256];
    ck_assert(evk_profile_load(&seed, "seed", err, sizeof err) == 0);
    ck_assert(evk_profile_load(&strict, "strict", err, sizeof err) == 0);
    memset(&x, 0, sizeof x);
    evk_uuid_parse("11111111-1111-4111-8111-111111111111", 36, &x.fresh);
    evk_uuid_parse("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", 36, &x.a);
    evk_uuid_parse("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb", 36, &x.b);
    evk_uuid_parse("cccccccc-cccc-4ccc-8ccc-cccccccccccc", 36, &x.hs);
    x.wall_us = 1767627242123456LL;
}

static char *expand(const evk_profile *p, evk_msg_tpl t, size_t *len)
{
    x.profile = p;
    char *out;
    size_t n;
    ck_assert_int_eq(evk_expand(&t, &x, &out, &n), 0);
    ck_assert_uint_eq(n, strlen(out));
    if (len) *len = n;
    return out;
}

static evk_message judge(const evk_profile *p, const char *text)
{
    evk_message m;
    evk_validate(p, text, strlen(text), true, &m);
    return m;
}

START_TEST(valid_messages_per_profile)
{
    char *t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT}, NULL);
    ck_assert_str_eq(t, "{\"type\":\"event\",\"id\":\"11111111-1111-4111-8111-111111111111\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}");
    free(t);
    t = expand(&strict, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .payload = "{\"emit\":2}"}, NULL);
    evk_message m = judge(&strict, t);
    ck_assert_msg(m.violation == EVK_V_NONE, "%s: %s", t, m.reason);
    ck_assert(strstr(t, "\"status\":\"ok\"") && strstr(t, "\"payload\":{\"emit\":2}"));
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .payload = "{\"emit\":2}"}, NULL);
    ck_assert_msg(strstr(t, "\"payload\":{\"emit\":2}") != NULL, "%s", t); /* seed: as an extra field */
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_ACK, .id = "hs"}, NULL);
    m = judge(&seed, t);
    ck_assert(m.kind == EVK_MSG_ACK && m.violation == EVK_V_NONE && evk_uuid_equal(&m.id, &x.hs));
    free(t);
}
END_TEST

START_TEST(drop_set_extra)
{
    char *t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .drop = "id"}, NULL);
    ck_assert_int_eq(judge(&seed, t).violation, EVK_V_MISSING_FIELD);
    ck_assert_ptr_null(strstr(t, "\"id\""));
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "id", .to = "12345"}, NULL);
    ck_assert_int_eq(judge(&seed, t).violation, EVK_V_WRONG_TYPE);
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "id", .to = "\"{${id}}\""}, NULL);
    ck_assert_msg(strstr(t, "\"id\":\"{11111111-1111-4111-8111-111111111111}\"") != NULL, "%s", t);
    free(t);
    t = expand(&strict, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "status", .to = "\"fatal\""}, NULL);
    ck_assert_int_eq(judge(&strict, t).violation, EVK_V_FATAL_STATUS);
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "reason", .to = "\"why\""}, NULL);
    ck_assert_msg(strstr(t, "\"reason\":\"why\"") != NULL, "a set on a new field adds it: %s", t);
    free(t);
    /* strict lists reason as optional: the skeleton leaves it out, so a set
     * on it must add it (it was once lost, and reason.not-string passed). */
    t = expand(&strict, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "reason", .to = "42"}, NULL);
    ck_assert_msg(strstr(t, "\"reason\":42") != NULL, "a set on an optional field adds it: %s", t);
    ck_assert_int_eq(judge(&strict, t).violation, EVK_V_WRONG_TYPE);
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .set = "payload", .to = "{\"a\":1}"}, NULL);
    ck_assert_msg(strstr(t, "\"payload\":{\"a\":1}") != NULL, "%s", t);
    ck_assert_msg(strstr(strstr(t, "\"payload\"") + 1, "\"payload\"") == NULL, "payload twice: %s", t);
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .extra = ",\"id\":\"${b}\""}, NULL);
    evk_message m = judge(&seed, t);
    ck_assert(m.notes & EVK_NOTE_DUP_KEY);
    ck_assert(evk_uuid_equal(&m.id, &x.fresh)); /* the first id counts */
    free(t);
}
END_TEST

START_TEST(ids_and_case)
{
    char *t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .id = "A"}, NULL);
    ck_assert_msg(strstr(t, "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA") != NULL, "%s", t);
    evk_message m = judge(&seed, t);
    ck_assert(m.violation == EVK_V_NONE && evk_uuid_equal(&m.id, &x.a));
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_ACK, .id = "HS"}, NULL);
    ck_assert_msg(strstr(t, "CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC") != NULL, "%s", t);
    free(t);
}
END_TEST

START_TEST(raw_placeholders)
{
    size_t n;
    char *t = expand(&seed, (evk_msg_tpl){.raw = "${id}|${a}|${A}|${b}|${hs}|${now}|${pad:3}|${deep:2}"}, &n);
    ck_assert_str_eq(t, "11111111-1111-4111-8111-111111111111|aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa|"
                        "AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA|bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb|"
                        "cccccccc-cccc-4ccc-8ccc-cccccccccccc|2026-01-05T15:34:02.123456+0000|xxx|[[]]");
    free(t);
    t = expand(&seed, (evk_msg_tpl){.raw = ""}, &n);
    ck_assert_uint_eq(n, 0); /* an empty message is a message */
    free(t);
    x.profile = &seed;
    char *out;
    evk_msg_tpl bad = {.raw = "${nope}"};
    ck_assert_int_eq(evk_expand(&bad, &x, &out, &n), EVK_EINVAL);
    evk_msg_tpl unclosed = {.raw = "${id"};
    ck_assert_int_eq(evk_expand(&unclosed, &x, &out, &n), EVK_EINVAL);
}
END_TEST

START_TEST(spaced_and_escaped_stay_valid)
{
    for (int k = 0; k < 2; k++) {
        const evk_profile *p = k ? &strict : &seed;
        char *t = expand(p, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .spaced = true}, NULL);
        ck_assert(strchr(t, '\n') && strchr(t, '\t') && strchr(t, '\r') && strchr(t, ' '));
        evk_message m = judge(p, t);
        ck_assert_msg(m.violation == EVK_V_NONE, "%s: %s", t, m.reason);
        free(t);
        t = expand(p, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .escaped = true}, NULL);
        ck_assert_msg(strstr(t, "\\u0065\\u0076\\u0065\\u006e\\u0074") != NULL, "%s", t);
        m = judge(p, t);
        ck_assert_msg(m.violation == EVK_V_NONE && evk_uuid_equal(&m.id, &x.fresh), "%s: %s", t, m.reason);
        free(t);
    }
}
END_TEST

START_TEST(large_padding)
{
    size_t n;
    char *t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .extra = ",\"x\":\"${pad:524288}\""}, &n);
    ck_assert_uint_gt(n, 524288);
    ck_assert_int_eq(judge(&seed, t).violation, EVK_V_NONE);
    free(t);
    t = expand(&seed, (evk_msg_tpl){.kind = EVK_MSG_EVENT, .extra = ",\"x\":${deep:10000}"}, &n);
    ck_assert_int_eq(judge(&seed, t).violation, EVK_V_NONE);
    free(t);
}
END_TEST

/* The trigger Event carries K at the profile's pointer, however deep, and
 * stays a valid Event (issue: a deeper or top-level pointer used to lose
 * all but its last step). */
START_TEST(trigger_at_the_full_pointer)
{
    static const char *const pointers[] = {"/payload/emit", "/payload/control/emit", "/emit", "/x/y/z",
                                           "/payload/a~1b/c~0d", "/payload"};
    for (int which = 0; which < 2; which++) {
        for (size_t i = 0; i < EVK_COUNTOF(pointers); i++) {
            evk_profile p = which ? strict : seed;
            snprintf(p.trigger_pointer, sizeof p.trigger_pointer, "%s", pointers[i]);
            char buf[512];
            evk_msg_tpl t;
            if (which && strcmp(pointers[i], "/payload") == 0) continue; /* strict's payload is an object */
            ck_assert_int_eq(evk_trigger_tpl(&p, 7, buf, sizeof buf, &t), 0);
            char *msg = expand(&p, t, NULL);
            evk_message m = judge(&p, msg);
            ck_assert_msg(m.violation == EVK_V_NONE && m.kind == EVK_MSG_EVENT, "%s: %s (%s)", pointers[i], msg, m.reason);
            ck_assert_msg(evk_json_has_dup_key(msg, strlen(msg)) == 0, "%s: %s", pointers[i], msg);
            uint64_t k = 0;
            ck_assert_msg(evk_json_uint_at(msg, strlen(msg), pointers[i], &k) == 0 && k == 7, "%s: %s", pointers[i], msg);
            free(msg);
        }
    }
    evk_profile none = seed;
    none.has_trigger = false;
    char buf[64];
    evk_msg_tpl t;
    ck_assert_int_eq(evk_trigger_tpl(&none, 1, buf, sizeof buf, &t), EVK_EINVAL);
    snprintf(none.trigger_pointer, sizeof none.trigger_pointer, "/payload/emit");
    none.has_trigger = true;
    ck_assert_int_eq(evk_trigger_tpl(&none, 1, buf, 4, &t), EVK_EINVAL); /* no room */
}
END_TEST

static Suite *expand_suite(void)
{
    Suite *s = suite_create("expand");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, load, NULL);
    tcase_add_test(tc, valid_messages_per_profile);
    tcase_add_test(tc, drop_set_extra);
    tcase_add_test(tc, ids_and_case);
    tcase_add_test(tc, raw_placeholders);
    tcase_add_test(tc, spaced_and_escaped_stay_valid);
    tcase_add_test(tc, large_padding);
    tcase_add_test(tc, trigger_at_the_full_pointer);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(expand_suite)
