/* The judge, without any network: observations in, verdicts out. */
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_catalog.h"
#include "evk_judge.h"

static evk_profile seed, strict;

static void load(void)
{
    char err[256];
    ck_assert_msg(evk_profile_load(&seed, "seed", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(evk_profile_load(&strict, "strict", err, sizeof err) == 0, "%s", err);
}

static const evk_case plain = {.id = "x.plain", .spec = "rule"};

static evk_obs closing(evk_violation v, int code_pred)
{
    evk_obs o = {.limit_ms = 1000, .rd[0].close_predicted = true, .rd[0].close_violation = v, .rd[0].close_code = code_pred,
                 .rd[0].t_close = 100};
    return o;
}

static evk_verdict judge(const evk_case *c, const evk_profile *p, evk_obs *o, evk_case_result *r)
{
    evk_result_init(r, c);
    evk_judge(c, p, o, 150, 2000, r);
    return r->verdict;
}

static void closed(evk_obs *o, int code, uint64_t t)
{
    o->end = EVK_END_CLOSE;
    o->end_code = code;
    o->t_end = t;
}

START_TEST(close_codes_follow_the_profile)
{
    evk_case_result r;
    evk_obs o = closing(EVK_V_NOT_JSON, 4002);
    closed(&o, 4002, 103);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_msg(strstr(r.observed, "close 4002 after 3 ms") != NULL, "%s", r.observed);
    ck_assert_msg(strstr(r.expected, "close 4002") != NULL, "%s", r.expected);
    closed(&o, 4003, 103);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL); /* 4002 is exact */
    ck_assert_msg(strstr(r.observed, "wrong close code") != NULL, "%s", r.observed);

    o = closing(EVK_V_MISSING_FIELD, 4003);
    closed(&o, 4999, 101);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS); /* seed: any 4001-4999 */
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL); /* strict: 4003 */
    closed(&o, 1000, 101);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);

    o = closing(EVK_V_WRONG_TYPE, 4004);
    closed(&o, 4005, 101);
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_PASS); /* 4005 also accepted */
}
END_TEST

START_TEST(no_close_or_a_drop_fails)
{
    evk_case_result r;
    evk_obs o = closing(EVK_V_NOT_TEXT, 4001);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_msg(strstr(r.observed, "no close within 2000 ms") != NULL, "%s", r.observed);
    o.end = EVK_END_DROP;
    o.t_end = 105;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_msg(strstr(r.observed, "without a close frame") != NULL, "%s", r.observed);
}
END_TEST

START_TEST(deadline_window)
{
    static const struct { uint64_t t; evk_verdict v; } rows[] = {
        {849, EVK_VERDICT_FAIL}, {850, EVK_VERDICT_PASS}, {1000, EVK_VERDICT_PASS},
        {1150, EVK_VERDICT_PASS}, {1151, EVK_VERDICT_FAIL}, {10, EVK_VERDICT_FAIL},
    };
    for (size_t i = 0; i < EVK_COUNTOF(rows); i++) {
        evk_case_result r;
        evk_obs o = closing(EVK_V_ACK_TIMEOUT, 4007);
        o.rd[0].close_at_deadline = true;
        o.rd[0].t_close = 1000;
        closed(&o, 4007, rows[i].t);
        ck_assert_msg(judge(&plain, &strict, &o, &r) == rows[i].v, "close at %llu: %s (%s)",
                      (unsigned long long)rows[i].t, evk_verdict_name(r.verdict), r.observed);
    }
}
END_TEST

