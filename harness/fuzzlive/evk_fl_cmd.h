/* evk_fl_cmd.h - `evack fuzz-live` and `evack replay`, for the dispatcher
 * in harness/cli/evk_main.c (docs/fuzz-live.md is the manual). Implemented
 * in evk_fl_campaign.c, with evk_fl_options.c and evk_fl_progress.c.
 *
 *   evack fuzz-live TARGET --duration D [--seed N] [--findings DIR]
 *                   [--profile P] [--header 'K: V'] [--jobs N] ...
 *   evack fuzz-live --client 'cmd {url}' --duration D ...
 *   evack replay FILE TARGET | --client 'cmd {url}'
 *
 * fuzz-live generates sessions from the seed (evk_fl_gen.h), runs them in
 * batches against the target, treats every failed verdict of the runner's
 * oracle as a candidate finding (evk_fl_verdict.h), probes the target after
 * a batch that saw connections drop or fail (crash, hang), confirms each new
 * kind of finding by running it again, saves it (evk_fl_finding.h),
 * minimises it (evk_fl_min.h) and saves that too. A progress line goes to
 * stderr; SIGINT/SIGTERM or the end of the duration end the run with a
 * summary, every finding already on disk.
 * Exit status: 0 nothing found, 1 something found (replay: reproduced),
 * 2 usage error or target unreachable at the start (one line on stderr).
 *
 * The only global state is the signal flag, as the style asks.
 */
#ifndef EVK_FL_CMD_H
#define EVK_FL_CMD_H

int evk_cmd_fuzz_live(int argc, char **argv);
int evk_cmd_replay(int argc, char **argv);

#endif
