/* The validator torture table: every violation class of both profiles, every
 * must-accept form, every cJSON leniency we know of (docs/json-leniency.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_validate.h"

#define U "0b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20"
#define TS "2026-01-05T15:34:02.123456+0000"
/* A seed-shaped Event, a strict-shaped Event (valid under both), an Ack; x adds members. */
#define EVB(x) "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"" x "}"
#define EVS(x) "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\",\"status\":\"ok\",\"payload\":{}" x "}"
#define ACK(x) "{\"type\":\"ack\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"" x "}"
#define WITH_TS(t) "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" t "\"}"
#define WITH_ID(i) "{\"type\":\"event\",\"id\":" i ",\"sent_at\":\"" TS "\"}"

enum { SEED = 1, STRICT = 2, BOTH = 3 };
#define EV EVK_MSG_EVENT
#define AK EVK_MSG_ACK
#define NO EVK_MSG_NONE
#define V(x) EVK_V_##x

static const struct {
    int profiles;
    const char *in;
    size_t len; /* 0: strlen */
    bool text;
    evk_msg_kind kind;
    evk_violation v;
    const char *field; /* NULL: not checked */
    unsigned notes;
} rows[] = {
    /* frames */
    {BOTH, EVS(""), 0, false, NO, V(NOT_TEXT), NULL, 0},
    {BOTH, "", 0, false, NO, V(NOT_TEXT), NULL, 0},
    /* not JSON */
    {BOTH, "", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "{\"type\":\"event\",\"id\":\"", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "hello", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS("") "x", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS("") "{}", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS(",\"x\":NaN"), 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS(",\"x\":-Infinity"), 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "/* hi */" EVS(""), 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "{'type':'event'}", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS(",}"), 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "{\"type\":\"event\" \"id\":\"" U "\"}", 0, true, NO, V(NOT_JSON), NULL, 0},
    /* valid JSON, not an object */
    {BOTH, "[" EVS("") "]", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "\"event\"", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "42", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "null", 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, "true", 0, true, NO, V(NOT_JSON), NULL, 0},
    /* cJSON leniencies: each must be "not JSON" here */
    {BOTH, EVS(",\"x\":01"), 0, true, NO, V(NOT_JSON), NULL, 0},          /* leading zero */
    {BOTH, EVS(",\"x\":-01.5"), 0, true, NO, V(NOT_JSON), NULL, 0},
    {BOTH, EVS(",\"x\":1."), 0, true, NO, V(NOT_JSON), NULL, 0},          /* "1." */
    {BOTH, EVS(",\"x\":\"a\tb\""), 0, true, NO, V(NOT_JSON), NULL, 0},    /* raw tab */
    {BOTH, EVS(",\"x\":\"a\nb\""), 0, true, NO, V(NOT_JSON), NULL, 0},    /* raw newline */
    {BOTH, EVS(",\"x\":\"\x01\""), 0, true, NO, V(NOT_JSON), NULL, 0},    /* raw U+0001 */
    {BOTH, "\xef\xbb\xbf" EVS(""), 0, true, NO, V(NOT_JSON), NULL, 0},    /* BOM */
    {BOTH, EVS(",\"x\":\"\xff\xfe\""), 0, true, NO, V(NOT_JSON), NULL, 0}, /* invalid UTF-8 */
    {BOTH, EVS(",\"x\":\"\xc0\x80\""), 0, true, NO, V(NOT_JSON), NULL, 0}, /* overlong NUL */
    {BOTH, EVS(",\"x\":\"\xed\xb2\x80\""), 0, true, NO, V(NOT_JSON), NULL, 0}, /* encoded surrogate */
    {BOTH, EVS(",\"\xf5\x80\x80\x80\":1"), 0, true, NO, V(NOT_JSON), NULL, 0}, /* bad UTF-8 in a key */
    {BOTH, EVS("") "\0", sizeof(EVS("")), true, NO, V(NOT_JSON), NULL, 0}, /* NUL inside len */
    {BOTH, EVS("") " garbage", 0, true, NO, V(NOT_JSON), NULL, 0},         /* trailing garbage */
    {BOTH, EVS(",\"x\":\"\\x41\""), 0, true, NO, V(NOT_JSON), NULL, 0},    /* bad escape */
    {BOTH, EVS(",\"x\":1.e5"), 0, true, NO, V(NOT_JSON), NULL, 0},        /* "1.e5" */
    {BOTH, "\v" EVS(""), 0, true, NO, V(NOT_JSON), NULL, 0},               /* \v as whitespace */
    {BOTH, EVS("") "\f", 0, true, NO, V(NOT_JSON), NULL, 0},               /* \f as whitespace */
    {BOTH, "\0" EVS(""), sizeof(EVS("")), true, NO, V(NOT_JSON), NULL, 0}, /* NUL as whitespace */
    {BOTH, "{\"type\"\x1f:\"event\"}", 0, true, NO, V(NOT_JSON), NULL, 0},  /* U+001F between tokens */
    {BOTH, EVS(",\"x\":0x10"), 0, true, NO, V(NOT_JSON), NULL, 0},        /* hex */
    /* "\u0000" is valid JSON and part of the value: cJSON would cut the id */
    {SEED, WITH_ID("\"" U "\\u0000junk\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    /* valid Events and Acks */
    {SEED, EVB(""), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, EVS(""), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, ACK(""), 0, true, AK, V(NONE), NULL, 0},
    {BOTH, " \r\n\t" EVS("") " \n", 0, true, EV, V(NONE), NULL, 0},
    {BOTH, "{ \"type\" : \"event\" , \"id\" :\"" U "\",\n\"sent_at\"\t:\"" TS "\", \"status\":\"ok\", \"payload\" : { } }", 0, true, EV, V(NONE), NULL, 0},
    {BOTH, "{\"\\u0074ype\":\"\\u0065vent\",\"id\":\"\\u0030b8f3e52-6a1d-4c7e-9f2a-3d5e7c9b1a20\",\"sent_at\":\"" TS "\",\"status\":\"\\u006fk\",\"payload\":{}}", 0, true, EV, V(NONE), NULL, 0},
    {BOTH, EVS(",\"extra\":[1,{\"deep\":null}],\"payload2\":\"\\u00e9\\ud83d\\ude00\""), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, EVS(",\"x\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\""), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, EVS(",\"x\":1e999,\"y\":123456789012345678901234567890"), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, EVS(",\"x\":\"\\u0001\\/\\b\\f\\n\\r\\t\""), 0, true, EV, V(NONE), NULL, 0},
    {BOTH, ACK(",\"status\":\"whatever\",\"payload\":7"), 0, true, AK, V(NONE), NULL, 0},
    {SEED, WITH_ID("\"0B8F3E52-6A1D-4C7E-9F2A-3D5E7C9B1A20\""), 0, true, EV, V(NONE), NULL, 0},
    {SEED, WITH_ID("\"0b8f3E52-6a1D-4c7e-9F2a-3d5e7c9b1a20\""), 0, true, EV, V(NONE), NULL, 0},
    {SEED, WITH_TS("2026-01-05T15:34:02.123456+00:00"), 0, true, EV, V(NONE), NULL, 0},
    {SEED, WITH_TS("2026-01-05T15:34:02.1Z"), 0, true, EV, V(NONE), NULL, 0},
    {SEED, WITH_TS("2026-01-05T15:34:02.123456789-1130"), 0, true, EV, V(NONE), NULL, 0},
    /* lenient timestamps: accepted, noted */
    {SEED, WITH_TS("2026-01-05T15:34:02+00:00"), 0, true, EV, V(NONE), NULL, EVK_NOTE_LENIENT_TS},
    {SEED, WITH_TS("2026-01-05T15:34:02.123456"), 0, true, EV, V(NONE), NULL, EVK_NOTE_LENIENT_TS},
    {SEED, WITH_TS("2026-01-05T15:34:02,5Z"), 0, true, EV, V(NONE), NULL, EVK_NOTE_LENIENT_TS},
    {SEED, WITH_TS("20260105T153402Z"), 0, true, EV, V(NONE), NULL, EVK_NOTE_LENIENT_TS},
    /* informational notes */
    {BOTH, "{\"type\":\"event\",\"id\":\"" U "\",\"id\":\"nope\",\"sent_at\":\"" TS "\",\"status\":\"ok\",\"payload\":{}}", 0, true, EV, V(NONE), NULL, EVK_NOTE_DUP_KEY},
    {BOTH, EVS(",\"x\":\"\\ud800\""), 0, true, EV, V(NONE), NULL, EVK_NOTE_LONE_SURROGATE},
    /* the discriminator */
    {BOTH, "{}", 0, true, NO, V(MISSING_FIELD), "type", 0},
    {BOTH, "{\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", 0, true, NO, V(MISSING_FIELD), "type", 0},
    {BOTH, "{\"type\":1,\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", 0, true, NO, V(WRONG_TYPE), "type", 0},
    {BOTH, "{\"type\":null,\"id\":\"" U "\"}", 0, true, NO, V(WRONG_TYPE), "type", 0},
    {BOTH, "{\"type\":{\"x\":\"event\"}}", 0, true, NO, V(WRONG_TYPE), "type", 0},
    {BOTH, "{\"type\":[\"event\"]}", 0, true, NO, V(WRONG_TYPE), "type", 0},
    {BOTH, "{\"type\":\"hello\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", 0, true, NO, V(INVALID_VALUE), "type", 0},
    {BOTH, "{\"type\":\"Event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", 0, true, NO, V(INVALID_VALUE), "type", 0},
    {BOTH, "{\"type\":\"ack \",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", 0, true, NO, V(INVALID_VALUE), "type", 0},
    {BOTH, "{\"type\":\"\",\"id\":\"" U "\"}", 0, true, NO, V(INVALID_VALUE), "type", 0},
    /* missing fields */
    {SEED, "{\"type\":\"event\",\"sent_at\":\"" TS "\"}", 0, true, EV, V(MISSING_FIELD), "id", 0},
    {SEED, "{\"type\":\"event\",\"id\":\"" U "\"}", 0, true, EV, V(MISSING_FIELD), "sent_at", 0},
    {BOTH, "{\"type\":\"ack\",\"sent_at\":\"" TS "\"}", 0, true, AK, V(MISSING_FIELD), "id", 0},
    {BOTH, "{\"type\":\"ack\",\"id\":\"" U "\"}", 0, true, AK, V(MISSING_FIELD), "sent_at", 0},
    {BOTH, "{\"type\":\"event\"}", 0, true, EV, V(MISSING_FIELD), "id", 0},
    {STRICT, EVB(""), 0, true, EV, V(MISSING_FIELD), "status", 0},
    {STRICT, EVB(",\"status\":\"ok\""), 0, true, EV, V(MISSING_FIELD), "payload", 0},
    /* a missing field beats a wrong type elsewhere */
    {SEED, "{\"type\":\"event\",\"sent_at\":5}", 0, true, EV, V(MISSING_FIELD), "id", 0},
    /* wrong JSON types */
    {SEED, WITH_ID("42"), 0, true, EV, V(WRONG_TYPE), "id", 0},
    {SEED, WITH_ID("null"), 0, true, EV, V(WRONG_TYPE), "id", 0},
    {SEED, WITH_ID("[\"" U "\"]"), 0, true, EV, V(WRONG_TYPE), "id", 0},
    {SEED, "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":1767627242}", 0, true, EV, V(WRONG_TYPE), "sent_at", 0},
    {BOTH, "{\"type\":\"ack\",\"id\":true,\"sent_at\":\"" TS "\"}", 0, true, AK, V(WRONG_TYPE), "id", 0},
    {STRICT, EVB(",\"status\":1,\"payload\":{}"), 0, true, EV, V(WRONG_TYPE), "status", 0},
    {STRICT, EVB(",\"status\":\"ok\",\"payload\":\"{}\""), 0, true, EV, V(WRONG_TYPE), "payload", 0},
    {STRICT, EVB(",\"status\":\"ok\",\"payload\":null"), 0, true, EV, V(WRONG_TYPE), "payload", 0},
    {STRICT, EVS(",\"reason\":5"), 0, true, EV, V(WRONG_TYPE), "reason", 0},
    /* a wrong type beats an invalid value elsewhere */
    {SEED, "{\"type\":\"event\",\"id\":1,\"sent_at\":\"never\"}", 0, true, EV, V(WRONG_TYPE), "id", 0},
    /* invalid values */
    {SEED, WITH_ID("\"abc\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_ID("\"{" U "}\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_ID("\"urn:uuid:" U "\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_ID("\"0b8f3e526a1d4c7e9f2a3d5e7c9b1a20\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_ID("\" " U "\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_ID("\"\""), 0, true, EV, V(INVALID_VALUE), "id", 0},
    {SEED, WITH_TS("not a date"), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {SEED, WITH_TS("2026-13-45T25:61:61.0+0000"), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {SEED, WITH_TS("2026-02-29T10:00:00.0+0000"), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {SEED, WITH_TS("2026-01-05"), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {SEED, WITH_TS("2026-01-05t15:34:02.123456z"), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {SEED, WITH_TS(""), 0, true, EV, V(INVALID_VALUE), "sent_at", 0},
    {BOTH, "{\"type\":\"ack\",\"id\":\"not-a-uuid\",\"sent_at\":\"" TS "\"}", 0, true, AK, V(INVALID_VALUE), "id", 0},
    {STRICT, EVB(",\"status\":\"maybe\",\"payload\":{}"), 0, true, EV, V(INVALID_VALUE), "status", 0},
    {STRICT, EVB(",\"status\":\"FATAL\",\"payload\":{}"), 0, true, EV, V(INVALID_VALUE), "status", 0},
    /* strict's reason may be a string or null, or absent */
    {STRICT, EVS(",\"reason\":null"), 0, true, EV, V(NONE), NULL, 0},
    {STRICT, EVS(",\"reason\":\"because\""), 0, true, EV, V(NONE), NULL, 0},
    {STRICT, EVB(",\"status\":\"error\",\"payload\":{\"k\":1}"), 0, true, EV, V(NONE), NULL, 0},
    /* the fatal status is strict's alone */
    {STRICT, EVB(",\"status\":\"fatal\",\"payload\":{}"), 0, true, EV, V(FATAL_STATUS), "status", 0},
    {SEED, EVB(",\"status\":\"fatal\",\"payload\":{}"), 0, true, EV, V(NONE), NULL, 0},
};

static const evk_profile *profile(int which)
{
    static evk_profile seed, strict;
    static int loaded;
    if (!loaded) {
        char err[256];
        ck_assert_msg(evk_profile_load(&seed, "seed", err, sizeof err) == 0, "%s", err);
        ck_assert_msg(evk_profile_load(&strict, "strict", err, sizeof err) == 0, "%s", err);
        loaded = 1;
    }
    return which == SEED ? &seed : &strict;
}

START_TEST(torture_row)
{
    for (int which = SEED; which <= STRICT; which <<= 1) {
        if (!(rows[_i].profiles & which)) continue;
        const evk_profile *p = profile(which);
        evk_message m;
        size_t len = rows[_i].len ? rows[_i].len : strlen(rows[_i].in);
        ck_assert_int_eq(evk_validate(p, rows[_i].in, len, rows[_i].text, &m), 0);
        ck_assert_msg(m.violation == rows[_i].v, "row %d (%s): want %s, got %s: %s", _i, p->name,
                      evk_violation_key(rows[_i].v), evk_violation_key(m.violation), m.reason);
        ck_assert_msg(m.kind == rows[_i].kind, "row %d (%s): kind %s", _i, p->name,
                      evk_msg_kind_name(m.kind));
        ck_assert_int_eq(m.close_code, evk_profile_send_code(p, rows[_i].v));
        if (rows[_i].field) ck_assert_msg(strcmp(m.field, rows[_i].field) == 0, "row %d: field %s", _i, m.field);
        if (rows[_i].v != EVK_V_NONE) {
            ck_assert_msg(m.reason[0] != '\0', "row %d: no reason", _i);
            ck_assert_msg(strchr(m.reason, '\n') == NULL, "row %d: reason is not one line", _i);
        } else {
            ck_assert_msg(m.has_id, "row %d: a valid message without its id", _i);
        }
        ck_assert_msg((m.notes & rows[_i].notes) == rows[_i].notes, "row %d: notes %x", _i, m.notes);
    }
}
END_TEST

START_TEST(strict_codes_are_exact)
{
    const evk_profile *t = profile(STRICT), *s = profile(SEED);
    static const struct { evk_violation v; int code; } want[] = {
        {EVK_V_NOT_TEXT, 4001},      {EVK_V_NOT_JSON, 4002},     {EVK_V_MISSING_FIELD, 4003},
        {EVK_V_WRONG_TYPE, 4004},    {EVK_V_INVALID_VALUE, 4005}, {EVK_V_DUPLICATE_ID, 4006},
        {EVK_V_ACK_TIMEOUT, 4007},   {EVK_V_UNKNOWN_ACK, 4008},  {EVK_V_FATAL_STATUS, 4009},
    };
    for (size_t i = 0; i < EVK_COUNTOF(want); i++) {
        ck_assert_int_eq(evk_profile_send_code(t, want[i].v), want[i].code);
        ck_assert(evk_profile_accepts(t, want[i].v, want[i].code));
        ck_assert(!evk_profile_accepts(t, want[i].v, want[i].code == 4001 ? 4002 : 4001));
    }
    ck_assert(evk_profile_accepts(t, EVK_V_WRONG_TYPE, 4005));
    /* seed: 4001/4002 exact, the rest any application code */
    ck_assert(!evk_profile_accepts(s, EVK_V_NOT_JSON, 4003));
    ck_assert(evk_profile_accepts(s, EVK_V_MISSING_FIELD, 4001));
    ck_assert(evk_profile_accepts(s, EVK_V_MISSING_FIELD, 4999));
    ck_assert(!evk_profile_accepts(s, EVK_V_MISSING_FIELD, 1000));
    ck_assert(!evk_profile_accepts(s, EVK_V_MISSING_FIELD, 4000));
    ck_assert(!evk_profile_accepts(s, EVK_V_FATAL_STATUS, 4009)); /* not a seed rule */
}
END_TEST

START_TEST(deep_nesting_in_extra_field)
{
    enum { DEPTH = 10000 };
    const char *head = "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\",\"status\":\"ok\",\"payload\":{},\"x\":";
    size_t hl = strlen(head), len = hl + 2 * DEPTH + 1;
    char *buf = malloc(len);
    memcpy(buf, head, hl);
    memset(buf + hl, '[', DEPTH);
    memset(buf + hl + DEPTH, ']', DEPTH);
    buf[len - 1] = '}';
    evk_message m;
    for (int which = SEED; which <= STRICT; which <<= 1) {
        ck_assert_int_eq(evk_validate(profile(which), buf, len, true, &m), 0);
        ck_assert_msg(m.violation == EVK_V_NONE, "%s", m.reason);
    }
    buf[len - 2] = '}'; /* mismatched close */
    ck_assert_int_eq(evk_validate(profile(SEED), buf, len, true, &m), 0);
    ck_assert_int_eq(m.violation, EVK_V_NOT_JSON);
    free(buf);
}
END_TEST

START_TEST(one_mebibyte_message)
{
    const char *head = "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\",\"status\":\"ok\",\"payload\":{},\"blob\":\"";
    size_t hl = strlen(head), len = 1u << 20;
    char *buf = malloc(len);
    memcpy(buf, head, hl);
    for (size_t i = hl; i < len - 2; i++) buf[i] = (char)('a' + i % 26);
    buf[len - 2] = '"';
    buf[len - 1] = '}';
    evk_message m;
    ck_assert_int_eq(evk_validate(profile(STRICT), buf, len, true, &m), 0);
    ck_assert_msg(m.violation == EVK_V_NONE, "%s", m.reason);
    buf[len / 2] = '\x01'; /* one raw control character in the middle */
    ck_assert_int_eq(evk_validate(profile(STRICT), buf, len, true, &m), 0);
    ck_assert_int_eq(m.violation, EVK_V_NOT_JSON);
    free(buf);
}
END_TEST

START_TEST(handshake_policy)
{
    static const struct {
        const char *payload;
        evk_violation v;
        uint64_t ms;
    } pol[] = {
        {"{\"ack_timeout\":1}", EVK_V_NONE, 1000},
        {"{\"ack_timeout\":0.25}", EVK_V_NONE, 250},
        {"{\"ack_timeout\":0.0001}", EVK_V_NONE, 1},   /* rounded up to 1 ms */
        {"{\"ack_timeout\":2.5e1}", EVK_V_NONE, 25000},
        {"{\"ack_timeout\":1e999}", EVK_V_INVALID_VALUE, 0}, /* not finite */
        {"{\"ack_timeout\":0}", EVK_V_INVALID_VALUE, 0},
        {"{\"ack_timeout\":-1}", EVK_V_INVALID_VALUE, 0},
        {"{\"ack_timeout\":\"1\"}", EVK_V_WRONG_TYPE, 0},
        {"{\"ack_timeout\":null}", EVK_V_WRONG_TYPE, 0},
        {"{}", EVK_V_MISSING_FIELD, 0},
        {"\"ack_timeout\"", EVK_V_MISSING_FIELD, 0}, /* payload not an object */
        {NULL, EVK_V_MISSING_FIELD, 0},              /* no payload at all */
    };
    const evk_profile *p = profile(SEED);
    for (size_t i = 0; i < EVK_COUNTOF(pol); i++) {
        char text[512];
        if (pol[i].payload)
            snprintf(text, sizeof text, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\",\"payload\":%s}", U, TS, pol[i].payload);
        else
            snprintf(text, sizeof text, "%s", EVB(""));
        evk_message m;
        uint64_t ms = 99;
        memset(&m, 0, sizeof m);
        ck_assert_int_eq(evk_validate_policy(p, text, strlen(text), &ms, &m), 0);
        ck_assert_msg(m.violation == pol[i].v, "policy %zu: want %s got %s", i,
                      evk_violation_key(pol[i].v), evk_violation_key(m.violation));
        ck_assert_uint_eq(ms, pol[i].ms);
        if (pol[i].v != EVK_V_NONE) ck_assert_int_eq(m.close_code, evk_profile_send_code(p, pol[i].v));
    }
}
END_TEST

/* The three readings of a duplicate key (PROTOCOL.md §2): each message is
 * judged under first-wins, last-wins and refusal. */
static const struct {
    const char *in;
    evk_violation first, last, reject;
} dup_rows[] = {
    /* a bad id then a good one: first-wins refuses, last-wins accepts */
    {"{\"type\":\"event\",\"id\":\"not-a-uuid\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}",
     EVK_V_INVALID_VALUE, EVK_V_NONE, EVK_V_NOT_JSON},
    /* the other way round */
    {"{\"type\":\"event\",\"id\":\"" U "\",\"id\":7,\"sent_at\":\"" TS "\"}",
     EVK_V_NONE, EVK_V_WRONG_TYPE, EVK_V_NOT_JSON},
    /* the discriminator itself */
    {"{\"type\":\"Event\",\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}",
     EVK_V_INVALID_VALUE, EVK_V_NONE, EVK_V_NOT_JSON},
    /* a duplicate inside an extra field: only refusal sees it */
    {"{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\",\"x\":{\"k\":1,\"k\":2}}",
     EVK_V_NONE, EVK_V_NONE, EVK_V_NOT_JSON},
    /* no duplicate: every reading agrees */
    {"{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\"}", EVK_V_NONE, EVK_V_NONE, EVK_V_NONE},
};

START_TEST(duplicate_key_readings)
{
    const evk_profile *p = profile(SEED);
    const evk_violation want[3] = {dup_rows[_i].first, dup_rows[_i].last, dup_rows[_i].reject};
    for (int d = 0; d < EVK_DUPKEYS__COUNT; d++) {
        evk_message m;
        ck_assert_int_eq(evk_validate_ex(p, dup_rows[_i].in, strlen(dup_rows[_i].in), true, (evk_dupkeys)d, &m), 0);
        ck_assert_msg(m.violation == want[d], "row %d, %s: want %s, got %s (%s)", _i, evk_dupkeys_name((evk_dupkeys)d),
                      evk_violation_key(want[d]), evk_violation_key(m.violation), m.reason);
    }
    ck_assert_int_eq(evk_dupkeys_lookup("last"), EVK_DUPKEYS_LAST);
    ck_assert_int_eq(evk_dupkeys_lookup("middle"), -1);
}
END_TEST

/* The policy under last-wins: the last ack_timeout counts. */
START_TEST(policy_last_wins)
{
    const evk_profile *p = profile(SEED);
    const char *text = "{\"type\":\"event\",\"id\":\"" U "\",\"sent_at\":\"" TS "\","
                       "\"payload\":{\"ack_timeout\":\"x\",\"ack_timeout\":2}}";
    evk_message m;
    uint64_t ms = 0;
    memset(&m, 0, sizeof m);
    evk_validate_policy_ex(p, text, strlen(text), EVK_DUPKEYS_LAST, &ms, &m);
    ck_assert_int_eq(m.violation, EVK_V_NONE);
    ck_assert_uint_eq(ms, 2000);
    evk_validate_policy_ex(p, text, strlen(text), EVK_DUPKEYS_FIRST, &ms, &m);
    ck_assert_int_eq(m.violation, EVK_V_WRONG_TYPE);
}
END_TEST

START_TEST(reasons_name_the_field)
{
    evk_message m;
    const char *t = WITH_ID("\"abc\"");
    evk_validate(profile(SEED), t, strlen(t), true, &m);
    ck_assert_str_eq(m.reason, "field `id` is not a canonical UUID: \"abc\"");
    t = "{\"type\":\"Event\"}";
    evk_validate(profile(SEED), t, strlen(t), true, &m);
    ck_assert_str_eq(m.reason, "field `type` is \"Event\", expected \"event\" or \"ack\"");
    t = "{\"a\":01}";
    evk_validate(profile(SEED), t, strlen(t), true, &m);
    ck_assert_str_eq(m.reason, "not JSON: leading zero in a number (byte 6)");
    t = "[1]";
    evk_validate(profile(SEED), t, strlen(t), true, &m);
    ck_assert_str_eq(m.reason, "not a JSON object: the top-level value is an array");
}
END_TEST

START_TEST(trigger_count)
{
    uint64_t k = 0;
    const char *t = "{\"payload\":{\"emit\":3}}";
    ck_assert_int_eq(evk_json_uint_at(t, strlen(t), "/payload/emit", &k), 0);
    ck_assert_uint_eq(k, 3);
    t = "{\"payload\":{\"emit\":-3}}";
    ck_assert_int_eq(evk_json_uint_at(t, strlen(t), "/payload/emit", &k), -1);
    t = "{\"payload\":{\"emit\":1.5}}";
    ck_assert_int_eq(evk_json_uint_at(t, strlen(t), "/payload/emit", &k), -1);
    t = "{\"payload\":{}}";
    ck_assert_int_eq(evk_json_uint_at(t, strlen(t), "/payload/emit", &k), -1);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("torture");
    tcase_add_loop_test(tc, torture_row, 0, (int)EVK_COUNTOF(rows));
    tcase_add_test(tc, strict_codes_are_exact);
    tcase_add_test(tc, deep_nesting_in_extra_field);
    tcase_add_test(tc, one_mebibyte_message);
    tcase_add_test(tc, handshake_policy);
    tcase_add_loop_test(tc, duplicate_key_readings, 0, (int)EVK_COUNTOF(dup_rows));
    tcase_add_test(tc, policy_last_wins);
    tcase_add_test(tc, reasons_name_the_field);
    tcase_add_test(tc, trigger_count);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(validate_suite)
