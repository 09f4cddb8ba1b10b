/* Profiles: the shipped ones load, and every kind of broken profile gets one
 * clear line naming the file, the key and the problem. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_json.h"
#include "evk_profile.h"

static char *seed_with(const char *from, const char *to);

START_TEST(shipped_profiles_load)
{
    evk_profile p;
    char err[256] = "";
    const char *const *names = evk_profile_builtin_names();
    int n = 0;
    for (; names[n]; n++) ck_assert_msg(evk_profile_load(&p, names[n], err, sizeof err) == 0, "%s", err);
    ck_assert_int_ge(n, 2);

    ck_assert_int_eq(evk_profile_load(&p, "seed", err, sizeof err), 0);
    ck_assert_str_eq(p.name, "seed");
    ck_assert_str_eq(p.discriminator, "type");
    ck_assert_uint_eq(p.event.n_fields, 2);
    ck_assert_str_eq(p.policy_pointer, "/payload/ack_timeout");
    ck_assert(p.policy_unit_ms == 1000);
    ck_assert(!p.early_message_is_violation && !p.silence_required && !p.has_fatal);
    ck_assert(p.has_trigger);

    ck_assert(p.has_handshake);

    ck_assert_int_eq(evk_profile_load(&p, "strict", err, sizeof err), 0);
    ck_assert_uint_eq(p.event.n_fields, 5);
    ck_assert(p.early_message_is_violation && p.silence_required && p.has_fatal);
    ck_assert_str_eq(p.fatal_field, "status");
    ck_assert_str_eq(p.fatal_value, "fatal");
    ck_assert_msg(strstr(p.description, "proposal") != NULL, "strict must say its 4006-4009 are evack's proposal");
}
END_TEST

/* latest: the 2026-01-16 revision exactly (PROTOCOL.md §6): its own codes
 * 4001-4005, "any 4001-4999" where it names none, nothing of evack's own. */
