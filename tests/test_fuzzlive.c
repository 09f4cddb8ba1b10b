/* The live fuzzer's pure parts, without any network: the generator is
 * deterministic and covers what it promises, defects are found whatever the
 * check order, findings survive a round trip through a file, and results are
 * read back into the right tags. ctest: unit.fuzzlive. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_fl_case.h"
#include "evk_fl_defects.h"
#include "evk_fl_finding.h"
#include "evk_fl_gen.h"
#include "evk_fl_min.h"
#include "evk_fl_msg.h"
#include "evk_fl_verdict.h"
#include "evk_json.h"
#include "evk_validate.h"

static evk_profile seed, strict;

static void load(void)
{
    char err[256];
    ck_assert_msg(evk_profile_load(&seed, "seed", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(evk_profile_load(&strict, "strict", err, sizeof err) == 0, "%s", err);
}

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static size_t raw_len(const evk_msg_tpl *t)
{
    return t->raw ? (t->raw_len ? t->raw_len : strlen(t->raw)) : 0;
}

static bool same_step(const evk_step *a, const evk_step *b)
{
    const evk_msg_tpl *x = &a->msg, *y = &b->msg;
    /* fractions of the limit: a file keeps 15 significant digits */
    double df = a->frac > b->frac ? a->frac - b->frac : b->frac - a->frac;
    return a->kind == b->kind && a->n == b->n && df < 1e-9 && a->ms == b->ms && x->kind == y->kind &&
           raw_len(x) == raw_len(y) && (!x->raw || memcmp(x->raw, y->raw, raw_len(x)) == 0) && same_str(x->id, y->id) &&
           same_str(x->drop, y->drop) && same_str(x->set, y->set) && same_str(x->to, y->to) &&
           same_str(x->extra, y->extra) && same_str(x->payload, y->payload) && x->spaced == y->spaced &&
           x->escaped == y->escaped;
}

static bool same_case(const evk_fl_case *a, const evk_fl_case *b)
{
    if (a->n != b->n || a->c.flags != b->c.flags || a->c.also != b->c.also ||
        memcmp(a->c.also_codes, b->c.also_codes, sizeof a->c.also_codes) != 0)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!same_step(&a->steps[i], &b->steps[i])) return false;
    return true;
}

/* ---- the generator --------------------------------------------------- */

START_TEST(gen_deterministic)
{
    evk_fl_gen_opts o = {.profile = _i ? &strict : &seed, .seed = 12345, .trigger = true};
    for (uint64_t i = 0; i < 400; i++) {
        evk_fl_case *a = evk_fl_generate(&o, i), *b = evk_fl_generate(&o, i);
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_msg(same_case(a, b), "session %llu differs between two generations", (unsigned long long)i);
        ck_assert_uint_eq(a->index, i);
        evk_fl_case_free(a);
        evk_fl_case_free(b);
    }
}
END_TEST

START_TEST(gen_seed_matters)
{
    evk_fl_gen_opts o1 = {.profile = &seed, .seed = 1, .trigger = true}, o2 = o1;
    o2.seed = 2;
    int same = 0;
    for (uint64_t i = 0; i < 200; i++) {
        evk_fl_case *a = evk_fl_generate(&o1, i), *b = evk_fl_generate(&o2, i);
        same += same_case(a, b) && a->n > 0;
        evk_fl_case_free(a);
        evk_fl_case_free(b);
    }
    ck_assert_msg(same < 5, "%d of 200 non-empty sessions are the same under seeds 1 and 2", same);
}
END_TEST

/* What the sessions of one seed contain, counted over many sessions. */
typedef struct coverage {
    unsigned kinds[EVK_STEP_SOAK + 1];
    unsigned violations[EVK_V__COUNT];
    unsigned hold_handshake, also, invalid_utf8, placeholders;
    unsigned prefix_invalid; /* a message before the last SEND that is not valid */
} coverage;

