/* build/evack: the conformance suite, the reference peers and the tools.
 * `make` only wraps this program; every option has a Make variable. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evk_cli.h"
#include "evk_err.h"
#include "evk_fl_cmd.h"
#include "evk_url.h"

#ifndef EVK_VERSION /* CMake's project version, one place for the binary and the package */
#error "EVK_VERSION is not defined (set by CMakeLists.txt)"
#endif

static const char usage[] =
    "usage: evack [options] [ws://host:port/path]   run the suite against a server\n"
    "                                               (no URL: against the embedded reference server)\n"
    "       evack --client 'cmd ... {url}' [options] run the suite against a client, started per case\n"
    "       evack --listen [options]                 ... against a client you connect by hand\n"
    "       evack validate [--profile P] [--handshake] [FILE]   judge one message (stdin without FILE)\n"
    "       evack list [--role server|client] [--markdown] [--traceability RULES.tsv]\n"
    "                                               list the cases (and which rule each checks)\n"
    "       evack ref server [options]      run the reference server (evack ref server --help)\n"
    "       evack ref client URL [options]  run the reference client\n"
    "       evack ref faults [--role R]     list the faults the reference peers can inject\n"
    "       evack profile show NAME         print a shipped profile (seed, latest, strict) to start your own\n"
    "       evack profile check FILE        load a profile file: its name, or the problem\n"
    "       evack fuzz-live TARGET --duration D [options]   fuzz a server live (evack fuzz-live --help)\n"
    "       evack fuzz-live --client 'cmd ... {url}' --duration D [options]   ... a client\n"
    "       evack replay FILE TARGET | --client 'cmd ... {url}'   replay a fuzz-live finding\n"
    "\n"
    "suite options:\n"
    "  --profile P        seed (default), latest, strict, or a profile file (docs/profiles.md)\n"
    "  --cases GLOBS      only these case ids (comma-separated globs, e.g. 'json.*,frame.binary')\n"
    "  --exclude GLOBS    not these\n"
    "  --report DIR       write report.json, junit.xml and report.html into DIR\n"
    "  --header 'K: V'    an extra upgrade header (repeatable; values never appear in reports)\n"
    "  --baseline FILE    known failures: listed failures do not fail the run\n"
    "  --jobs N           cases at once (default: all)\n"
    "  --tolerance MS     deadline tolerance (default: max(150 ms, 10% of the limit))\n"
    "  --timeout MS       how long to wait for an answer (default 2000)\n"
    "  --ack-timeout S    the embedded server's ack limit (default 1)\n"
    "  --insecure         wss://: accept self-signed certificates\n"
    "  --ca FILE          wss://: trust this CA\n"
    "  --color WHEN       auto (default), always, never\n"
    "  --quiet            print only failures and the summary\n"
    "  --list             list the selected cases and exit\n"
    "client options:\n"
    "  --client CMD       start CMD for each case, {url} replaced by the case's URL\n"
    "  --listen           wait for clients connected by hand (prints the URLs)\n"
    "  --list-urls        print the case URLs (needs --port) and exit\n"
    "  --host H --port N  where evack listens (default 127.0.0.1, a free port)\n"
    "  --ack-timeout S    the ack limit evack declares (default 1)\n"
    "  --connect-timeout S  how long a started client has to connect (default 5)\n"
    "exit status: 0 every case passed (or was non-strict, informational, skipped),\n"
    "             1 a case failed, 2 the run could not be made\n";

bool evk_headers_have_bearer(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *value = evk_header_authorization(v[i]);
        if (value && strncasecmp(value, "bearer ", 7) == 0) return true;
    }
    return false;
}

/* The subcommands: argv[1] names one; anything else runs the suite. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"validate", evk_cmd_validate},
    {"list", evk_cmd_list},
    {"ref", evk_cmd_ref},
    {"profile", evk_cmd_profile},
    {"fuzz-live", evk_cmd_fuzz_live},
    {"replay", evk_cmd_replay},
};

int main(int argc, char **argv)
{
    if (argc > 1) {
        const char *cmd = argv[1];
        for (size_t i = 0; i < EVK_COUNTOF(commands); i++)
            if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
        if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(cmd, "--version") == 0) {
            puts("evack " EVK_VERSION);
            return 0;
        }
    }
    return evk_cmd_run(argc, argv);
}
