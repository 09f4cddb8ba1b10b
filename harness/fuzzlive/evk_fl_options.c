/* The options of `evack fuzz-live` and `evack replay` (evk_fl_options.h):
 * the --help texts, the parser both commands share, and durations. The
 * defaults live with each command (evk_fl_campaign.c); what the parser
 * cannot check without the network (the URL, the profile) is checked there. */
#include "evk_fl_options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fuzz_usage[] =
    "usage: evack fuzz-live TARGET --duration D [options]        fuzz a server (ws://host:port/path)\n"
    "       evack fuzz-live --client 'cmd ... {url}' --duration D  fuzz a client, started per session\n"
    "  --duration D       how long to fuzz: 90, 90s, 5m, 8h (default 60s)\n"
    "  --seed N           the generator's seed (default: a random one, printed)\n"
    "  --findings DIR     where findings go (default findings/)\n"
    "  --profile P        seed (default), strict, or a profile file\n"
    "  --header 'K: V'    an extra upgrade header (repeatable; never written to findings)\n"
    "  --jobs N           sessions at once (default 128, clients 4 per CPU; a bearer token: 1)\n"
    "  --batch N          sessions per batch (default: about 3 s of sessions, from the last batch)\n"
    "  --timeout MS       how long to wait for an answer (default 1000)\n"
    "  --settle MS        quiet time after the last Ack (default 25)\n"
    "  --minimise-time S  time to minimise each finding (default 60; 0: no minimisation)\n"
    "  --restart-wait S   after a crash, wait this long for the target to come back (default 5)\n"
    "  --stop-after N     end the run after N distinct findings (default: run the whole duration)\n"
    "  --ack-timeout S    client targets: the ack limit evack declares (default 1)\n"
    "  --insecure, --ca FILE   wss:// targets\n"
    "exit status: 0 nothing found, 1 findings, 2 usage error or target unreachable\n";

static const char replay_usage[] =
    "usage: evack replay FILE TARGET [options]           replay a finding against a server\n"
    "       evack replay FILE --client 'cmd ... {url}'   ... against a client\n"
    "  --profile P        override the finding's profile\n"
    "  --header 'K: V'    an extra upgrade header (repeatable)\n"
    "  --times N          run it N times (default 1): reproduced if any run shows it\n"
    "  --timeout MS, --settle MS, --ack-timeout S, --insecure, --ca FILE   as for fuzz-live\n"
    "prints 'reproduced' (exit 1) or 'not reproduced' (exit 0); 2 on errors\n";

void evk_fl_opts_parse(int argc, char **argv, evk_fl_opts *o, bool replay)
{
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        const char *arg = argv[a.i];
        if (evk_arg_is(&a, "--duration", true)) {
            o->duration_ms = evk_fl_parse_duration(a.value);
            if (o->duration_ms <= 0) evk_die("--duration '%s': expected e.g. 90, 90s, 5m or 8h", a.value);
        } else if (evk_arg_is(&a, "--seed", true)) {
            char *end;
            errno = 0;
            o->seed = strtoull(a.value, &end, 0);
            if (end == a.value || *end || errno || a.value[0] == '-') evk_die("--seed '%s': expected a number from 0 to 2^64-1", a.value);
            o->have_seed = true;
        } else if (evk_arg_is(&a, "--findings", true)) o->findings = a.value;
        else if (evk_arg_is(&a, "--profile", true)) o->profile = a.value;
        else if (evk_arg_is(&a, "--header", true)) evk_headers_add(o->headers, EVK_HEADERS_MAX, &o->nheaders, (char *)a.value);
        else if (evk_arg_is(&a, "--jobs", true)) o->jobs = (unsigned)evk_arg_number("--jobs", a.value, 1, 10000);
        else if (evk_arg_is(&a, "--batch", true)) o->batch = (unsigned)evk_arg_number("--batch", a.value, 1, 1000000);
        else if (evk_arg_is(&a, "--times", true)) o->times = (unsigned)evk_arg_number("--times", a.value, 1, 1000);
        else if (evk_arg_is(&a, "--stop-after", true)) o->stop_after = (unsigned)evk_arg_number("--stop-after", a.value, 1, 1000000);
        else if (evk_arg_is(&a, "--timeout", true)) o->wait_ms = (uint64_t)evk_arg_number("--timeout", a.value, 10, 3600000);
        else if (evk_arg_is(&a, "--settle", true)) o->settle_ms = (uint64_t)evk_arg_number("--settle", a.value, 1, 60000);
        else if (evk_arg_is(&a, "--minimise-time", true) || evk_arg_is(&a, "--minimize-time", true))
            o->min_ms = (uint64_t)(evk_arg_number("--minimise-time", a.value, 0, 86400) * 1000);
        else if (evk_arg_is(&a, "--restart-wait", true))
            o->restart_wait_ms = (uint64_t)(evk_arg_number("--restart-wait", a.value, 0, 3600) * 1000);
        else if (evk_arg_is(&a, "--ack-timeout", true))
            o->client_limit_ms = (uint64_t)(evk_arg_number("--ack-timeout", a.value, 0.001, 3600) * 1000 + 0.5);
        else if (evk_arg_is(&a, "--client", true)) o->client = a.value;
        else if (evk_arg_is(&a, "--insecure", false)) o->insecure = true;
        else if (evk_arg_is(&a, "--ca", true)) o->ca = a.value;
        else if (evk_arg_is(&a, "--quiet", false)) o->quiet = true;
        else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(replay ? replay_usage : fuzz_usage, stdout);
            exit(0);
        } else if (arg[0] == '-' && arg[1]) {
            evk_die("unknown option '%s' (see evack %s --help)", arg, replay ? "replay" : "fuzz-live");
        } else if (replay && !o->file) {
            o->file = arg;
        } else if (!o->target) {
            o->target = arg;
        } else {
            evk_die("unexpected argument '%s'", arg);
        }
    }
    if (o->client && o->target) evk_die("give either a server URL or --client, not both");
    if (o->client && !strstr(o->client, "{url}"))
        evk_die("--client '%s' has no {url}: write where the session's URL goes", o->client);
    if (o->ca && access(o->ca, R_OK) != 0) evk_die("--ca %s: cannot read the file", o->ca);
}

long long evk_fl_parse_duration(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !(v >= 0) || !isfinite(v)) return -1;
    double unit = 1000;
    if (strcmp(end, "ms") == 0) unit = 1;
    else if (strcmp(end, "") == 0 || strcmp(end, "s") == 0) unit = 1000;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0) unit = 60000;
    else if (strcmp(end, "h") == 0) unit = 3600000;
    else if (strcmp(end, "d") == 0) unit = 86400000;
    else return -1;
    double ms = v * unit;
    return ms > 1e15 ? -1 : (long long)(ms + 0.5);
}