static void cover(const evk_profile *p, bool trigger, unsigned sessions, coverage *cv)
{
    memset(cv, 0, sizeof *cv);
    evk_fl_gen_opts o = {.profile = p, .seed = 99, .trigger = trigger};
    for (uint64_t i = 0; i < sessions; i++) {
        evk_fl_case *fc = evk_fl_generate(&o, i);
        ck_assert_ptr_nonnull(fc);
        cv->hold_handshake += (fc->c.flags & EVK_CF_HOLD_HANDSHAKE) != 0;
        cv->also += fc->c.also != EVK_V_NONE;
        size_t last_send = fc->n;
        for (size_t k = 0; k < fc->n; k++)
            if (fc->steps[k].kind == EVK_STEP_SEND || fc->steps[k].kind == EVK_STEP_SEND_FRAGMENTS ||
                fc->steps[k].kind == EVK_STEP_SEND_BINARY)
                last_send = k;
        for (size_t k = 0; k < fc->n; k++) {
            const evk_step *st = &fc->steps[k];
            cv->kinds[st->kind]++;
            if (st->msg.kind != EVK_MSG_NONE || !st->msg.raw) continue;
            size_t len = raw_len(&st->msg);
            if (memmem(st->msg.raw, len, "${", 2)) {
                cv->placeholders++;
                continue;
            }
            evk_violation first;
            evk_fl_defects(p, st->msg.raw, len, st->kind != EVK_STEP_SEND_BINARY, &first);
            cv->violations[first]++;
            if (!evk_utf8_valid(st->msg.raw, len)) cv->invalid_utf8++;
            /* Only the last message of a session may break a rule (the two
             * Events of a duplicate id are both valid on their own). */
            if (k < last_send && first != EVK_V_NONE) cv->prefix_invalid++;
        }
        evk_fl_case_free(fc);
    }
}

START_TEST(gen_covers_seed)
{
    coverage cv;
    cover(&seed, true, 5000, &cv);
    static const evk_step_kind kinds[] = {EVK_STEP_SEND, EVK_STEP_SEND_BINARY, EVK_STEP_SEND_FRAGMENTS,
                                          EVK_STEP_PING, EVK_STEP_WAIT, EVK_STEP_WAIT_ACKS,
                                          EVK_STEP_ACK_HANDSHAKE, EVK_STEP_HOLD, EVK_STEP_ACK_HELD,
                                          EVK_STEP_EVENTS};
    for (size_t i = 0; i < EVK_COUNTOF(kinds); i++)
        ck_assert_msg(cv.kinds[kinds[i]] > 0, "no step of kind %s in 5000 sessions", evk_fl_step_name(kinds[i]));
    static const evk_violation v[] = {EVK_V_NONE, EVK_V_NOT_TEXT, EVK_V_NOT_JSON, EVK_V_MISSING_FIELD,
                                      EVK_V_WRONG_TYPE, EVK_V_INVALID_VALUE};
    for (size_t i = 0; i < EVK_COUNTOF(v); i++)
        ck_assert_msg(cv.violations[v[i]] > 10, "only %u message(s) of class %s", cv.violations[v[i]],
                      evk_violation_key(v[i]));
    ck_assert_uint_gt(cv.hold_handshake, 100);
    ck_assert_uint_gt(cv.also, 50);
    ck_assert_uint_gt(cv.invalid_utf8, 10);
    ck_assert_uint_gt(cv.placeholders, 10);
    ck_assert_msg(cv.prefix_invalid == 0, "%u invalid message(s) before a session's last one", cv.prefix_invalid);
}
END_TEST

START_TEST(gen_covers_strict)
{
    coverage cv;
    cover(&strict, true, 5000, &cv);
    ck_assert_msg(cv.violations[EVK_V_FATAL_STATUS] > 0, "no fatal status under strict");
    ck_assert_uint_gt(cv.violations[EVK_V_NONE], 1000);
    ck_assert_msg(cv.prefix_invalid == 0, "%u invalid message(s) before a session's last one", cv.prefix_invalid);
}
END_TEST

START_TEST(gen_without_trigger)
{
    coverage cv;
    cover(&seed, false, 2000, &cv);
    ck_assert_uint_eq(cv.kinds[EVK_STEP_HOLD], 0);
    ck_assert_uint_eq(cv.kinds[EVK_STEP_ACK_HELD], 0);
}
END_TEST

START_TEST(gen_client_role)
{
    evk_fl_gen_opts o = {.profile = &strict, .seed = 4, .trigger = true, .target_role = EVK_ROLE_CLIENT};
    unsigned own = 0, hs_steps = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        evk_fl_case *fc = evk_fl_generate(&o, i);
        own += (fc->c.flags & EVK_CF_OWN_HANDSHAKE) != 0;
        ck_assert(!(fc->c.flags & EVK_CF_HOLD_HANDSHAKE));
        for (size_t j = 0; j < fc->n; j++) hs_steps += fc->steps[j].kind == EVK_STEP_ACK_HANDSHAKE;
        if (fc->c.flags & EVK_CF_OWN_HANDSHAKE) /* the first step is our handshake Event */
            ck_assert(fc->n >= 1 && fc->steps[0].msg.kind == EVK_MSG_EVENT && fc->steps[0].msg.payload);
        evk_fl_case_free(fc);
    }
    ck_assert_uint_gt(own, 100);
    ck_assert_uint_eq(hs_steps, 0); /* a server-only step */
}
END_TEST

