/* Failures grouped by cause: a structured key (problem bits and outcome),
 * never the words, which carry timings and ids. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "evk_causes.h"

static const evk_case cases[6] = {
    {.id = "a.one"}, {.id = "a.two"}, {.id = "b.three"}, {.id = "b.four"}, {.id = "c.five"}, {.id = "c.six"},
};

static void fail_with(evk_case_result *r, size_t i, unsigned problems, int end_code, const char *words)
{
    evk_result_init(r, &cases[i]);
    r->verdict = EVK_VERDICT_FAIL;
    r->problems = problems;
    r->end_code = end_code;
    snprintf(r->observed, sizeof r->observed, "%s", words);
}

START_TEST(grouped_by_key_not_words)
{
    evk_case_result r[6];
    const unsigned none = EVK_PROBLEM_BIT(EVK_P_NO_RESPONSE);
    /* three cases with no answer at all, each with different words */
    fail_with(&r[0], 0, none, 0, "no response within 2000 ms (no handshake Event) at 2001 ms");
    fail_with(&r[1], 1, none, 0, "no response within 2000 ms (no handshake Event) at 2013 ms");
    fail_with(&r[3], 3, none, 0, "something else entirely");
    r[1].blocked = r[3].blocked = true;
    /* two wrong codes: 1000 twice is one cause, with the same words as another cause */
    fail_with(&r[2], 2, EVK_PROBLEM_BIT(EVK_P_WRONG_CODE), 1000, "wrong close code");
    fail_with(&r[4], 4, EVK_PROBLEM_BIT(EVK_P_WRONG_CODE), 1000, "x");
    /* the same bits, another code: another cause (alone, so no group) */
    fail_with(&r[5], 5, EVK_PROBLEM_BIT(EVK_P_WRONG_CODE), 4999, "wrong close code");
    evk_run_info info = {.role = "server", .profile = "seed", .wait_ms = 2000};
    evk_cause g[4];
    int of[6];
    size_t n = evk_causes_group(r, 6, &info, g, 4, of);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(g[0].count, 3);
    ck_assert_uint_eq(g[0].blocked, 2);
    ck_assert_uint_eq(g[0].first, 0);
    ck_assert_str_eq(g[0].title, "no response within 2000 ms (no handshake Event)");
    ck_assert_msg(strstr(g[0].hint, "\"handshake\": null") && strstr(g[0].hint, "--timeout"), "%s", g[0].hint);
    ck_assert_uint_eq(g[1].count, 2);
    ck_assert_msg(strstr(g[1].title, "closed with 1000") != NULL, "%s", g[1].title);
    ck_assert_int_eq(of[0], 0);
    ck_assert_int_eq(of[3], 0);
    ck_assert_int_eq(of[2], 1);
    ck_assert_int_eq(of[5], -1);

    /* baseline-listed failures and other verdicts are not counted */
    r[0].baseline_listed = true;
    r[1].verdict = EVK_VERDICT_PASS;
    n = evk_causes_group(r, 6, &info, g, 4, of);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(g[0].count, 2); /* the wrong codes come first now */
    ck_assert_int_eq(of[0], -1);
    ck_assert_int_eq(of[3], -1); /* its cause is alone now */

    /* the console says it once, at the top of the summary */
    r[0].baseline_listed = false;
    r[1].verdict = EVK_VERDICT_FAIL;
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    evk_console c = {.f = f};
    evk_console_causes(&c, r, 6, &info);
    fclose(f);
    ck_assert_msg(strstr(out, "3 cases failed for one reason: no response within 2000 ms (no handshake Event) (first: a.one)") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "2 of them never reached their own steps; 1 failed on their own rule") != NULL, "%s", out);
    ck_assert_msg(strstr(out, "try: ") != NULL, "%s", out);
    free(out);
    for (size_t i = 0; i < 6; i++) evk_result_reset(&r[i]);
}
END_TEST

static Suite *causes_suite(void)
{
    Suite *s = suite_create("causes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, grouped_by_key_not_words);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(causes_suite)
