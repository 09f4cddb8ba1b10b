/* evk_cli.h - the subcommands of build/evack and what they share (the argv
 * helpers: evk_args.h; fuzz-live and replay: harness/fuzzlive/evk_fl_cmd.h). */
#ifndef EVK_CLI_H
#define EVK_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "evk_args.h"

/* Does one of the --header lines carry "Authorization: Bearer ..."? */
bool evk_headers_have_bearer(const char *const *v, size_t n);

int evk_cmd_run(int argc, char **argv);
int evk_cmd_validate(int argc, char **argv);
int evk_cmd_list(int argc, char **argv);
int evk_cmd_ref(int argc, char **argv);
int evk_cmd_profile(int argc, char **argv);

#endif
