/* fuzz_iso8601: evk_ts_classify and evk_ts_format.
 *
 * data[0] holds options (bit 0: also read data[1..8] as an instant to
 * format); the rest is the text to classify. Invariants:
 *  - classify agrees with a slow classifier written here the other way
 *    round: instead of a cursor, it tries every shape the tiers allow
 *    (evk_ts.h, docs/decisions.md) as a pattern of digits and literal
 *    characters, then an optional fraction, then every offset shape;
 *  - a canonical timestamp names an instant; formatting that instant gives
 *    a canonical text naming the same instant (and the same text, up to the
 *    fraction's padding, when the offset is zero and there is no leap second);
 *  - evk_ts_format succeeds exactly for years 0000-9999, always in the
 *    %Y-%m-%dT%H:%M:%S.%f+0000 shape, and its text reads back to the instant.
 */
#include <stdbool.h>
#include <string.h>

#include "evk_err.h"
#include "evk_ts.h"
#include "fuzz_util.h"

/* A date-time shape: 'D' is a digit, anything else itself; where each field is. */
static const struct {
    const char *shape;
    bool extended, seconds;
    int y, mo, d, h, mi, s; /* offsets of the fields (s: -1 when absent) */
} shapes[] = {
    {"DDDD-DD-DDTDD:DD:DD", true, true, 0, 5, 8, 11, 14, 17},
    {"DDDD-DD-DDTDD:DD", true, false, 0, 5, 8, 11, 14, -1},
    {"DDDDDDDDTDDDDDD", false, true, 0, 4, 6, 9, 11, 13},
    {"DDDDDDDDTDDDD", false, false, 0, 4, 6, 9, 11, -1},
};

/* Offset shapes; 'S' is the sign. */
static const struct {
    const char *shape;
    bool extended_only, canonical;
    int h, m; /* -1: absent */
} offsets[] = {
    {"", false, false, -1, -1},     {"Z", false, true, -1, -1},
    {"SDD", false, false, 1, -1},   {"SDDDD", false, true, 1, 3},
    {"SDD:DD", true, true, 1, 4},
};

static bool fits(const char *shape, const char *s, size_t len)
{
    if (strlen(shape) != len) return false;
    for (size_t i = 0; i < len; i++) {
        if (shape[i] == 'D' && !(s[i] >= '0' && s[i] <= '9')) return false;
        if (shape[i] == 'S' && s[i] != '+' && s[i] != '-') return false;
        if (shape[i] != 'D' && shape[i] != 'S' && shape[i] != s[i]) return false;
    }
    return true;
}

static int num(const char *s, int at, int digits)
{
    int v = 0;
    for (int i = 0; i < digits; i++) v = v * 10 + (s[at + i] - '0');
    return v;
}

static int slow_days_in_month(int y, int m)
{
    bool leap = y % 4 == 0 && !(y % 100 == 0 && y % 400 != 0);
    if (m == 2) return leap ? 29 : 28;
    return 30 + ((m + m / 8) & 1); /* 31 in Jan, Mar, May, Jul, Aug, Oct, Dec */
}

typedef struct slow_ts {
    evk_ts_tier tier;
    int y, mo, d, h, mi, s;
    long frac_us;      /* the fraction truncated to microseconds */
    int frac_digits;
    int offset_min;    /* east of UTC */
    bool has_offset;
} slow_ts;

static slow_ts slow_classify(const char *s, size_t len)
{
    slow_ts r = {.tier = EVK_TS_INVALID};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t n = strlen(shapes[k].shape);
        if (len < n || !fits(shapes[k].shape, s, n)) continue;
        size_t at = n, fdigits = 0;
        bool comma = false;
        long frac = 0;
        if (at < len && (s[at] == '.' || s[at] == ',') && at + 1 < len && s[at + 1] >= '0' &&
            s[at + 1] <= '9') {
            comma = s[at] == ',';
            at++;
            while (at < len && s[at] >= '0' && s[at] <= '9') {
                if (fdigits < 6) frac = frac * 10 + (s[at] - '0');
                fdigits++;
                at++;
            }
            for (size_t pad = fdigits; pad < 6; pad++) frac *= 10;
        }
        for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++) {
            if (!fits(offsets[o].shape, s + at, len - at)) continue;
            if (offsets[o].extended_only && !shapes[k].extended) continue;
            const char *off = s + at;
            int oh = offsets[o].h >= 0 ? num(off, offsets[o].h, 2) : 0;
            int om = offsets[o].m >= 0 ? num(off, offsets[o].m, 2) : 0;
            r.y = num(s, shapes[k].y, 4);
            r.mo = num(s, shapes[k].mo, 2);
            r.d = num(s, shapes[k].d, 2);
            r.h = num(s, shapes[k].h, 2);
            r.mi = num(s, shapes[k].mi, 2);
            r.s = shapes[k].s >= 0 ? num(s, shapes[k].s, 2) : 0;
            if (r.mo < 1 || r.mo > 12 || r.d < 1 || r.d > slow_days_in_month(r.y, r.mo) || r.h > 23 ||
                r.mi > 59 || r.s > 60 || oh > 23 || om > 59)
                return r; /* the shape fits but a field is out of range */
            r.frac_us = frac;
            r.frac_digits = (int)fdigits;
            r.has_offset = offsets[o].shape[0] != '\0';
            r.offset_min = (oh * 60 + om) * (offsets[o].shape[0] == 'S' && off[0] == '-' ? -1 : 1);
            bool canonical = shapes[k].extended && shapes[k].seconds && fdigits >= 1 && fdigits <= 9 &&
                             !comma && offsets[o].canonical;
            r.tier = canonical ? EVK_TS_CANONICAL : EVK_TS_LENIENT;
            return r;
        }
    }
    return r;
}