/* Valid Acks go out clear of the judge's tolerance before the deadline,
 * late ones clear of it after. */
START_TEST(gen_fracs_fit_the_limit)
{
    static const struct { uint64_t limit; double max_valid; } rows[] = {
        {0, 0.6}, {500, 0.6}, {200, 0.0}, {1000, 0.6}, {300, (300.0 - 150 - 50) / 300},
    };
    for (size_t k = 0; k < EVK_COUNTOF(rows); k++) {
        evk_fl_gen_opts o = {.profile = &seed, .seed = 8, .trigger = true, .limit_ms = rows[k].limit};
        unsigned valid = 0, late = 0;
        for (uint64_t i = 0; i < 3000; i++) {
            evk_fl_case *fc = evk_fl_generate(&o, i);
            for (size_t j = 0; j < fc->n; j++) {
                const evk_step *st = &fc->steps[j];
                if (st->kind != EVK_STEP_ACK_HELD && st->kind != EVK_STEP_ACK_HANDSHAKE) continue;
                if (st->frac < 1) {
                    valid++;
                    ck_assert_msg(st->frac <= rows[k].max_valid + 1e-9, "limit %llu: a valid Ack at %.2f",
                                  (unsigned long long)rows[k].limit, st->frac);
                } else {
                    late++;
                    ck_assert_msg(st->frac >= 1.4, "a late Ack at %.2f", st->frac);
                }
            }
            evk_fl_case_free(fc);
        }
        ck_assert_uint_gt(valid, 100);
        ck_assert_uint_gt(late, 10);
    }
}
END_TEST

/* ---- messages and defects -------------------------------------------- */

START_TEST(bytes_leave_no_placeholder)
{
    evk_fl_rng r;
    evk_fl_rng_init(&r, 5, 5);
    for (int i = 0; i < 20000; i++) {
        char t[256] = "${id}${now}$${{${";
        size_t len = strlen(t);
        evk_fl_mutate_bytes(&r, t, &len, sizeof t - 1);
        ck_assert_msg(!memmem(t, len, "${", 2), "round %d left a placeholder", i);
        ck_assert_uint_lt(len, sizeof t);
    }
}
END_TEST

static const struct {
    const char *text;
    bool strict_profile;
    evk_violation first;
    evk_violation also; /* another class that must be found (NONE: none) */
} defect_rows[] = {
    {"{\"type\":\"event\",\"id\":\"6f1c7c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\"}",
     false, EVK_V_NONE, EVK_V_NONE},
    {"{\"type\":\"event\",\"sent_at\":\"yesterday\"}", true, EVK_V_MISSING_FIELD, EVK_V_INVALID_VALUE},
    {"{\"type\":\"event\",\"id\":7,\"sent_at\":\"2026-01-05T15:34:02.123456+0000\",\"status\":\"bad\",\"payload\":{}}",
     true, EVK_V_WRONG_TYPE, EVK_V_INVALID_VALUE},
    {"{\"type\":\"event\",\"id\":\"x\",\"sent_at\":1,\"status\":\"ok\",\"payload\":{}}", true, EVK_V_WRONG_TYPE,
     EVK_V_INVALID_VALUE},
    {"{\"type\":\"ack\",\"id\":\"{6f1c7c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e}\"}", false, EVK_V_MISSING_FIELD,
     EVK_V_INVALID_VALUE},
    {"{\"type\":\"Event\",\"id\":null}", false, EVK_V_INVALID_VALUE, EVK_V_WRONG_TYPE},
    {"{\"type\":\"event\",\"id\":\"6f1c7c1e-2f3a-4b5c-9d8e-7f6a5b4c3d2e\",\"sent_at\":\"2026-01-05T15:34:02.123456+0000\",\"status\":\"fatal\"}",
     true, EVK_V_MISSING_FIELD, EVK_V_FATAL_STATUS},
    {"{\"type\":\"event\",", false, EVK_V_NOT_JSON, EVK_V_NONE},
    {"[1]", false, EVK_V_NOT_JSON, EVK_V_NONE},
};