START_TEST(acks_exactly_once_in_time)
{
    evk_case_result r;
    evk_uuid a = {{1}}, b = {{2}};
    evk_obs o = {.limit_ms = 1000};
    evk_reading_expect_ack(&o.rd[0], &a, 10);
    evk_reading_expect_ack(&o.rd[0], &b, 10);
    ck_assert_ptr_eq(evk_reading_find_ack(&o.rd[0], &b), &o.rd[0].acks[1]);
    o.rd[0].acks[0].seen = 1, o.rd[0].acks[0].t_first = 12;
    o.rd[0].acks[1].seen = 1, o.rd[0].acks[1].t_first = 14;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_msg(strstr(r.observed, "2 of 2 Ack(s)") != NULL, "%s", r.observed);
    o.rd[0].acks[1].seen = 0;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL); /* missing */
    ck_assert_msg(strstr(r.observed, "never acked") != NULL, "%s", r.observed);
    o.rd[0].acks[1].seen = 2;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL); /* twice */
    o.rd[0].acks[1].seen = 1;
    o.rd[0].acks[1].t_first = 10 + 1000 + 151;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL); /* late */
    o.rd[0].acks[1].t_first = 10 + 1000 + 150;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    closed(&o, 4005, 300);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL); /* closed on valid traffic */
    ck_assert_msg(strstr(r.observed, "closed on valid traffic") != NULL, "%s", r.observed);
    evk_obs_free(&o);
}
END_TEST

START_TEST(alternatives_of_a_case)
{
    evk_case_result r;
    evk_uuid a = {{1}};
    const evk_case big = {.id = "x.big", .spec = "rule", .also_codes = {1009}, .also = EVK_V_NOT_JSON};
    evk_obs o = {.limit_ms = 1000};
    evk_reading_expect_ack(&o.rd[0], &a, 10);
    closed(&o, 1009, 50);
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_PASS); /* 1009 instead of the Ack */
    closed(&o, 4002, 50);
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_PASS);
    closed(&o, 4003, 50);
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_FAIL);

    const evk_case race = {.id = "x.race", .spec = "rule", .also = EVK_V_DUPLICATE_ID};
    evk_obs d = {.limit_ms = 1000};
    evk_reading_expect_ack(&d.rd[0], &a, 10);
    evk_reading_expect_ack(&d.rd[0], &a, 10);
    d.rd[0].acks[0].seen = 1, d.rd[0].acks[0].t_first = 12;
    ck_assert_int_eq(judge(&race, &strict, &d, &r), EVK_VERDICT_FAIL); /* one Ack, no close */
    closed(&d, 4006, 13);
    ck_assert_int_eq(judge(&race, &strict, &d, &r), EVK_VERDICT_PASS);
    closed(&d, 4005, 13);
    ck_assert_int_eq(judge(&race, &strict, &d, &r), EVK_VERDICT_FAIL);
    evk_obs_free(&o);
    evk_obs_free(&d);
}
END_TEST

START_TEST(silence_after_the_violation)
{
    evk_case_result r;
    evk_obs o = closing(EVK_V_INVALID_VALUE, 4005);
    closed(&o, 4005, 104);
    o.rd[0].after_violation = 1;
    strcpy(o.rd[0].first_after, "Ack of x");
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_NON_STRICT);
    ck_assert_msg(strstr(r.observed, "not silence") != NULL, "%s", r.observed);
}
END_TEST

