/* evk_fl_options.h - the options of `evack fuzz-live` and `evack replay`:
 * one struct for both, the parser, and the --help texts (evk_fl_options.c).
 *
 * Errors: a usage error exits 2 with one line on stderr (evk_die); --help
 * prints the command's usage on stdout and exits 0.
 * Ownership: strings point into argv; evk_fl_opts_parse() cuts --header
 * values into lines in place (evk_headers_add). */
#ifndef EVK_FL_OPTIONS_H
#define EVK_FL_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_args.h"

typedef struct evk_fl_opts {
    const char *target, *client, *profile, *findings, *ca;
    const char *file; /* replay */
    const char *headers[EVK_HEADERS_MAX];
    size_t nheaders;
    long long duration_ms;
    uint64_t seed;
    bool have_seed;
    unsigned jobs, batch, times, stop_after;
    uint64_t wait_ms, settle_ms, min_ms, restart_wait_ms, client_limit_ms;
    bool minimise, insecure, quiet;
} evk_fl_opts;

/* Read argv[1..argc) into o, over the defaults the caller put there.
 * replay: the first positional is the finding FILE, and --help shows
 * replay's usage. Checks what needs no network: --client has {url}, not
 * both a URL and --client, --ca is readable. */
void evk_fl_opts_parse(int argc, char **argv, evk_fl_opts *o, bool replay);

/* "90", "90s", "2m", "1.5h", "500ms" -> milliseconds; -1 when not a duration. */
long long evk_fl_parse_duration(const char *s);

#endif