START_TEST(defects_row)
{
    const evk_profile *p = defect_rows[_i].strict_profile ? &strict : &seed;
    const char *t = defect_rows[_i].text;
    evk_violation first;
    unsigned bits = evk_fl_defects(p, t, strlen(t), true, &first);
    ck_assert_msg(first == defect_rows[_i].first, "row %d: first %s, want %s", _i, evk_violation_key(first),
                  evk_violation_key(defect_rows[_i].first));
    if (first != EVK_V_NONE) ck_assert_msg(bits & (1u << first), "row %d: the first class is not in the set", _i);
    else ck_assert_uint_eq(bits, 0);
    if (defect_rows[_i].also != EVK_V_NONE)
        ck_assert_msg(bits & (1u << defect_rows[_i].also), "row %d: %s not found (bits %#x)", _i,
                      evk_violation_key(defect_rows[_i].also), bits);
}
END_TEST

START_TEST(defects_binary)
{
    evk_violation first;
    ck_assert_uint_eq(evk_fl_defects(&seed, "{}", 2, false, &first), 1u << EVK_V_NOT_TEXT);
    ck_assert_int_eq(first, EVK_V_NOT_TEXT);
}
END_TEST

START_TEST(alternatives_fit)
{
    evk_case c = {.id = "x"};
    int codes[] = {1007, 0};
    ck_assert(evk_fl_add_alternatives(&c, &strict, (1u << EVK_V_INVALID_VALUE) | (1u << EVK_V_UNKNOWN_ACK), codes));
    ck_assert_int_eq(c.also, EVK_V_INVALID_VALUE);
    ck_assert_int_eq(c.also_codes[0], 4008);
    ck_assert_int_eq(c.also_codes[1], 1007);
    /* Under seed most classes accept any 4001-4999: nothing more to add. */
    evk_case d = {.id = "y"};
    ck_assert(evk_fl_add_alternatives(&d, &seed, (1u << EVK_V_INVALID_VALUE) | (1u << EVK_V_WRONG_TYPE), NULL));
    ck_assert_int_eq(d.also_codes[0], 0);
    /* Too many to fit. */
    evk_case e = {.id = "z"};
    unsigned all = (1u << EVK_V_MISSING_FIELD) | (1u << EVK_V_WRONG_TYPE) | (1u << EVK_V_DUPLICATE_ID) |
                   (1u << EVK_V_ACK_TIMEOUT) | (1u << EVK_V_UNKNOWN_ACK) | (1u << EVK_V_FATAL_STATUS);
    ck_assert(!evk_fl_add_alternatives(&e, &strict, all, NULL));
}
END_TEST

/* ---- verdicts -------------------------------------------------------- */

#define PB(p) EVK_PROBLEM_BIT(EVK_P_##p)

/* Classification reads the judge's bits; the words (which quote the target)
 * are set to misleading text on purpose. */
static const struct {
    evk_verdict verdict;
    unsigned problems;
    evk_violation expected;
    int end_code;
    evk_skip_why skipped;
    const char *sig; /* NULL: not a finding */
} verdict_rows[] = {
    {EVK_VERDICT_PASS, 0, EVK_V_NONE, 0, 0, NULL},
    {EVK_VERDICT_PASS, PB(DROP), EVK_V_NONE, -1, 0, NULL}, /* bits alone never make a finding */
    {EVK_VERDICT_FAIL, PB(WRONG_CODE), EVK_V_NOT_JSON, 1000, 0, "wrong-code:1000"},
    {EVK_VERDICT_FAIL, PB(CLOSED_VALID), EVK_V_NONE, 4005, 0, "closed-on-valid:4005"},
    {EVK_VERDICT_FAIL, PB(NO_CLOSE), EVK_V_NOT_JSON, 0, 0, "no-close:not_json"},
    {EVK_VERDICT_FAIL, PB(EARLY_CLOSE), EVK_V_ACK_TIMEOUT, 4007, 0, "early-close:ack_timeout"},
    {EVK_VERDICT_FAIL, PB(DOUBLE_ACK) | PB(LATE_ACK), EVK_V_NONE, 0, 0, "double-ack"},
    {EVK_VERDICT_FAIL, PB(DROP), EVK_V_NOT_JSON, -1, 0, "drop"},
    {EVK_VERDICT_FAIL, PB(NO_RESPONSE), EVK_V_NONE, 0, 0, "no-response"},
    {EVK_VERDICT_FAIL, PB(HANDSHAKE), EVK_V_NONE, 0, 0, "handshake"},
    {EVK_VERDICT_FAIL, PB(CLOSED_VALID) | PB(DROP), EVK_V_NONE, -1, 0, "drop"},
    {EVK_VERDICT_FAIL, 0, EVK_V_NONE, 0, 0, "other"},
    {EVK_VERDICT_SKIP, 0, EVK_V_NONE, 0, EVK_SKIP_INTERRUPTED, NULL},
    {EVK_VERDICT_SKIP, 0, EVK_V_NONE, 0, EVK_SKIP_TOO_FEW_EVENTS, NULL},
    {EVK_VERDICT_NON_STRICT, PB(AFTER_VIOLATION), EVK_V_NOT_JSON, 4002, 0, NULL},
    {EVK_VERDICT_FAIL, PB(INTERNAL), EVK_V_NONE, 0, 0, NULL},
};