START_TEST(flags_skips_and_target_violations)
{
    evk_case_result r;
    const evk_case info = {.id = "x.info", .spec = "rule", .flags = EVK_CF_INFORMATIONAL};
    evk_obs o = closing(EVK_V_NOT_JSON, 4002); /* no close came, but the message was acked: a choice */
    o.rd[0].acked_violation = 1;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_INFO);
    const evk_case early = {.id = "x.early", .spec = "rule", .flags = EVK_CF_EARLY};
    ck_assert_int_eq(judge(&early, &seed, &o, &r), EVK_VERDICT_INFO);
    ck_assert_int_eq(judge(&early, &strict, &o, &r), EVK_VERDICT_FAIL);

    evk_obs s = {.skip = true};
    strcpy(s.skip_reason, "no trigger");
    ck_assert_int_eq(judge(&plain, &seed, &s, &r), EVK_VERDICT_SKIP);
    ck_assert_str_eq(r.observed, "no trigger");
    strcpy(s.target_violation, "sent an invalid Event");
    ck_assert_int_eq(judge(&plain, &seed, &s, &r), EVK_VERDICT_FAIL); /* never hidden by a skip */

    evk_obs u = {.limit_ms = 1000, .rd[0].unknown_acks = 1};
    strcpy(u.rd[0].unknown_ack, "0000");
    ck_assert_int_eq(judge(&plain, &seed, &u, &r), EVK_VERDICT_FAIL);
    evk_obs p = {.limit_ms = 1000, .pings = 1, .pong_owed = true};
    ck_assert_int_eq(judge(&plain, &seed, &p, &r), EVK_VERDICT_FAIL);
    p.pongs = 1, p.pong_owed = false;
    ck_assert_int_eq(judge(&plain, &seed, &p, &r), EVK_VERDICT_PASS);
    /* RFC 6455 5.5.3: one pong after two back-to-back pings answers both. */
    p.pings = 2;
    ck_assert_int_eq(judge(&plain, &seed, &p, &r), EVK_VERDICT_PASS);
}
END_TEST

/* Tools read the problems as bits, never from the words: a target's close
 * reason that reads like a problem must not become one. */
START_TEST(problems_are_bits_not_words)
{
    evk_case_result r;
    evk_obs o = closing(EVK_V_NOT_JSON, 4002);
    closed(&o, 4002, 103);
    strcpy(o.end_reason, "wrong close code; no pong; closed on valid traffic");
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_uint_eq(r.problems, 0);
    ck_assert_int_eq(r.expected_violation, EVK_V_NOT_JSON);
    ck_assert_int_eq(r.end_code, 4002);
    ck_assert_uint_eq(r.limit_ms, 1000);

    closed(&o, 1000, 103);
    judge(&plain, &seed, &o, &r);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_WRONG_CODE));
    o.end = EVK_END_DROP;
    judge(&plain, &seed, &o, &r);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_DROP));
    ck_assert_int_eq(r.end_code, -1);
    o.end = EVK_END_OPEN;
    judge(&plain, &seed, &o, &r);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_NO_CLOSE));

    evk_obs v = {.limit_ms = 1000, .pings = 1, .pong_owed = true, .rd[0].unknown_acks = 1,
                 .target_problem = EVK_P_HANDSHAKE};
    strcpy(v.target_violation, "no handshake Event: closed");
    closed(&v, 4001, 50);
    judge(&plain, &seed, &v, &r);
    /* (a ping that crossed the target's close needs no pong) */
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_CLOSED_VALID) | EVK_PROBLEM_BIT(EVK_P_UNKNOWN_ACK) |
                                      EVK_PROBLEM_BIT(EVK_P_HANDSHAKE));
    ck_assert_int_eq(r.expected_violation, EVK_V_NONE);

    evk_obs s = {.skip = true, .skip_why = EVK_SKIP_NO_TRIGGER};
    ck_assert_int_eq(judge(&plain, &seed, &s, &r), EVK_VERDICT_SKIP);
    ck_assert_int_eq(r.skipped, EVK_SKIP_NO_TRIGGER);
    ck_assert_uint_eq(r.problems, 0);
}
END_TEST

/* Why a case is skipped follows what the profile has: the status cases need
 * the fatal status, payload/reason cases only that Events list the field. */
