/* The transcript API: entries are added whole and later fragments extend
 * them through the place evk_transcript_add returned; nothing else edits
 * an entry. */
#include <string.h>

#include "check_main.h"
#include "evk_result.h"

START_TEST(add_returns_places_in_order)
{
    evk_transcript t = {0};
    evk_tref a = evk_transcript_add(&t, 1, true, EVK_T_TEXT, "abc", 3, 0);
    evk_tref b = evk_transcript_add(&t, 2, false, EVK_T_CLOSE, "bye", 3, 4001);
    ck_assert_uint_eq(a, 0);
    ck_assert_uint_eq(b, 1);
    ck_assert_uint_eq(t.n, 2);
    ck_assert(t.e[0].out && !t.e[1].out);
    ck_assert_int_eq(t.e[1].code, 4001);
    ck_assert_str_eq(t.e[0].data, "abc");
    ck_assert_uint_eq(t.e[0].size, 3);
    ck_assert_uint_eq(t.e[0].fragments, 1);
    evk_transcript_free(&t);
    ck_assert_uint_eq(t.n, 0);
}
END_TEST

START_TEST(extend_adds_a_fragment_to_that_entry_only)
{
    evk_transcript t = {0};
    evk_tref a = evk_transcript_add(&t, 1, true, EVK_T_TEXT, "{\"ty", 4, 0);
    evk_transcript_add(&t, 2, false, EVK_T_NOTE, "a note between", 14, 0);
    evk_transcript_extend(&t, a, 10);
    evk_transcript_extend(&t, a, 5);
    ck_assert_uint_eq(t.e[0].size, 19);
    ck_assert_uint_eq(t.e[0].fragments, 3);
    ck_assert_str_eq(t.e[0].data, "{\"ty"); /* the data shown is the first fragment's */
    ck_assert_uint_eq(t.e[1].size, 14);
    ck_assert_uint_eq(t.e[1].fragments, 1);
    evk_transcript_free(&t);
}
END_TEST

START_TEST(extend_of_nothing_changes_nothing)
{
    evk_transcript t = {0};
    evk_transcript_add(&t, 1, true, EVK_T_TEXT, "x", 1, 0);
    evk_transcript_extend(&t, EVK_TREF_NONE, 7);
    evk_transcript_extend(&t, 5, 7); /* not an entry of this transcript */
    ck_assert_uint_eq(t.e[0].size, 1);
    ck_assert_uint_eq(t.e[0].fragments, 1);
    evk_transcript_free(&t);
}
END_TEST

START_TEST(data_is_cut_size_is_not)
{
    evk_transcript t = {0};
    static char big[EVK_TRANSCRIPT_DATA * 2];
    memset(big, 'a', sizeof big);
    evk_tref a = evk_transcript_add(&t, 0, true, EVK_T_BINARY, big, sizeof big, 0);
    ck_assert_uint_eq(t.e[a].data_len, EVK_TRANSCRIPT_DATA);
    ck_assert_uint_eq(t.e[a].size, sizeof big);
    ck_assert_uint_eq(strlen(t.e[a].data), EVK_TRANSCRIPT_DATA);
    evk_transcript_free(&t);
}
END_TEST

START_TEST(a_full_transcript_counts_what_it_drops)
{
    evk_transcript t = {0};
    for (int i = 0; i < EVK_TRANSCRIPT_MAX; i++)
        ck_assert_uint_eq(evk_transcript_add(&t, (uint64_t)i, true, EVK_T_TEXT, "m", 1, 0), (evk_tref)i);
    evk_tref late = evk_transcript_add(&t, 0, true, EVK_T_TEXT, "first piece", 11, 0);
    ck_assert(late == EVK_TREF_NONE);
    ck_assert_uint_eq(t.dropped, 1);
    evk_transcript_extend(&t, late, 100); /* the later pieces of a dropped message go nowhere */
    for (size_t i = 0; i < t.n; i++) ck_assert_uint_eq(t.e[i].size, 1);
    ck_assert_uint_eq(t.n, EVK_TRANSCRIPT_MAX);
    evk_transcript_free(&t);
}
END_TEST

static Suite *result_suite(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("transcript");
    tcase_add_test(tc, add_returns_places_in_order);
    tcase_add_test(tc, extend_adds_a_fragment_to_that_entry_only);
    tcase_add_test(tc, extend_of_nothing_changes_nothing);
    tcase_add_test(tc, data_is_cut_size_is_not);
    tcase_add_test(tc, a_full_transcript_counts_what_it_drops);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(result_suite)
