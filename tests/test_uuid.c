/* UUID parsing, formatting and v4 generation (PROTOCOL.md §2). */
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_uuid.h"

static const struct {
    const char *in;
    int ok;
} rows[] = {
    {"123e4567-e89b-12d3-a456-426614174000", 1},
    {"123E4567-E89B-12D3-A456-426614174000", 1},   /* upper case */
    {"123e4567-E89B-12d3-a456-426614174000", 1},   /* mixed case */
    {"00000000-0000-0000-0000-000000000000", 1},   /* nil UUID: any version */
    {"ffffffff-ffff-ffff-ffff-ffffffffffff", 1},
    {"{123e4567-e89b-12d3-a456-426614174000}", 0}, /* braces */
    {"urn:uuid:123e4567-e89b-12d3-a456-426614174000", 0},
    {"123e4567e89b12d3a456426614174000", 0},       /* no hyphens */
    {"123e4567-e89b-12d3-a456-42661417400", 0},    /* 35 characters */
    {"123e4567-e89b-12d3-a456-4266141740000", 0},  /* 37 characters */
    {"123e4567-e89b-12d3-a4564-26614174000", 0},   /* hyphen moved */
    {"123e4567-e89b-12d3-a456-42661417400g", 0},   /* non-hex */
    {"123e4567 e89b-12d3-a456-426614174000", 0},
    {" 23e4567-e89b-12d3-a456-426614174000", 0},
    {"", 0},
};

START_TEST(parse_row)
{
    evk_uuid u;
    int rc = evk_uuid_parse(rows[_i].in, strlen(rows[_i].in), &u);
    ck_assert_msg((rc == 0) == rows[_i].ok, "row %d \"%s\": want %s, got rc %d", _i, rows[_i].in,
                  rows[_i].ok ? "valid" : "invalid", rc);
}
END_TEST

START_TEST(embedded_nul_is_not_a_uuid)
{
    evk_uuid u;
    const char s[] = "123e4567-e89b-12d3-a456-42661417400\0";
    ck_assert_int_eq(evk_uuid_parse(s, 36, &u), EVK_EINVAL);
}
END_TEST

START_TEST(format_round_trip_lower_case)
{
    evk_uuid a, b;
    char out[EVK_UUID_STRLEN + 1];
    ck_assert_int_eq(evk_uuid_parse("123E4567-E89B-12D3-A456-426614174000", 36, &a), 0);
    evk_uuid_format(&a, out);
    ck_assert_str_eq(out, "123e4567-e89b-12d3-a456-426614174000");
    ck_assert_int_eq(evk_uuid_parse(out, strlen(out), &b), 0);
    ck_assert(evk_uuid_equal(&a, &b));
}
END_TEST

START_TEST(case_insensitive_equality)
{
    evk_uuid a, b, c;
    evk_uuid_parse("abcdefab-cdef-abcd-efab-cdefabcdefab", 36, &a);
    evk_uuid_parse("ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB", 36, &b);
    evk_uuid_parse("abcdefab-cdef-abcd-efab-cdefabcdefac", 36, &c);
    ck_assert(evk_uuid_equal(&a, &b));
    ck_assert(!evk_uuid_equal(&a, &c));
}
END_TEST

START_TEST(v4_bits)
{
    uint8_t r[16];
    memset(r, 0xff, sizeof r);
    evk_uuid u;
    evk_uuid_v4_from_bytes(r, &u);
    ck_assert_uint_eq(u.b[6] >> 4, 4);
    ck_assert_uint_eq(u.b[8] >> 6, 2);
    memset(r, 0, sizeof r);
    evk_uuid_v4_from_bytes(r, &u);
    ck_assert_uint_eq(u.b[6], 0x40);
    ck_assert_uint_eq(u.b[8], 0x80);
}
END_TEST

START_TEST(v4_from_os_is_random_and_well_formed)
{
    enum { N = 2000 };
    static evk_uuid seen[N];
    int bad = 0;
    for (int i = 0; i < N; i++) {
        char s[EVK_UUID_STRLEN + 1];
        evk_uuid v;
        bad += evk_uuid_v4(&seen[i]) != 0;
        bad += seen[i].b[6] >> 4 != 4 || seen[i].b[8] >> 6 != 2;
        evk_uuid_format(&seen[i], s);
        bad += evk_uuid_parse(s, strlen(s), &v) != 0 || !evk_uuid_equal(&v, &seen[i]);
    }
    ck_assert_int_eq(bad, 0);
    int dups = 0; /* plain loop: each ck_assert costs a write() in Check */
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) dups += evk_uuid_equal(&seen[i], &seen[j]);
    ck_assert_int_eq(dups, 0);
}
END_TEST

static Suite *uuid_suite(void)
{
    Suite *s = suite_create("uuid");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, parse_row, 0, (int)EVK_COUNTOF(rows));
    tcase_add_test(tc, embedded_nul_is_not_a_uuid);
    tcase_add_test(tc, format_round_trip_lower_case);
    tcase_add_test(tc, case_insensitive_equality);
    tcase_add_test(tc, v4_bits);
    tcase_add_test(tc, v4_from_os_is_random_and_well_formed);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(uuid_suite)
