/* The bounded reassembly buffer. */
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_msgbuf.h"

START_TEST(pieces_make_a_message)
{
    evk_msgbuf b = {.max = 10};
    ck_assert_int_eq(evk_msgbuf_add(&b, "hello", 5), 0);
    ck_assert_int_eq(evk_msgbuf_add(&b, "", 0), 0);
    ck_assert_int_eq(evk_msgbuf_add(&b, "world", 5), 0); /* exactly max */
    ck_assert_uint_eq(b.len, 10);
    ck_assert(memcmp(b.data, "helloworld", 10) == 0);
    ck_assert_int_eq(evk_msgbuf_add(&b, "!", 1), EVK_ETOOBIG); /* one byte over */
    ck_assert_uint_eq(b.len, 10);                               /* nothing appended */
    evk_msgbuf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(evk_msgbuf_add(&b, "x", 1), 0);
    evk_msgbuf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(big_buffers_are_given_back)
{
    enum { N = 3u << 20 };
    static char chunk[1u << 16];
    evk_msgbuf b = {.max = 4u << 20};
    for (unsigned i = 0; i < N / sizeof chunk; i++) ck_assert_int_eq(evk_msgbuf_add(&b, chunk, sizeof chunk), 0);
    ck_assert_uint_eq(b.len, N);
    ck_assert_uint_le(b.cap, b.max); /* never more than the bound */
    evk_msgbuf_done(&b);
    ck_assert_ptr_null(b.data); /* over EVK_MSGBUF_KEEP: released */
    ck_assert_int_eq(evk_msgbuf_add(&b, "small", 5), 0);
    evk_msgbuf_done(&b);
    ck_assert_ptr_nonnull(b.data); /* small ones are kept for the next message */
    evk_msgbuf_free(&b);
}
END_TEST

static Suite *msgbuf_suite(void)
{
    Suite *s = suite_create("msgbuf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, pieces_make_a_message);
    tcase_add_test(tc, big_buffers_are_given_back);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(msgbuf_suite)