/* Days from 1970-01-01 to y-m-d, counted the slow way (400 years are
 * always 146097 days, so whole cycles are stepped over). */
static int64_t slow_days(int y, int m, int d)
{
    int64_t days = 0;
    while (y >= 1970 + 400) y -= 400, days += 146097;
    while (y < 1970) y += 400, days -= 146097;
    for (int yy = 1970; yy < y; yy++) days += slow_days_in_month(yy, 2) == 29 ? 366 : 365;
    for (int mm = 1; mm < m; mm++) days += slow_days_in_month(y, mm);
    return days + d - 1;
}

static int64_t instant_us(const slow_ts *t)
{
    int64_t secs = slow_days(t->y, t->mo, t->d) * 86400 + t->h * 3600 + t->mi * 60 + t->s -
                   (int64_t)t->offset_min * 60;
    return secs * 1000000 + t->frac_us;
}

/* Formats us and checks everything about the result; returns its instant. */
static void check_format(int64_t us)
{
    static int64_t lo, hi;
    if (!lo) {
        lo = slow_days(0, 1, 1) * 86400 * 1000000;
        hi = slow_days(10000, 1, 1) * 86400 * 1000000 - 1;
    }
    char out[EVK_TS_BUFSZ];
    memset(out, 'x', sizeof out);
    int rc = evk_ts_format(us, out);
    bool in_range = us >= lo && us <= hi;
    FZ_CHECK(rc == (in_range ? 0 : EVK_EINVAL), "format(%lld) returned %d", (long long)us, rc);
    if (rc != 0) return;
    FZ_CHECK(out[31] == '\0' && strlen(out) == 31, "format(%lld) length", (long long)us);
    FZ_CHECK(fits("DDDD-DD-DDTDD:DD:DD.DDDDDD+0000", out, 31), "format(%lld) shape: %s", (long long)us, out);
    FZ_CHECK(evk_ts_classify(out, 31) == EVK_TS_CANONICAL, "format(%lld) is not canonical: %s",
             (long long)us, out);
    slow_ts back = slow_classify(out, 31);
    FZ_CHECK(back.tier == EVK_TS_CANONICAL && back.s < 60 && instant_us(&back) == us,
             "format(%lld) = %s names another instant", (long long)us, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;

    evk_ts_tier got = evk_ts_classify(s, len);
    slow_ts want = slow_classify(s, len);
    FZ_CHECK(got == want.tier, "classify says %s, the slow classifier %s: \"%.*s\"", evk_ts_tier_name(got),
             evk_ts_tier_name(want.tier), (int)len, s);

    if (want.tier == EVK_TS_CANONICAL) {
        int64_t us = instant_us(&want);
        check_format(us);
        char out[EVK_TS_BUFSZ];
        if (evk_ts_format(us, out) == 0 && want.offset_min == 0 && want.s < 60) {
            /* Same wall-clock text: date, time and the first fraction digits. */
            FZ_CHECK(memcmp(out, s, 19) == 0, "reformatted %s from \"%.*s\"", out, (int)len, s);
            int shown = want.frac_digits < 6 ? want.frac_digits : 6;
            FZ_CHECK(memcmp(out + 20, s + 20, (size_t)shown) == 0, "fraction of %s from \"%.*s\"", out,
                     (int)len, s);
        }
    }

    if ((data[0] & 1) && len >= 8) {
        uint64_t raw = 0;
        for (int i = 0; i < 8; i++) raw = raw << 8 | (uint8_t)s[i];
        check_format((int64_t)raw);
        /* Most 64-bit values are far outside the years 0000-9999: fold them
         * into those years and one day on either side. */
        const uint64_t span = 315569520000000000ull + 2 * 86400000000ull;
        check_format((int64_t)(raw % span) - 62167219200000000ll - 86400000000ll);
    }
    return 0;
}