START_TEST(verdict_row)
{
    evk_case c = {.id = "fl.1.1"};
    evk_case_result r;
    evk_result_init(&r, &c);
    r.verdict = verdict_rows[_i].verdict;
    r.problems = verdict_rows[_i].problems;
    r.expected_violation = verdict_rows[_i].expected;
    r.end_code = verdict_rows[_i].end_code;
    r.skipped = verdict_rows[_i].skipped;
    snprintf(r.expected, sizeof r.expected, "close 4002 (a message is not parseable as a JSON object)");
    snprintf(r.observed, sizeof r.observed,
             "close 1000 at 1 ms; reason \"wrong close code; no pong; handshake\"; the target broke the protocol: "
             "internal: no response within 1 ms; interrupted");
    evk_fl_class k;
    evk_fl_classify(&r, &k);
    if (!verdict_rows[_i].sig) {
        ck_assert_msg(!k.finding, "row %d: a finding (%s)", _i, k.sig);
    } else {
        ck_assert_msg(k.finding, "row %d: not a finding", _i);
        ck_assert_msg(strcmp(k.sig, verdict_rows[_i].sig) == 0, "row %d: sig %s, want %s", _i, k.sig,
                      verdict_rows[_i].sig);
        evk_fl_class back;
        ck_assert_int_eq(evk_fl_class_from_sig(k.sig, &back), 0);
        ck_assert_msg(evk_fl_reproduces(&back, &k), "row %d: does not reproduce itself", _i);
    }
    evk_result_reset(&r);
}
END_TEST

START_TEST(verdict_reproduces)
{
    evk_fl_class want, got;
    ck_assert_int_eq(evk_fl_class_from_sig("wrong-code:1000", &want), 0);
    ck_assert_int_eq(evk_fl_class_from_sig("wrong-code:4002", &got), 0);
    ck_assert(!evk_fl_reproduces(&want, &got));
    ck_assert_int_eq(evk_fl_class_from_sig("missing-ack", &want), 0);
    got.tags |= 1u << EVK_FL_T_MISSING_ACK; /* a secondary tag is enough */
    ck_assert(evk_fl_reproduces(&want, &got));
    got.finding = false;
    ck_assert(!evk_fl_reproduces(&want, &got));
    ck_assert_int_eq(evk_fl_class_from_sig("no-such-tag", &got), -1);
}
END_TEST

/* ---- finding files --------------------------------------------------- */

START_TEST(finding_round_trip)
{
    evk_fl_gen_opts o = {.profile = &seed, .seed = 77, .trigger = true};
    if (_i) o.target_role = EVK_ROLE_CLIENT; /* own handshakes */
    char path[] = "/tmp/evk-fl-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (uint64_t i = 0; i < 300; i++) {
        evk_fl_case *fc = evk_fl_generate(&o, i);
        if (i == 0) { /* bytes JSON cannot carry as text */
            evk_step st = {.kind = EVK_STEP_SEND_BINARY, .msg = {.raw = "a\0\xff", .raw_len = 3}};
            evk_fl_case_add(fc, &st);
        }
        evk_fl_finding f = {.fc = fc};
        ck_assert_int_eq(evk_fl_class_from_sig("wrong-code:4002", &f.cls), 0);
        snprintf(f.target, sizeof f.target, "ws://127.0.0.1:1/");
        snprintf(f.role, sizeof f.role, "server");
        snprintf(f.profile, sizeof f.profile, "seed");
        char err[256];
        ck_assert_msg(evk_fl_finding_write(path, &f, NULL, err, sizeof err) == 0, "%s", err);
        evk_fl_finding g;
        ck_assert_msg(evk_fl_finding_read(path, &g, err, sizeof err) == 0, "%s", err);
        ck_assert_msg(same_case(fc, g.fc), "session %llu changed in the file", (unsigned long long)i);
        ck_assert_str_eq(g.cls.sig, "wrong-code:4002");
        ck_assert_uint_eq(g.fc->index, i);
        ck_assert_uint_eq(g.fc->seed, 77);
        evk_fl_finding_reset(&g);
        evk_fl_case_free(fc);
    }
    unlink(path);
}
END_TEST

