#include "evk_ts.h"

#include <stdbool.h>

#include "evk_err.h"

int evk_ts_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int evk_ts_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    if (month == 2 && evk_ts_is_leap(year)) return 29;
    return days[month - 1];
}

const char *evk_ts_tier_name(evk_ts_tier t)
{
    switch (t) {
    case EVK_TS_CANONICAL: return "canonical";
    case EVK_TS_LENIENT: return "lenient";
    default: return "invalid";
    }
}

/* A cursor over the input; every reader fails softly at the end. */
typedef struct cursor {
    const char *s;
    size_t len, pos;
} cursor;

static bool peek_is(const cursor *c, char ch)
{
    return c->pos < c->len && c->s[c->pos] == ch;
}

static bool is_digit_at(const cursor *c, size_t at)
{
    return at < c->len && c->s[at] >= '0' && c->s[at] <= '9';
}

/* Read exactly n digits into *v. */
static bool digits(cursor *c, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit_at(c, c->pos)) return false;
        x = x * 10 + (c->s[c->pos++] - '0');
    }
    *v = x;
    return true;
}

static bool accept(cursor *c, char ch)
{
    if (!peek_is(c, ch)) return false;
    c->pos++;
    return true;
}

/* Fraction after '.' or ','; returns the digit count (0 if none). */
static size_t fraction(cursor *c, bool *comma)
{
    *comma = false;
    if (!peek_is(c, '.') && !peek_is(c, ',')) return 0;
    if (!is_digit_at(c, c->pos + 1)) return 0; /* the caller sees the stray sign */
    *comma = c->s[c->pos] == ',';
    c->pos++;
    size_t n = 0;
    while (is_digit_at(c, c->pos)) c->pos++, n++;
    return n;
}

typedef enum { OFF_NONE, OFF_Z, OFF_HH, OFF_HHMM, OFF_HH_COLON_MM, OFF_BAD } off_form;

static off_form offset(cursor *c)
{
    if (c->pos == c->len) return OFF_NONE;
    if (accept(c, 'Z')) return OFF_Z;
    if (!accept(c, '+') && !accept(c, '-')) return OFF_BAD;
    int hh, mm;
    if (!digits(c, 2, &hh) || hh > 23) return OFF_BAD;
    if (c->pos == c->len) return OFF_HH;
    bool colon = accept(c, ':');
    if (!digits(c, 2, &mm) || mm > 59) return OFF_BAD;
    return colon ? OFF_HH_COLON_MM : OFF_HHMM;
}

evk_ts_tier evk_ts_classify(const char *s, size_t len)
{
    if (!s) return EVK_TS_INVALID;
    cursor c = {s, len, 0};
    int year, month, day, hour, minute, second = 0;

    /* Date: extended YYYY-MM-DD or basic YYYYMMDD. */
    if (!digits(&c, 4, &year)) return EVK_TS_INVALID;
    bool extended = accept(&c, '-');
    if (!digits(&c, 2, &month)) return EVK_TS_INVALID;
    if (extended && !accept(&c, '-')) return EVK_TS_INVALID;
    if (!digits(&c, 2, &day)) return EVK_TS_INVALID;
    if (!accept(&c, 'T')) return EVK_TS_INVALID; /* a date alone, 't', ' ' */

    /* Time: hh:mm[:ss] or hhmm[ss], the separator matching the date's form. */
    if (!digits(&c, 2, &hour)) return EVK_TS_INVALID;
    if (extended && !accept(&c, ':')) return EVK_TS_INVALID;
    if (!digits(&c, 2, &minute)) return EVK_TS_INVALID;
    bool has_seconds = false;
    if (extended ? accept(&c, ':') : is_digit_at(&c, c.pos)) {
        if (!digits(&c, 2, &second)) return EVK_TS_INVALID;
        has_seconds = true;
    }
    bool comma;
    size_t frac = fraction(&c, &comma);
    off_form off = offset(&c);
    if (off == OFF_BAD || c.pos != c.len) return EVK_TS_INVALID;
    if (!extended && off == OFF_HH_COLON_MM) return EVK_TS_INVALID; /* mixed forms */

    if (month < 1 || month > 12) return EVK_TS_INVALID;
    if (day < 1 || day > evk_ts_days_in_month(year, month)) return EVK_TS_INVALID;
    if (hour > 23 || minute > 59 || second > 60) return EVK_TS_INVALID;

    bool canonical = extended && has_seconds && frac >= 1 && frac <= 9 && !comma &&
                     (off == OFF_Z || off == OFF_HHMM || off == OFF_HH_COLON_MM);
    return canonical ? EVK_TS_CANONICAL : EVK_TS_LENIENT;
}

/* Civil date from days since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put_num(char *out, size_t *o, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[*o + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    *o += (size_t)width;
}

int evk_ts_format(int64_t unix_us, char out[EVK_TS_BUFSZ])
{
    const int64_t us_per_day = 86400LL * 1000000LL;
    /* Bounds: 0000-01-01 and 9999-12-31, as day counts from the epoch. */
    const int64_t min_days = -719528, max_days = 2932896;
    int64_t days = unix_us / us_per_day, rem = unix_us % us_per_day;
    if (rem < 0) rem += us_per_day, days--;
    if (days < min_days || days > max_days) return EVK_EINVAL;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t secs = rem / 1000000, us = rem % 1000000;
    size_t o = 0;
    put_num(out, &o, y, 4);
    out[o++] = '-';
    put_num(out, &o, m, 2);
    out[o++] = '-';
    put_num(out, &o, d, 2);
    out[o++] = 'T';
    put_num(out, &o, secs / 3600, 2);
    out[o++] = ':';
    put_num(out, &o, secs / 60 % 60, 2);
    out[o++] = ':';
    put_num(out, &o, secs % 60, 2);
    out[o++] = '.';
    put_num(out, &o, us, 6);
    const char tz[] = "+0000";
    for (size_t i = 0; i < sizeof tz - 1; i++) out[o++] = tz[i];
    out[o] = '\0';
    return 0;
}
