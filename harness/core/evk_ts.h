/* evk_ts.h - ISO 8601 timestamps of the `sent_at` field (PROTOCOL.md §2).
 *
 * Three tiers:
 *   CANONICAL  YYYY-MM-DDThh:mm:ss.f (1-9 fraction digits) then Z, +hhmm or
 *              +hh:mm (either sign). What conforming peers send and must accept.
 *   LENIENT    another ISO 8601 calendar date-time: extended form
 *              YYYY-MM-DDThh:mm[:ss] or basic form YYYYMMDDThhmm[ss], an
 *              optional fraction after the last component with '.' or ','
 *              (any number of digits), an optional offset Z, +hh, +hhmm
 *              (+hh:mm in the extended form). Accepting these is a peer's
 *              choice: informational, never a violation.
 *   INVALID    anything else, including out-of-range fields (month 1-12, day
 *              within the month with leap years, hour 0-23, minute 0-59,
 *              second 0-60, offset hour 0-23 and minute 0-59), a lower-case
 *              't' or 'z', a date alone, a space instead of 'T', a number.
 * Pure functions: no clock, no locale, no allocation.
 */
#ifndef EVK_TS_H
#define EVK_TS_H

#include <stddef.h>
#include <stdint.h>

typedef enum evk_ts_tier {
    EVK_TS_INVALID = 0,
    EVK_TS_LENIENT,
    EVK_TS_CANONICAL,
} evk_ts_tier;

evk_ts_tier evk_ts_classify(const char *s, size_t len);

/* "invalid", "lenient" or "canonical". */
const char *evk_ts_tier_name(evk_ts_tier t);

/* Buffer size for evk_ts_format: "2026-01-05T15:34:02.123456+0000" + NUL. */
#define EVK_TS_BUFSZ 32

/* Format unix_us (microseconds since 1970-01-01T00:00:00Z) in UTC as
 * %Y-%m-%dT%H:%M:%S.%f%z, e.g. 2026-01-05T15:34:02.123456+0000.
 * 0, or EVK_EINVAL when the year falls outside 0000-9999. */
int evk_ts_format(int64_t unix_us, char out[EVK_TS_BUFSZ]);

/* True for leap years of the proleptic Gregorian calendar. */
int evk_ts_is_leap(int year);
/* Days in month (1-12) of year; 0 for a month out of range. */
int evk_ts_days_in_month(int year, int month);

#endif