START_TEST(skip_reasons_follow_the_profile)
{
    static const evk_case fatal = {.id = "status.x", .flags = EVK_CF_STRICT_ONLY};
    static const evk_case reason = {.id = "reason.x", .needs_field = "reason"};
    static const evk_case token = {.id = "upgrade.x", .flags = EVK_CF_NEEDS_TOKEN};
    char why[256] = "";
    ck_assert(evk_catalog_skip_reason(&fatal, &seed, true, why, sizeof why));
    ck_assert_msg(strstr(why, "fatal status") != NULL, "%s", why);
    ck_assert(!evk_catalog_skip_reason(&fatal, &strict, false, why, sizeof why));
    ck_assert(evk_catalog_skip_reason(&reason, &seed, true, why, sizeof why));
    ck_assert_msg(strstr(why, "\"reason\" field") != NULL, "%s", why);
    ck_assert(!evk_catalog_skip_reason(&reason, &strict, false, why, sizeof why));
    evk_profile variant = strict; /* reason, but no fatal status */
    variant.has_fatal = false;
    ck_assert(!evk_catalog_skip_reason(&reason, &variant, false, why, sizeof why));
    ck_assert(evk_catalog_skip_reason(&fatal, &variant, false, why, sizeof why));
    ck_assert(evk_catalog_skip_reason(&token, &strict, false, why, sizeof why));
    ck_assert_msg(strstr(why, "Bearer") != NULL, "%s", why);
    ck_assert(!evk_catalog_skip_reason(&token, &seed, true, why, sizeof why));
}
END_TEST

