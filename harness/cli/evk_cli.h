/* evk_cli.h - the subcommands of build/evack and what they share. */
#ifndef EVK_CLI_H
#define EVK_CLI_H

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
 * not "Name: value" or there are too many); the strings stay in `text`.
 * Their values are secrets: nothing prints them. */
#define EVK_HEADERS_MAX 16
void evk_headers_add(const char **v, size_t cap, size_t *n, char *text);
/* Does one of them carry "Authorization: Bearer ..."? */
bool evk_headers_have_bearer(const char *const *v, size_t n);

int evk_cmd_run(int argc, char **argv);
int evk_cmd_validate(int argc, char **argv);
int evk_cmd_list(int argc, char **argv);
int evk_cmd_ref(int argc, char **argv);
/* harness/fuzzlive (built when present): live fuzzing and replay of findings. */
int evk_cmd_fuzz_live(int argc, char **argv);
int evk_cmd_replay(int argc, char **argv);

#endif