START_TEST(latest_is_the_public_revision)
{
    evk_profile p;
    char err[256] = "";
    ck_assert_msg(evk_profile_load(&p, "latest", err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(p.name, "latest");
    ck_assert_uint_eq(p.event.n_fields, 5);
    ck_assert(p.has_fatal && p.has_handshake);
    ck_assert(!p.early_message_is_violation && !p.silence_required);
    ck_assert(evk_profile_accepts(&p, EVK_V_MISSING_FIELD, 4003) && !evk_profile_accepts(&p, EVK_V_MISSING_FIELD, 4005));
    ck_assert(evk_profile_accepts(&p, EVK_V_WRONG_TYPE, 4004) && evk_profile_accepts(&p, EVK_V_WRONG_TYPE, 4005));
    ck_assert(!evk_profile_accepts(&p, EVK_V_WRONG_TYPE, 4003));
    ck_assert(evk_profile_accepts(&p, EVK_V_INVALID_VALUE, 4005) && !evk_profile_accepts(&p, EVK_V_INVALID_VALUE, 4004));
    const evk_violation open[] = {EVK_V_DUPLICATE_ID, EVK_V_ACK_TIMEOUT, EVK_V_UNKNOWN_ACK, EVK_V_FATAL_STATUS};
    for (size_t i = 0; i < EVK_COUNTOF(open); i++) {
        ck_assert(evk_profile_accepts(&p, open[i], 4001) && evk_profile_accepts(&p, open[i], 4999));
        ck_assert(evk_profile_accepts(&p, open[i], 4123));
    }
}
END_TEST

/* "handshake": null with a fixed "ack_limit_ms" (PROTOCOL.md §6). */
START_TEST(no_handshake_profile)
{
    char *text = NULL;
    evk_profile p;
    char err[256] = "";
    /* The seed profile without its handshake phase. */
    const char *seed = evk_profile_builtin_text("seed");
    const char *pol = strstr(seed, "\"ack_timeout_policy\"");
    const char *trig = strstr(seed, "\"silence_after_violation\"");
    ck_assert(pol && trig && pol < trig);
    size_t pre = (size_t)(pol - seed);
    const char *mid = "\"handshake\": null, \"ack_limit_ms\": 750,\n  ";
    text = malloc(strlen(seed) + strlen(mid) + 1);
    memcpy(text, seed, pre);
    strcpy(text + pre, mid);
    strcat(text, trig);
    /* seed's early_message close code may stay: it is simply unused */
    ck_assert_msg(evk_profile_load_json(&p, text, strlen(text), "nohs.json", err, sizeof err) == 0, "%s", err);
    ck_assert(!p.has_handshake);
    ck_assert_uint_eq(p.ack_limit_ms, 750);
    ck_assert(!p.early_message_is_violation);
    free(text);
}
END_TEST

/* Each misuse of the two keys is named by the loader. */
static const struct {
    const char *from, *to, *want;
} handshake_rows[] = {
    {"\"ack_timeout_policy\"", "\"handshake\": null, \"ack_limit_ms\": 500, \"ack_timeout_policy\"",
     "x.json: ack_timeout_policy: not allowed with \"handshake\": null"},
    {"\"ack_timeout_policy\": { \"pointer\": \"/payload/ack_timeout\", \"unit\": \"s\" },",
     "\"handshake\": null, \"ack_limit_ms\": 500,", "x.json: early_message: not allowed with \"handshake\": null"},
    {"\"ack_timeout_policy\": { \"pointer\": \"/payload/ack_timeout\", \"unit\": \"s\" },\n  \"early_message\": \"informational\",",
     "\"handshake\": null,", "x.json: ack_limit_ms: missing"},
    {"\"ack_timeout_policy\": { \"pointer\": \"/payload/ack_timeout\", \"unit\": \"s\" },\n  \"early_message\": \"informational\",",
     "\"handshake\": null, \"ack_limit_ms\": 0.5,", "x.json: ack_limit_ms: must be an integer > 0"},
    {"\"ack_timeout_policy\": { \"pointer\": \"/payload/ack_timeout\", \"unit\": \"s\" },\n  \"early_message\": \"informational\",",
     "\"handshake\": null, \"ack_limit_ms\": 0,", "x.json: ack_limit_ms: must be an integer > 0"},
    {"\"ack_timeout_policy\": { \"pointer\": \"/payload/ack_timeout\", \"unit\": \"s\" },\n  \"early_message\": \"informational\",",
     "\"handshake\": null, \"ack_limit_ms\": \"500\",", "x.json: ack_limit_ms: must be an integer > 0"},
    {"\"ack_timeout_policy\"", "\"ack_limit_ms\": 500, \"ack_timeout_policy\"",
     "x.json: ack_limit_ms: only with \"handshake\": null"},
    {"\"ack_timeout_policy\"", "\"handshake\": {}, \"ack_timeout_policy\"",
     "x.json: handshake: must be null"},
};

START_TEST(no_handshake_misuse)
{
    char *text = seed_with(handshake_rows[_i].from, handshake_rows[_i].to);
    evk_profile p;
    char err[256] = "";
    int rc = evk_profile_load_json(&p, text, strlen(text), "x.json", err, sizeof err);
    free(text);
    ck_assert_int_eq(rc, EVK_EPROFILE);
    ck_assert_msg(strstr(err, handshake_rows[_i].want) != NULL, "row %d: want \"%s\" in \"%s\"", _i,
                  handshake_rows[_i].want, err);
}
END_TEST

START_TEST(codes_text)
{
    evk_profile seed, strict;
    char err[256], out[96];
    ck_assert_int_eq(evk_profile_load(&seed, "seed", err, sizeof err), 0);
    ck_assert_int_eq(evk_profile_load(&strict, "strict", err, sizeof err), 0);
    ck_assert_str_eq(evk_profile_codes_text(&seed, EVK_V_NOT_JSON, out, sizeof out), "4002");
    ck_assert_str_eq(evk_profile_codes_text(&seed, EVK_V_MISSING_FIELD, out, sizeof out), "any of 4001-4999");
    ck_assert_str_eq(evk_profile_codes_text(&strict, EVK_V_WRONG_TYPE, out, sizeof out), "4004 or 4005");
}
END_TEST

/* Broken variants of the seed profile: replace `from` by `to`, expect `want`. */
static const struct {
    const char *from, *to, *want;
} broken[] = {
    {"\"name\": \"seed\",", "", "x.json: name: missing"},
    {"\"name\": \"seed\"", "\"name\": 7", "x.json: name: must be a string"},
    {"\"name\": \"seed\"", "\"name\": \"\"", "x.json: name: must not be empty"},
    {"\"discriminator\": \"type\",", "\"discrimnator\": \"type\",", "x.json: discrimnator: unknown key (typo?)"},
    {"\"ack\": {", "\"akc\": {", "x.json: messages.akc: unknown key (typo?)"},
    {"\"sent_at\": { \"type\": \"string\", \"format\": \"iso8601\", \"required\": true }\n      }\n    },\n    \"ack\"",
     "\"sent_at\": { \"type\": \"strng\", \"format\": \"iso8601\", \"required\": true }\n      }\n    },\n    \"ack\"",
     "x.json: messages.event.fields.sent_at.type: unknown JSON type \"strng\""},
    {"\"format\": \"iso8601\"", "\"format\": \"rfc3339\"", "messages.event.fields.sent_at.format: unknown format \"rfc3339\""},
    {"\"required\": true }", "\"required\": \"yes\" }", "messages.event.fields.id.required: must be true or false"},
    {"\"id\":      { \"type\": \"string\", \"format\": \"uuid\",    \"required\": true },\n        \"sent_at\": { \"type\": \"string\", \"format\": \"iso8601\", \"required\": true }\n      }\n    },\n    \"ack\"",
     "\"sent_at\": { \"type\": \"string\", \"format\": \"iso8601\", \"required\": true }\n      }\n    },\n    \"ack\"",
     "x.json: messages.event.fields.id: a required \"id\" field with format \"uuid\" is needed"},
    {"\"not_text\":      4001,", "", "x.json: close_codes.not_text: missing"},
    {"\"not_text\":      4001", "\"not_text\":      401", "x.json: close_codes.not_text: a close code must be an integer 1000-4999"},
    {"\"not_text\":      4001", "\"not_text\":      \"4001\"", "x.json: close_codes.not_text: expected a close code or {\"accept\": ..., \"send\": code}"},
    {"\"not_text\":      4001", "\"not_text\":      1006", "x.json: close_codes.not_text: 1006 cannot be sent in a close frame"},
    {"{ \"accept\": \"4001-4999\", \"send\": 4003 }", "{ \"accept\": \"4001-4999\" }", "x.json: close_codes.missing_field.send: missing"},
    {"{ \"accept\": \"4001-4999\", \"send\": 4003 }", "{ \"accept\": \"4001-4999\", \"send\": 3000 }", "x.json: close_codes.missing_field: the sent code 3000 is not among the accepted ones"},
    {"{ \"accept\": \"4001-4999\", \"send\": 4003 }", "{ \"accept\": \"4999-4001\", \"send\": 4003 }", "close_codes.missing_field.accept: \"4999-4001\" is not a range"},
    {"{ \"accept\": \"4001-4999\", \"send\": 4003 }", "{ \"acept\": \"4001-4999\", \"send\": 4003 }", "x.json: close_codes.missing_field.acept: unknown key (typo?)"},
    {"\"unknown_ack\":", "\"unknown_acks\":", "x.json: close_codes.unknown_acks: unknown key (typo?)"},
    {"\"unit\": \"s\"", "\"unit\": \"seconds\"", "x.json: ack_timeout_policy.unit: must be \"s\" or \"ms\""},
    {"\"pointer\": \"/payload/ack_timeout\"", "\"pointer\": \"payload.ack_timeout\"", "x.json: ack_timeout_policy.pointer: must be a JSON pointer"},
    {"\"early_message\": \"informational\"", "\"early_message\": \"maybe\"", "x.json: early_message: must be \"violation\" or \"informational\""},
    {"\"silence_after_violation\": \"recommended\",", "", "x.json: silence_after_violation: missing"},
    {"\"fatal_status\": null", "\"fatal_status\": {\"field\": \"status\", \"value\": \"fatal\"}", "x.json: fatal_status.field: \"status\" is not a field of the Event"},
    {"\"trigger\": { \"pointer\": \"/payload/emit\" }", "\"trigger\": 5", "x.json: trigger: must be null or {\"pointer\": ...}"},
    {"\"trigger\":", "\"trigger\": 1, \"trigger2\":", "x.json: trigger2: unknown key (typo?)"},
    {"}\n}", "},\n}", "x.json: (syntax): not valid JSON: trailing comma in an object"},
    {"\"name\": \"seed\",", "\"name\": \"seed\", \"x\": 01,", "x.json: (syntax): not valid JSON: leading zero in a number"},
};

static char *seed_with(const char *from, const char *to)
{
    const char *seed = evk_profile_builtin_text("seed");
    const char *at = strstr(seed, from);
    ck_assert_msg(at != NULL, "test bug: \"%s\" not in seed.json", from);
    size_t pre = (size_t)(at - seed), fl = strlen(from), tl = strlen(to);
    char *out = malloc(strlen(seed) - fl + tl + 1);
    memcpy(out, seed, pre);
    memcpy(out + pre, to, tl);
    strcpy(out + pre + tl, at + fl);
    return out;
}

START_TEST(broken_profile_row)
{
    char *text = seed_with(broken[_i].from, broken[_i].to);
    evk_profile p;
    memset(&p, 0x5a, sizeof p);
    evk_profile before = p;
    char err[256] = "";
    int rc = evk_profile_load_json(&p, text, strlen(text), "x.json", err, sizeof err);
    free(text);
    ck_assert_int_eq(rc, EVK_EPROFILE);
    ck_assert_msg(strstr(err, broken[_i].want) != NULL, "row %d: want \"%s\" in \"%s\"", _i,
                  broken[_i].want, err);
    ck_assert_msg(strncmp(err, "x.json: ", 8) == 0, "row %d: error does not name the file", _i);
    ck_assert_msg(strchr(err, '\n') == NULL, "row %d: error is not one line", _i);
    ck_assert_msg(memcmp(&p, &before, sizeof p) == 0, "row %d: a failed load changed the profile", _i);
}
END_TEST

START_TEST(files_and_names)
{
    evk_profile p;
    char err[256];
    ck_assert_int_eq(evk_profile_load(&p, "/nonexistent/x.json", err, sizeof err), EVK_EPROFILE);
    ck_assert_str_eq(err, "/nonexistent/x.json: (file): cannot open: No such file or directory");
    ck_assert_int_eq(evk_profile_load(&p, "sead", err, sizeof err), EVK_EPROFILE);
    ck_assert_str_eq(err, "sead: (file): no such profile (built in: seed, latest, strict; or give a path)");

    char path[] = "/tmp/evk-profile-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *seed = evk_profile_builtin_text("seed");
    ck_assert_int_eq(write(fd, seed, strlen(seed)), (ssize_t)strlen(seed));
    close(fd);
    ck_assert_msg(evk_profile_load(&p, path, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(p.name, "seed");
    unlink(path);
}
END_TEST

START_TEST(variant_profile_in_ms)
{
    /* A variant: the policy in milliseconds at another place, Ack with an extra field. */
    const char *text =
        "{\"name\":\"ms\",\"discriminator\":\"kind\","
        "\"messages\":{\"event\":{\"type_value\":\"EV\",\"fields\":{\"id\":{\"type\":\"string\",\"format\":\"uuid\",\"required\":true}}},"
        "\"ack\":{\"type_value\":\"ACK\",\"fields\":{\"id\":{\"type\":\"string\",\"format\":\"uuid\",\"required\":true},\"n\":{\"type\":[\"number\",\"null\"],\"required\":true}}}},"
        "\"close_codes\":{\"not_text\":4001,\"not_json\":4002,\"missing_field\":4003,\"wrong_type\":4004,"
        "\"invalid_value\":4005,\"duplicate_id\":4006,\"ack_timeout\":4007,\"unknown_ack\":4008,\"early_message\":4010},"
        "\"ack_timeout_policy\":{\"pointer\":\"/limits/ack_ms\",\"unit\":\"ms\"},"
        "\"early_message\":\"violation\",\"silence_after_violation\":\"required\",\"fatal_status\":null,\"trigger\":null}";
    evk_profile p;
    char err[256] = "";
    ck_assert_msg(evk_profile_load_json(&p, text, strlen(text), "ms.json", err, sizeof err) == 0, "%s", err);
    ck_assert(p.policy_unit_ms == 1);
    ck_assert(!p.has_trigger);
    ck_assert_str_eq(p.ack.type_value, "ACK");
    ck_assert_int_eq(evk_profile_send_code(&p, EVK_V_EARLY_MESSAGE), 4010);
}
END_TEST

static Suite *profile_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, shipped_profiles_load);
    tcase_add_test(tc, codes_text);
    tcase_add_test(tc, latest_is_the_public_revision);
    tcase_add_test(tc, no_handshake_profile);
    tcase_add_loop_test(tc, no_handshake_misuse, 0, (int)EVK_COUNTOF(handshake_rows));
    tcase_add_loop_test(tc, broken_profile_row, 0, (int)EVK_COUNTOF(broken));
    tcase_add_test(tc, files_and_names);
    tcase_add_test(tc, variant_profile_in_ms);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(profile_suite)