START_TEST(upgrade_statuses)
{
    evk_case_result r;
    const evk_case no = {.id = "upgrade.no-token", .spec = "r", .upgrade = EVK_UPGRADE_NO_TOKEN};
    const evk_case bad = {.id = "upgrade.bad-token", .spec = "r", .upgrade = EVK_UPGRADE_BAD_TOKEN};
    const evk_case two = {.id = "upgrade.second-connection", .spec = "r", .upgrade = EVK_UPGRADE_SECOND};
    evk_obs o = {.http_status = 400};
    ck_assert_int_eq(judge(&no, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_str_eq(r.expected, "HTTP 400 (or 401)");
    ck_assert_str_eq(r.observed, "refused with HTTP 400");
    o.http_status = 401;
    ck_assert_int_eq(judge(&no, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_int_eq(judge(&bad, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_int_eq(judge(&two, &seed, &o, &r), EVK_VERDICT_FAIL);
    o.http_status = 400;
    ck_assert_int_eq(judge(&bad, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_str_eq(r.expected, "HTTP 401");
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_UPGRADE));
    o.http_status = 409;
    ck_assert_int_eq(judge(&two, &seed, &o, &r), EVK_VERDICT_PASS);
    ck_assert_str_eq(r.expected, "HTTP 409");
    evk_obs none = {.end_error = "no answer within 5 s"};
    ck_assert_int_eq(judge(&two, &seed, &none, &r), EVK_VERDICT_FAIL);
    ck_assert_str_eq(r.observed, "no answer within 5 s");
    evk_obs acc = {.upgrade_accepted = true};
    ck_assert_int_eq(judge(&no, &seed, &acc, &r), EVK_VERDICT_FAIL);
    ck_assert_msg(strstr(r.observed, "accepted") != NULL, "%s", r.observed);
}
END_TEST

/* PROTOCOL.md §5's table, as the judge and the reference read it. */
static const struct {
    evk_upgrade k;
    int status, also;
    const char *name;
} upgrades[] = {
    {EVK_UPGRADE_NONE, 101, 0, "none"},
    {EVK_UPGRADE_NO_TOKEN, 400, 401, "no-token"},
    {EVK_UPGRADE_BAD_TOKEN, 401, 0, "bad-token"},
    {EVK_UPGRADE_SECOND, 409, 0, "second-connection"},
};

START_TEST(upgrade_table)
{
    evk_upgrade k = upgrades[_i].k;
    ck_assert_int_eq(evk_upgrade_status(k), upgrades[_i].status);
    ck_assert_int_eq(evk_upgrade_also(k), upgrades[_i].also);
    ck_assert_str_eq(evk_upgrade_name(k), upgrades[_i].name);
    ck_assert(evk_upgrade_accepts(k, upgrades[_i].status));
    ck_assert(evk_upgrade_accepts(k, upgrades[_i].also) == (upgrades[_i].also != 0));
    ck_assert(!evk_upgrade_accepts(k, 0));
    ck_assert(!evk_upgrade_accepts(k, 500));
}
END_TEST

START_TEST(latency_percentiles)
{
    evk_case_result r;
    evk_obs o = {.limit_ms = 100000};
    for (unsigned i = 1; i <= 100; i++) {
        evk_uuid u = {{(uint8_t)i}};
        evk_reading_expect_ack(&o.rd[0], &u, 0);
        o.rd[0].acks[i - 1].seen = 1;
        o.rd[0].acks[i - 1].t_first = i;
    }
    judge(&plain, &seed, &o, &r);
    ck_assert_uint_eq(r.latency.samples, 100);
    ck_assert(r.latency.p50_ms == 50 && r.latency.p99_ms == 99 && r.latency.max_ms == 100);
    ck_assert_msg(strstr(r.observed, "p50 50 ms, p99 99 ms, max 100 ms") != NULL, "%s", r.observed);
    evk_obs_free(&o);
}
END_TEST

/* Informational cases are informational about the choice only (HARNESS.md):
 * accepting or refusing is fine; dropping, stalling or garbage is not. */
START_TEST(informational_still_fails_what_no_choice_allows)
{
    evk_case_result r;
    const evk_case info = {.id = "x.info", .spec = "rule", .flags = EVK_CF_INFORMATIONAL};
    evk_uuid a = {{1}};
    evk_obs o = {.limit_ms = 1000};
    evk_reading_expect_ack(&o.rd[0], &a, 10); /* the model accepts the message */
    o.rd[0].acks[0].seen = 1, o.rd[0].acks[0].t_first = 20;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_INFO); /* accepted */
    o.rd[0].acks[0].seen = 0;
    closed(&o, 4002, 30);
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_INFO); /* refused */
    o.end = EVK_END_DROP;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_FAIL); /* crashed */
    ck_assert_msg(strstr(r.observed, "whatever the choice") != NULL, "%s", r.observed);
    o.end = EVK_END_OPEN;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_FAIL); /* neither acked nor refused */
    o.rd[0].acks[0].seen = 2;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_FAIL); /* acked twice */
    o.rd[0].acks[0].seen = 1;
    o.pings = 1, o.pong_owed = true;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_FAIL); /* hung: no pong */
    o.pong_owed = false;
    strcpy(o.target_violation, "sent garbage");
    o.target_problem = EVK_P_TARGET_INVALID;
    ck_assert_int_eq(judge(&info, &seed, &o, &r), EVK_VERDICT_FAIL);
    evk_obs_free(&o);
}
END_TEST

/* PROTOCOL.md §4: the close comes at once, within the tolerance widened by
 * the round trip of the ping sent just before the violating message. */
START_TEST(close_at_once)
{
    evk_case_result r;
    evk_obs o = closing(EVK_V_NOT_JSON, 4002); /* violation at 100 ms, tolerance 150 */
    closed(&o, 4002, 250);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    closed(&o, 4002, 251);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_LATE_CLOSE));
    ck_assert_msg(strstr(r.observed, "closed 151 ms after the violation, not at once") != NULL, "%s", r.observed);
    /* a ping just before it came back after 80 ms: the bound is 230 ms */
    o.rtt[0] = (evk_rtt_ping){.t_sent = 99, .t_pong = 179, .ponged = true};
    o.nrtt = 1;
    closed(&o, 4002, 330);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    closed(&o, 4002, 331);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    /* a ping sent after the violating message does not count; nor one without a pong */
    o.rtt[0].t_sent = 101;
    closed(&o, 4002, 330);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    o.rtt[0] = (evk_rtt_ping){.t_sent = 99};
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    /* the latest ping before it counts, in a ring of the last ones */
    for (size_t i = 0; i < EVK_RTT_MAX + 3; i++)
        o.rtt[i % EVK_RTT_MAX] = (evk_rtt_ping){.t_sent = i, .t_pong = i + (i == 18 ? 100 : 1), .ponged = true};
    o.nrtt = EVK_RTT_MAX + 3;
    ck_assert_uint_eq(evk_obs_rtt_before(&o, 100), 100);
    ck_assert_uint_eq(evk_obs_rtt_before(&o, 17), 1);
    /* the tolerance option applies */
    o.nrtt = 0;
    closed(&o, 4002, 700);
    evk_result_init(&r, &plain);
    evk_judge(&plain, &seed, &o, 600, 2000, &r);
    ck_assert_int_eq(r.verdict, EVK_VERDICT_PASS);
}
END_TEST

