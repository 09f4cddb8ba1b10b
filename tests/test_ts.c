/* ISO 8601 tiers and the sent_at formatter (PROTOCOL.md §2). */
#include <string.h>

#include "check_main.h"
#include "evk_err.h"
#include "evk_ts.h"

#define C EVK_TS_CANONICAL
#define L EVK_TS_LENIENT
#define I EVK_TS_INVALID

static const struct {
    const char *in;
    evk_ts_tier want;
} rows[] = {
    /* canonical: what conforming peers send */
    {"2026-01-05T15:34:02.123456+0000", C},
    {"2026-01-05T15:34:02.123456+00:00", C},
    {"2026-01-05T15:34:02.123456Z", C},
    {"2026-01-05T15:34:02.1-0530", C},
    {"2026-01-05T15:34:02.123456789+2359", C},  /* 9 digits, max offset */
    {"2024-02-29T23:59:59.999999+0000", C},     /* leap day */
    {"2000-02-29T00:00:00.0Z", C},              /* 2000 is a leap year */
    {"2016-12-31T23:59:60.5Z", C},              /* leap second */
    {"0000-01-01T00:00:00.0Z", C},
    {"9999-12-31T23:59:59.999999Z", C},
    /* lenient: other ISO 8601 date-times */
    {"2026-01-05T15:34:02+00:00", L},           /* no fraction */
    {"2026-01-05T15:34:02.123456", L},          /* no offset */
    {"2026-01-05T15:34:02,123456+0000", L},     /* comma */
    {"2026-01-05T15:34:02", L},
    {"2026-01-05T15:34Z", L},                   /* no seconds */
    {"2026-01-05T15:34:02.1234567890Z", L},     /* 10 fraction digits */
    {"2026-01-05T15:34:02.123+05", L},          /* offset hours only */
    {"20260105T153402Z", L},                    /* basic form */
    {"20260105T153402.123+0100", L},
    {"20260105T1534", L},
    /* invalid */
    {"2026-02-29T00:00:00.0Z", I},              /* not a leap year */
    {"1900-02-29T00:00:00.0Z", I},              /* century rule */
    {"2026-04-31T00:00:00.0Z", I},
    {"2026-13-01T00:00:00.0Z", I},
    {"2026-00-01T00:00:00.0Z", I},
    {"2026-01-00T00:00:00.0Z", I},
    {"2026-01-05T24:00:00.0Z", I},
    {"2026-01-05T23:60:00.0Z", I},
    {"2026-01-05T23:59:61.0Z", I},
    {"2026-01-05T15:34:02.123+2400", I},        /* offset hour */
    {"2026-01-05T15:34:02.123+0060", I},        /* offset minute */
    {"2026-01-05t15:34:02.123456Z", I},         /* lower-case t */
    {"2026-01-05T15:34:02.123456z", I},         /* lower-case z */
    {"2026-01-05 15:34:02.123456Z", I},         /* space */
    {"2026-01-05", I},                          /* a date alone */
    {"1767627242", I},                          /* a number */
    {"", I},
    {"yesterday", I},
    {"2026-01-05T15:34:02.Z", I},               /* dot without digits */
    {"2026-01-05T15:34:02.123456+00:0", I},
    {"2026-01-05T15:34:02.123456+0000 ", I},    /* trailing space */
    {"2026-01-05T153402Z", I},                  /* mixed extended/basic */
    {"20260105T15:34:02Z", I},
    {"20260105T153402+01:00", I},
    {"+2026-01-05T15:34:02.1Z", I},             /* expanded year */
    {"26-01-05T15:34:02.1Z", I},
};

START_TEST(classify_row)
{
    evk_ts_tier got = evk_ts_classify(rows[_i].in, strlen(rows[_i].in));
    ck_assert_msg(got == rows[_i].want, "row %d \"%s\": want %s, got %s", _i, rows[_i].in,
                  evk_ts_tier_name(rows[_i].want), evk_ts_tier_name(got));
}
END_TEST

START_TEST(length_is_respected)
{
    const char *s = "2026-01-05T15:34:02.123456+0000garbage";
    ck_assert_int_eq(evk_ts_classify(s, 31), EVK_TS_CANONICAL);
    ck_assert_int_eq(evk_ts_classify(s, strlen(s)), EVK_TS_INVALID);
    ck_assert_int_eq(evk_ts_classify(s, 30), EVK_TS_INVALID); /* "+000" */
}
END_TEST

START_TEST(format_known_instants)
{
    char out[EVK_TS_BUFSZ];
    ck_assert_int_eq(evk_ts_format(0, out), 0);
    ck_assert_str_eq(out, "1970-01-01T00:00:00.000000+0000");
    ck_assert_int_eq(evk_ts_format(1767627242123456LL, out), 0);
    ck_assert_str_eq(out, "2026-01-05T15:34:02.123456+0000");
    ck_assert_int_eq(evk_ts_format(951782400000000LL, out), 0); /* 2000-02-29 */
    ck_assert_str_eq(out, "2000-02-29T00:00:00.000000+0000");
    ck_assert_int_eq(evk_ts_format(-1, out), 0);
    ck_assert_str_eq(out, "1969-12-31T23:59:59.999999+0000");
    ck_assert_int_eq(evk_ts_format(253402300799999999LL, out), 0);
    ck_assert_str_eq(out, "9999-12-31T23:59:59.999999+0000");
    ck_assert_int_eq(evk_ts_format(253402300800000000LL, out), EVK_EINVAL);
}
END_TEST

START_TEST(formatted_is_canonical)
{
    /* Every 7th day over 60 years, at an odd time of day. */
    char out[EVK_TS_BUFSZ];
    for (int64_t day = -3650; day < 18250; day += 7) {
        int64_t us = day * 86400000000LL + 45296789012LL;
        if (evk_ts_format(us, out) != 0 || evk_ts_classify(out, strlen(out)) != EVK_TS_CANONICAL)
            ck_abort_msg("day %lld: \"%s\" is not canonical", (long long)day, out);
    }
}
END_TEST

START_TEST(days_in_month)
{
    ck_assert_int_eq(evk_ts_days_in_month(2024, 2), 29);
    ck_assert_int_eq(evk_ts_days_in_month(2100, 2), 28);
    ck_assert_int_eq(evk_ts_days_in_month(2000, 2), 29);
    ck_assert_int_eq(evk_ts_days_in_month(2026, 11), 30);
    ck_assert_int_eq(evk_ts_days_in_month(2026, 13), 0);
}
END_TEST

static Suite *ts_suite(void)
{
    Suite *s = suite_create("iso8601");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, classify_row, 0, (int)EVK_COUNTOF(rows));
    tcase_add_test(tc, length_is_respected);
    tcase_add_test(tc, format_known_instants);
    tcase_add_test(tc, formatted_is_canonical);
    tcase_add_test(tc, days_in_month);
    suite_add_tcase(s, tc);
    return s;
}

EVK_CHECK_MAIN(ts_suite)
