/* Composed Events and Acks are valid under their profile, whatever the
 * profile's schema asks for, and the composer fails cleanly. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "evk_compose.h"
#include "evk_err.h"
#include "evk_json.h"
#include "evk_validate.h"

/* A variant: a required field of every JSON type in Events, and an Ack with
 * a field of its own (so the Ack is not the shipped shape). */
static const char variant_text[] =
    "{\"name\":\"variant\",\"discriminator\":\"kind\","
    "\"messages\":{"
    " \"event\":{\"type_value\":\"ev\",\"fields\":{"
    "  \"id\":{\"type\":\"string\",\"format\":\"uuid\",\"required\":true},"
    "  \"sent_at\":{\"type\":\"string\",\"format\":\"iso8601\",\"required\":true},"
    "  \"s\":{\"type\":\"string\",\"required\":true},"
    "  \"n\":{\"type\":\"number\",\"required\":true},"
    "  \"b\":{\"type\":\"boolean\",\"required\":true},"
    "  \"z\":{\"type\":\"null\",\"required\":true},"
    "  \"a\":{\"type\":\"array\",\"required\":true},"
    "  \"o\":{\"type\":\"object\",\"required\":true},"
    "  \"opt\":{\"type\":\"number\",\"required\":false}}},"
    " \"ack\":{\"type_value\":\"ok\",\"fields\":{"
    "  \"id\":{\"type\":\"string\",\"format\":\"uuid\",\"required\":true},"
    "  \"sent_at\":{\"type\":\"string\",\"format\":\"iso8601\",\"required\":true},"
    "  \"seq\":{\"type\":\"number\",\"required\":true}}}},"
    "\"close_codes\":{\"not_text\":4001,\"not_json\":4002,\"missing_field\":4003,\"wrong_type\":4004,"
    " \"invalid_value\":4005,\"duplicate_id\":4006,\"ack_timeout\":4007,\"unknown_ack\":4008,"
    " \"early_message\":4005},"
    "\"ack_timeout_policy\":{\"pointer\":\"/cfg/limit~1ms\",\"unit\":\"ms\"},"
    "\"early_message\":\"violation\",\"silence_after_violation\":\"required\","
    "\"fatal_status\":null,\"trigger\":null}";

static evk_profile variant, seed, strict;
static evk_uuid id;