/* PROTOCOL.md §4: Events received before the violation may stay unacked
 * while their limit ran; never acked twice; the violating message never. */
START_TEST(lazy_acks_before_a_violation)
{
    evk_case_result r;
    evk_uuid a = {{1}}, b = {{2}};
    evk_obs o = closing(EVK_V_MISSING_FIELD, 4003);
    o.rd[0].t_close = 400;
    evk_reading_expect_ack(&o.rd[0], &a, 300); /* its limit runs until 1300 */
    closed(&o, 4003, 420);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS); /* dropped by a lazy peer */
    ck_assert_msg(strstr(r.expected, "1 of them optional") != NULL, "%s", r.expected);
    o.rd[0].acks[0].seen = 1, o.rd[0].acks[0].t_first = 410; /* crossed the violation on the wire */
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    o.rd[0].acks[0].seen = 2;
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_DOUBLE_ACK));
    /* an Event whose limit ran out before the violation must have been acked */
    o.rd[0].acks[0].seen = 0;
    evk_reading_expect_ack(&o.rd[0], &b, 0); /* due at 1000 + 150 */
    o.rd[0].t_close = 1200;
    closed(&o, 4003, 1210);
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_MISSING_ACK));
    o.rd[0].acks[1].seen = 1, o.rd[0].acks[1].t_first = 900;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
    /* an Ack of the violating message itself fails under every profile */
    o.rd[0].nviolating_ids = 1;
    o.rd[0].acked_violation = 1;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_ACKED_VIOLATION));
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    evk_obs_free(&o);
}
END_TEST

/* An accepted close the model did not predict (1009, a case's alternative)
 * also makes Acks of Events still within their limit optional. */
START_TEST(lazy_acks_before_an_accepted_close)
{
    evk_case_result r;
    evk_uuid a = {{1}};
    const evk_case big = {.id = "x.big", .spec = "rule", .also_codes = {1009}};
    evk_obs o = {.limit_ms = 1000};
    evk_reading_expect_ack(&o.rd[0], &a, 10);
    closed(&o, 1009, 500);
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_PASS);
    o.rd[0].acks[0].seen = 2;
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_FAIL);
    o.rd[0].acks[0].seen = 0;
    closed(&o, 1009, 1500); /* its limit ran out at 1010 (+150) */
    ck_assert_int_eq(judge(&big, &seed, &o, &r), EVK_VERDICT_FAIL);
    evk_obs_free(&o);
}
END_TEST

