/* evk_proc.h - a client implementation under test, as a child process.
 *
 * The command runs as `/bin/sh -c CMD` in a process group of its own, stdin
 * from /dev/null, stdout and stderr merged into one pipe of which only the
 * last EVK_PROC_TAIL bytes are kept (a chatty or hostile client cannot make
 * evack's memory grow). Stopping signals the whole group (SIGTERM, then
 * SIGKILL), so helpers the client started in the background die with it;
 * evk_proc_free() always reaps the child: no zombie outlives it.
 * Polling is explicit (evk_proc_poll from a timer); nothing here blocks
 * except evk_proc_free's final wait after SIGKILL.
 */
#ifndef EVK_PROC_H
#define EVK_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define EVK_PROC_TAIL 4096

typedef struct evk_proc evk_proc;

/* NULL with one line in err when it cannot be started. */
evk_proc *evk_proc_spawn(const char *cmd, char *err, size_t errcap);

/* Read what the child wrote, and reap it if it exited. */
void evk_proc_poll(evk_proc *p);

/* Has it exited? status: its wait status (when true). */
bool evk_proc_exited(const evk_proc *p, int *status);

/* SIGTERM (then SIGKILL) to the whole process group. */
void evk_proc_terminate(evk_proc *p);
void evk_proc_kill(evk_proc *p);

/* The last bytes of its output (NUL-terminated), and how many it wrote in all. */
size_t evk_proc_output(const evk_proc *p, char *out, size_t cap, size_t *total);

/* "exited with status 3", "killed by signal 9", "still running". */
void evk_proc_describe(const evk_proc *p, char *out, size_t cap);

pid_t evk_proc_pid(const evk_proc *p);

/* Kill the group if still alive, reap the child, free. NULL is fine. */
void evk_proc_free(evk_proc *p);

#endif