START_TEST(finding_bad_files)
{
    static const char *const bad[] = {
        "not json", "{}", "{\"evack_finding\":1,\"signature\":\"nope\",\"steps\":[]}",
        "{\"evack_finding\":1,\"signature\":\"drop\"}",
        "{\"evack_finding\":1,\"signature\":\"drop\",\"steps\":[{\"step\":\"fly\"}]}",
        "{\"evack_finding\":1,\"signature\":\"drop\",\"steps\":[{\"step\":\"send\",\"hex\":\"zz\"}]}",
        "{\"evack_finding\":1,\"signature\":\"drop\",\"steps\":[{\"step\":\"send\"}]}",
        "{\"evack_finding\":1,\"signature\":\"drop\",\"flags\":[\"fly\"],\"steps\":[]}",
    };
    char path[] = "/tmp/evk-fl-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    for (size_t i = 0; i < EVK_COUNTOF(bad); i++) {
        FILE *fp = fopen(path, "w");
        fputs(bad[i], fp);
        fclose(fp);
        evk_fl_finding g;
        char err[256] = "";
        ck_assert_msg(evk_fl_finding_read(path, &g, err, sizeof err) == -1, "file %zu was accepted", i);
        ck_assert_msg(strstr(err, path) == err, "file %zu: error \"%s\" does not name the file", i, err);
        ck_assert_ptr_null(g.fc);
    }
    unlink(path);
}
END_TEST

START_TEST(subset_keeps_origin)
{
    evk_fl_gen_opts o = {.profile = &seed, .seed = 3, .trigger = true};
    evk_fl_case *fc = NULL;
    for (uint64_t i = 0; !fc || fc->n < 3; i++) {
        evk_fl_case_free(fc);
        fc = evk_fl_generate(&o, i);
    }
    bool keep[64] = {0};
    keep[1] = true;
    evk_fl_case *s = evk_fl_case_subset(fc, keep);
    ck_assert_uint_eq(s->n, 1);
    ck_assert(same_step(&s->steps[0], &fc->steps[1]));
    ck_assert_int_eq(s->steps[1].kind, EVK_STEP_END);
    ck_assert_str_eq(s->c.id, fc->id);
    ck_assert_uint_eq(s->index, fc->index);
    ck_assert_int_eq(s->c.flags, fc->c.flags);
    evk_fl_case_free(s);
    evk_fl_case_free(fc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fuzzlive");
    TCase *t = tcase_create("fuzzlive");
    tcase_set_timeout(t, 60);
    tcase_add_unchecked_fixture(t, load, NULL);
    tcase_add_loop_test(t, gen_deterministic, 0, 2);
    tcase_add_test(t, gen_seed_matters);
    tcase_add_test(t, gen_covers_seed);
    tcase_add_test(t, gen_covers_strict);
    tcase_add_test(t, gen_without_trigger);
    tcase_add_test(t, gen_fracs_fit_the_limit);
    tcase_add_test(t, gen_client_role);
    tcase_add_test(t, bytes_leave_no_placeholder);
    tcase_add_loop_test(t, defects_row, 0, (int)EVK_COUNTOF(defect_rows));
    tcase_add_test(t, defects_binary);
    tcase_add_test(t, alternatives_fit);
    tcase_add_loop_test(t, verdict_row, 0, (int)EVK_COUNTOF(verdict_rows));
    tcase_add_test(t, verdict_reproduces);
    tcase_add_loop_test(t, finding_round_trip, 0, 2);
    tcase_add_test(t, finding_bad_files);
    tcase_add_test(t, subset_keeps_origin);
    suite_add_tcase(s, t);
    return s;
}

EVK_CHECK_MAIN(suite)