static void load(void)
{
    char err[256];
    ck_assert_msg(evk_profile_load_json(&variant, variant_text, strlen(variant_text), "variant.json", err,
                                        sizeof err) == 0,
                  "%s", err);
    ck_assert_msg(evk_profile_load(&seed, "seed", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(evk_profile_load(&strict, "strict", err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(evk_uuid_parse("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", 36, &id), 0);
}

static void assert_valid(const evk_profile *p, const char *text, evk_msg_kind kind)
{
    evk_message m;
    ck_assert_int_eq(evk_validate(p, text, strlen(text), true, &m), 0);
    ck_assert_msg(m.violation == EVK_V_NONE, "%s: %s", text, m.reason);
    ck_assert_int_eq(m.kind, kind);
    ck_assert(evk_uuid_equal(&m.id, &id));
}

START_TEST(neutral_values_of_every_type)
{
    char out[1024];
    size_t len = 0;
    ck_assert_int_eq(evk_compose_event(&variant, &id, 0, NULL, out, sizeof out, &len), 0);
    ck_assert_uint_eq(len, strlen(out));
    assert_valid(&variant, out, EVK_MSG_EVENT);
    static const char *const want[] = {"\"kind\":\"ev\"", "\"s\":\"\"", "\"n\":0", "\"b\":false",
                                       "\"z\":null",     "\"a\":[]",  "\"o\":{}"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(out, want[i]) != NULL, "no %s in %s", want[i], out);
    ck_assert_msg(strstr(out, "\"opt\"") == NULL, "an optional field was written: %s", out);
}
END_TEST

static const char *neutral(const evk_profile *p, const evk_field *f)
{
    static char out[EVK_NEUTRAL_MAX];
    int n = evk_neutral_value(p, f, out, sizeof out);
    ck_assert_int_ge(n, 0);
    ck_assert_uint_eq((size_t)n, strlen(out));
    return out;
}

/* The one neutral value both the composer and the case templates use. */
START_TEST(the_neutral_value_of_a_field)
{
    /* strict: the first status that is not the fatal one, an empty payload. */
    const evk_field *status = NULL, *payload = NULL;
    for (size_t i = 0; i < strict.event.n_fields; i++) {
        if (strcmp(strict.event.fields[i].name, "status") == 0) status = &strict.event.fields[i];
        if (strcmp(strict.event.fields[i].name, "payload") == 0) payload = &strict.event.fields[i];
    }
    ck_assert(status && payload);
    ck_assert_str_eq(neutral(&strict, status), "\"ok\"");
    ck_assert_str_eq(neutral(&strict, payload), "{}");

    /* The fatal value is skipped in the fatal field only, wherever it stands. */
    evk_field f = {.name = "status", .types = EVK_JT_STRING, .n_enum = 3, .enums = {"fatal", "error", "ok"}};
    ck_assert_str_eq(neutral(&strict, &f), "\"error\"");
    ck_assert_str_eq(neutral(&seed, &f), "\"fatal\""); /* seed has no fatal status */
    snprintf(f.name, sizeof f.name, "level");
    ck_assert_str_eq(neutral(&strict, &f), "\"fatal\"");
    /* Only the fatal value: nothing valid is left, the empty string stands in. */
    evk_field only = {.name = "status", .types = EVK_JT_STRING, .n_enum = 1, .enums = {"fatal"}};
    ck_assert_str_eq(neutral(&strict, &only), "\"\"");
    /* An enumerated value is written as a JSON string. */
    evk_field q = {.name = "q", .types = EVK_JT_STRING, .n_enum = 1, .enums = {"say \"hi\"\\\n"}};
    ck_assert_str_eq(neutral(&strict, &q), "\"say \\\"hi\\\"\\\\\\u000a\"");

    /* Several types: the first of string, object, number, boolean, null, array. */
    static const struct { unsigned types; const char *want; } rows[] = {
        {EVK_JT_STRING | EVK_JT_NULL, "\"\""},  {EVK_JT_OBJECT | EVK_JT_ARRAY | EVK_JT_NUMBER, "{}"},
        {EVK_JT_NUMBER | EVK_JT_BOOL, "0"},    {EVK_JT_BOOL | EVK_JT_NULL, "false"},
        {EVK_JT_NULL | EVK_JT_ARRAY, "null"},  {EVK_JT_ARRAY, "[]"},
        {0, "null"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        evk_field t = {.name = "t", .types = rows[i].types};
        ck_assert_str_eq(neutral(&strict, &t), rows[i].want);
    }

    /* Too small: EVK_ETOOBIG and an empty string. */
    char small[5];
    ck_assert_int_eq(evk_neutral_value(&strict, status, small, 5), 4); /* "ok" and the NUL */
    ck_assert_int_eq(evk_neutral_value(&strict, status, small, 4), EVK_ETOOBIG);
    ck_assert_str_eq(small, "");
    ck_assert_int_eq(evk_neutral_value(&strict, payload, small, 2), EVK_ETOOBIG);
    ck_assert_int_eq(evk_neutral_value(&strict, payload, small, 0), EVK_ETOOBIG);
}
END_TEST

START_TEST(an_ack_of_another_shape)
{
    char out[1024];
    size_t len = 0;
    ck_assert_int_eq(evk_compose_ack(&variant, &id, 1767627242123456LL, out, sizeof out, &len), 0);
    assert_valid(&variant, out, EVK_MSG_ACK);
    ck_assert_msg(strstr(out, "\"kind\":\"ok\"") && strstr(out, "\"seq\":0") &&
                      strstr(out, "\"2026-01-05T15:34:02.123456+0000\""),
                  "%s", out);
}
END_TEST

START_TEST(the_policy_at_an_escaped_pointer)
{
    char out[1024];
    ck_assert_int_eq(evk_compose_handshake(&variant, &id, 0, 250, out, sizeof out, NULL), 0);
    ck_assert_msg(strstr(out, "\"cfg\":{\"limit/ms\":250}") != NULL, "%s", out);
    evk_message m;
    uint64_t ms = 0;
    ck_assert_int_eq(evk_validate_policy(&variant, out, strlen(out), &ms, &m), 0);
    ck_assert_msg(m.violation == EVK_V_NONE && ms == 250, "%s: %s", out, m.reason);
}
END_TEST

START_TEST(too_small_and_bad_payloads)
{
    char out[1024];
    for (size_t cap = 0; cap < 40; cap += 7) {
        ck_assert_int_eq(evk_compose_ack(&seed, &id, 0, out, cap, NULL), EVK_ETOOBIG);   /* fast path */
        ck_assert_int_eq(evk_compose_ack(&variant, &id, 0, out, cap, NULL), EVK_ETOOBIG); /* cJSON path */
        ck_assert_int_eq(evk_compose_event(&variant, &id, 0, NULL, out, cap, NULL), EVK_ETOOBIG);
    }
    static const char *const bad[] = {"[1]", "{", "\"x\"", "{\"a\":01}", "{} {}", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(evk_compose_event(&seed, &id, 0, bad[i], out, sizeof out, NULL) == EVK_EINVAL,
                      "payload %s accepted", bad[i]);
    ck_assert_int_eq(evk_compose_event(&seed, &id, 0, "{\"emit\":3}", out, sizeof out, NULL), 0);
    ck_assert_msg(strstr(out, "\"payload\":{\"emit\":3}") != NULL, "%s", out);
}
END_TEST

static Suite *compose_suite(void)
{
    Suite *s = suite_create("compose");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, load, NULL);
    tcase_add_test(tc, neutral_values_of_every_type);
    tcase_add_test(tc, the_neutral_value_of_a_field);
    tcase_add_test(tc, an_ack_of_another_shape);
    tcase_add_test(tc, the_policy_at_an_escaped_pointer);
    tcase_add_test(tc, too_small_and_bad_payloads);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(compose_suite)