/* Duplicate keys: three readings; the one the target fits decides (PROTOCOL.md §2). */
START_TEST(readings_of_a_duplicate_key)
{
    evk_case_result r;
    evk_uuid a = {{1}}, b = {{2}};
    evk_obs o = {.limit_ms = 1000, .nrd = 3};
    o.rd[0].dup_keys = EVK_DUPKEYS_FIRST; /* acks a */
    evk_reading_expect_ack(&o.rd[0], &a, 10);
    o.rd[1].dup_keys = EVK_DUPKEYS_LAST; /* acks b */
    evk_reading_expect_ack(&o.rd[1], &b, 10);
    o.rd[2] = (evk_reading){.dup_keys = EVK_DUPKEYS_REJECT, .close_predicted = true,
                            .close_violation = EVK_V_NOT_JSON, .close_code = 4002, .t_close = 10};
    /* the target acked b (and so a is unknown to the first reading) */
    o.rd[1].acks[0].seen = 1, o.rd[1].acks[0].t_first = 30;
    o.rd[0].unknown_acks = 1;
    o.rd[2].unknown_acks = 1;
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_PASS);
    ck_assert_msg(strstr(r.observed, "duplicate key judged as: the last wins") != NULL, "%s", r.observed);
    /* it closed 4002 at once: the refusing reading fits */
    o.rd[1].acks[0].seen = 0;
    o.rd[0].unknown_acks = o.rd[2].unknown_acks = 0;
    closed(&o, 4002, 40);
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_PASS);
    ck_assert_int_eq(r.expected_violation, EVK_V_NOT_JSON);
    /* it closed 4005: no reading fits */
    closed(&o, 4005, 40);
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    evk_obs_free(&o);
}
END_TEST

/* deadline.respected: evack acked the target's Event at 400 ms of a 500 ms
 * limit (100 ms before it, inside the 150 ms tolerance). A close for an ack
 * timeout at that limit may be a correct target that got the Ack late: skip,
 * saying so. A close well before the limit, another code, an Ack left with
 * room to spare (and no slow round trip), or a double Ack still fail. */
START_TEST(close_at_limit_after_a_tight_ack)
{
    evk_case_result r;
    evk_obs o = {.limit_ms = 500, .tight_ack = true, .tight_ack_left = 420, .tight_ack_limit = 520};
    closed(&o, 4007, 505);
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_SKIP);
    ck_assert_int_eq(r.skipped, EVK_SKIP_ACK_AT_LIMIT);
    ck_assert_msg(strstr(r.observed, "100 ms before that Event's 500 ms limit ran out") != NULL, "%s", r.observed);
    ck_assert_msg(strstr(r.observed, "a longer limit would tell") != NULL, "%s", r.observed);

    closed(&o, 4007, 300); /* before the limit minus the tolerance: the early-closing peer */
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    ck_assert(r.problems & EVK_PROBLEM_BIT(EVK_P_CLOSED_VALID));
    closed(&o, 4002, 505); /* not an ack timeout */
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);

    /* 1 s limit, Ack at 800 ms: 200 ms to spare is more than the tolerance... */
    o = (evk_obs){.limit_ms = 1000, .tight_ack = true, .tight_ack_left = 800, .tight_ack_limit = 1000};
    closed(&o, 4007, 1010);
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    ck_assert(r.problems & EVK_PROBLEM_BIT(EVK_P_CLOSED_VALID));
    /* ...unless the round trip of the ping just before the Ack ate it */
    o.rtt[0] = (evk_rtt_ping){.seq = 0, .t_sent = 799, .t_pong = 860, .ponged = true};
    o.nrtt = 1;
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_SKIP);
    o.rtt[0].t_pong = 830; /* 31 ms: 181 < 200 */
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);

    o = (evk_obs){.limit_ms = 500, .tight_ack = true, .tight_ack_left = 420, .tight_ack_limit = 520};
    closed(&o, 4007, 505);
    evk_reading_expect_ack(&o.rd[0], &(evk_uuid){{1}}, 10);
    o.rd[0].acks[0].seen = 2;
    ck_assert_int_eq(judge(&plain, &strict, &o, &r), EVK_VERDICT_FAIL);
    ck_assert(r.problems & EVK_PROBLEM_BIT(EVK_P_DOUBLE_ACK));
    evk_obs_free(&o);
}
END_TEST

/* event.pipelined: a server's 1008 (rate limiting, PROTOCOL.md §4) skips the
 * case, honestly; its Acks so far are checked for doubles; a client's fails. */
