/* evk_args.h - what every evack subcommand shares to read its argv: an
 * option walker, the usage-error exit, number options and --header lists.
 * A library of its own (evk_args) so that harness/cli and harness/fuzzlive
 * both link it and neither reaches into the other.
 *
 * Errors: a usage error prints one line, "evack: <message>", on stderr and
 * exits with status 2; nothing here returns an error code.
 * Ownership: nothing is allocated; option values point into argv, header
 * lines into the text given to evk_headers_add(). */
#ifndef EVK_ARGS_H
#define EVK_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* A small argv walker: --name value, --name=value, and positionals. */
typedef struct evk_args {
    int argc, i;
    char **argv;
    const char *prog;
    const char *value; /* the value of the last matched option */
} evk_args;

/* Does argv[i] name option `name`? If it takes a value, also read it (exit 2
 * with a one-line error when it is missing). */
bool evk_arg_is(evk_args *a, const char *name, bool takes_value);
/* Exit 2 with "evack: <message>" on stderr. */
void evk_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A number option: exit 2 unless it parses and lies within [lo, hi]. */
double evk_arg_number(const char *opt, const char *value, double lo, double hi);

/* Upgrade headers given with --header: one option may carry several, one
 * per line (HEADERS from make). Adds them to v[0..cap) (exit 2 when one is
 * not "Name: value" or there are too many); the strings stay in `text`,
 * which is cut into lines in place. Their values are secrets: nothing
 * prints them. */
#define EVK_HEADERS_MAX 16
void evk_headers_add(const char **v, size_t cap, size_t *n, char *text);

#endif