START_TEST(rate_limited_pipeline)
{
    evk_case_result r;
    const evk_case pipe = {.id = "event.pipelined", .spec = "rule", .flags = EVK_CF_RATE_LIMIT};
    evk_obs o = {.limit_ms = 1000, .target_role = EVK_ROLE_SERVER};
    for (uint8_t i = 0; i < 3; i++) evk_reading_expect_ack(&o.rd[0], &(evk_uuid){{i}}, 5);
    o.rd[0].acks[0].seen = 1;
    closed(&o, 1008, 20);
    ck_assert_int_eq(judge(&pipe, &seed, &o, &r), EVK_VERDICT_SKIP);
    ck_assert_int_eq(r.skipped, EVK_SKIP_RATE_LIMITED);
    ck_assert_msg(strstr(r.observed, "rate-limited the pipeline") != NULL, "%s", r.observed);
    o.rd[0].acks[0].seen = 2;
    ck_assert_int_eq(judge(&pipe, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert(r.problems & EVK_PROBLEM_BIT(EVK_P_DOUBLE_ACK));
    o.rd[0].acks[0].seen = 1;
    o.target_role = EVK_ROLE_CLIENT;
    ck_assert_int_eq(judge(&pipe, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert(r.problems & EVK_PROBLEM_BIT(EVK_P_CLOSED_VALID));
    evk_obs_free(&o);
}
END_TEST

/* A case whose own messages never left (evack starved) is no pass. */
START_TEST(unsent_messages_are_no_pass)
{
    evk_case_result r;
    evk_obs o = {.limit_ms = 1000, .unsent = 2};
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_FAIL);
    ck_assert_uint_eq(r.problems, EVK_PROBLEM_BIT(EVK_P_INTERNAL));
    ck_assert_msg(strstr(r.observed, "could not judge") != NULL, "%s", r.observed);
    o.unsent = 0;
    ck_assert_int_eq(judge(&plain, &seed, &o, &r), EVK_VERDICT_PASS);
}
END_TEST

START_TEST(tolerance_rule)
{
    ck_assert_uint_eq(evk_default_tolerance(300), 150);
    ck_assert_uint_eq(evk_default_tolerance(1500), 150);
    ck_assert_uint_eq(evk_default_tolerance(5000), 500);
}
END_TEST

static Suite *judge_suite(void)
{
    Suite *s = suite_create("judge");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, load, NULL);
    tcase_add_test(tc, close_codes_follow_the_profile);
    tcase_add_test(tc, no_close_or_a_drop_fails);
    tcase_add_test(tc, deadline_window);
    tcase_add_test(tc, acks_exactly_once_in_time);
    tcase_add_test(tc, alternatives_of_a_case);
    tcase_add_test(tc, silence_after_the_violation);
    tcase_add_test(tc, flags_skips_and_target_violations);
    tcase_add_test(tc, skip_reasons_follow_the_profile);
    tcase_add_test(tc, upgrade_statuses);
    tcase_add_loop_test(tc, upgrade_table, 0, (int)EVK_COUNTOF(upgrades));
    tcase_add_test(tc, problems_are_bits_not_words);
    tcase_add_test(tc, latency_percentiles);
    tcase_add_test(tc, tolerance_rule);
    tcase_add_test(tc, informational_still_fails_what_no_choice_allows);
    tcase_add_test(tc, close_at_once);
    tcase_add_test(tc, lazy_acks_before_a_violation);
    tcase_add_test(tc, lazy_acks_before_an_accepted_close);
    tcase_add_test(tc, readings_of_a_duplicate_key);
    tcase_add_test(tc, rate_limited_pipeline);
    tcase_add_test(tc, close_at_limit_after_a_tight_ack);
    tcase_add_test(tc, unsent_messages_are_no_pass);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(judge_suite)
