/* `evack ref server|client|faults`: the reference peers. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evk_cli.h"
#include "evk_faults.h"
#include "evk_net.h"
#include "evk_ref.h"

static volatile sig_atomic_t stop_requested;
static evk_loop *running_loop;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    if (running_loop) evk_loop_stop(running_loop);
}

/* SIGINT/SIGTERM end a reference peer cleanly (exit 0). The server installs
 * this before it announces its port: a script that stops it as soon as the
 * port file appears must not kill it instead (exit 143). */
static void catch_stop_signals(void)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
}

/* Serve until the loop stops by itself or SIGINT/SIGTERM arrives. */
static void run_until_signal(evk_loop *loop)
{
    catch_stop_signals();
    running_loop = loop;
    if (!stop_requested) evk_loop_run(loop);
    running_loop = NULL;
}

static evk_fault fault_named(const char *name, unsigned role)
{
    if (!name) return EVK_FAULT_NONE;
    int f = evk_fault_lookup(name, role);
    if (f < 0)
        evk_die("unknown %s fault '%s' (see evack ref faults --role %s)", evk_roles_name(role), name,
                evk_roles_name(role));
    return (evk_fault)f;
}

/* --close-reason: a text of at most 123 bytes, or @empty, or @max (exactly
 * 123 bytes, multi-byte UTF-8 at the end). */
static const char *close_reason_arg(const char *v)
{
    static char longest[124];
    if (strcmp(v, "@empty") == 0) return "";
    if (strcmp(v, "@max") == 0) {
        size_t n = (size_t)snprintf(longest, sizeof longest, "the longest reason a close frame carries: ");
        while (n + 2 <= 123) memcpy(longest + n, "\xc3\xa9", 2), n += 2; /* U+00E9 */
        while (n < 123) longest[n++] = '.';
        longest[n] = '\0';
        return longest;
    }
    if (strlen(v) > 123) evk_die("--close-reason: at most 123 bytes fit a close frame (got %zu)", strlen(v));
    return v;
}

/* The variant switches both peers share (conformance/variants.tsv): true
 * when argv[a->i] was one of them. */
static bool variant_arg(evk_args *a, evk_ref_opts *o)
{
    if (evk_arg_is(a, "--ack-delay", true)) {
        o->ack_delay_ms = (uint64_t)evk_arg_number("--ack-delay", a->value, 0, 3600000);
    } else if (evk_arg_is(a, "--ack-delay-random", true)) {
        o->ack_delay_random_ms = (uint64_t)evk_arg_number("--ack-delay-random", a->value, 0, 3600000);
    } else if (evk_arg_is(a, "--ack-batch", true)) {
        o->ack_batch = (unsigned)evk_arg_number("--ack-batch", a->value, 1, 100000);
    } else if (evk_arg_is(a, "--dup-keys", true)) {
        int d = evk_dupkeys_lookup(a->value);
        if (d < 0) evk_die("--dup-keys '%s': expected first, last or reject", a->value);
        o->dup_keys = (evk_dupkeys)d;
    } else if (evk_arg_is(a, "--utf8-first", false)) {
        o->utf8_first = true;
    } else if (evk_arg_is(a, "--fragment-own", true)) {
        o->fragment_own = (unsigned)evk_arg_number("--fragment-own", a->value, 1, 1000);
    } else if (evk_arg_is(a, "--ping-every", true)) {
        o->ping_every_ms = (uint64_t)evk_arg_number("--ping-every", a->value, 1, 3600000);
    } else if (evk_arg_is(a, "--close-reason", true)) {
        o->close_reason = close_reason_arg(a->value);
    } else {
        return false;
    }
    return true;
}

#define VARIANTS_HELP                                                                              \
    "variants (correct behaviours a judge must accept; conformance/variants.tsv):\n"               \
    "  --ack-delay MS          ack each Event MS later (slow but correct below the limit)\n"     \
    "  --ack-delay-random MAX  plus a random delay in [0, MAX] ms per Ack (MAX below the limit)\n" \
    "  --ack-batch N           hold Acks and send them N at a time, newest first (none held\n"   \
    "                          longer than half the limit)\n"                                    \
    "  --dup-keys R            read a repeated JSON key: first (default), last, or reject (4002)\n" \
    "  --utf8-first            invalid UTF-8: close 1007 at once, dropping pending Acks (as a\n" \
    "                          WebSocket layer that validates UTF-8 before the application)\n"   \
    "  --fragment-own N        send its own Events and Acks in N fragments\n"                    \
    "  --ping-every MS         send a ping of its own every MS\n"                                \
    "  --close-reason TEXT     close with this reason (<= 123 bytes; @empty, @max: 123 bytes)\n"

/* --no-handshake pairs only with a profile that has no handshake phase,
 * and such a profile only with it: the limit is then the profile's. */
static void check_handshake_switch(const evk_profile *p, bool no_handshake, bool ack_given)
{
    if (no_handshake && p->has_handshake)
        evk_die("--no-handshake needs a profile with \"handshake\": null and \"ack_limit_ms\" (profile %s has a "
                "handshake phase; docs/profiles.md)", p->name);
    if (!no_handshake && !p->has_handshake)
        evk_die("profile %s declares no handshake phase: add --no-handshake (the peer then sends no handshake Event)",
                p->name);
    if (no_handshake && ack_given)
        evk_die("--ack-timeout does not go with --no-handshake: the profile's ack_limit_ms (%llu ms) is the limit",
                (unsigned long long)p->ack_limit_ms);
}

static int ref_server(int argc, char **argv)
{
    const char *host = "127.0.0.1", *profile_name = "seed", *fault = NULL, *token = NULL, *port_file = NULL;
    const char *cert = NULL, *key = NULL;
    int port = 0;
    double ack = 1;
    bool verbose = false, no_handshake = false, ack_given = false;
    evk_ref_opts o = {0};
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--host", true)) host = a.value;
        else if (evk_arg_is(&a, "--no-handshake", false)) no_handshake = true;
        else if (variant_arg(&a, &o)) continue;
        else if (evk_arg_is(&a, "--port", true)) port = (int)evk_arg_number("--port", a.value, 0, 65535);
        else if (evk_arg_is(&a, "--ack-timeout", true)) ack = evk_arg_number("--ack-timeout", a.value, 0.001, 3600), ack_given = true;
        else if (evk_arg_is(&a, "--profile", true)) profile_name = a.value;
        else if (evk_arg_is(&a, "--fault", true)) fault = a.value;
        else if (evk_arg_is(&a, "--token", true)) token = a.value;
        else if (evk_arg_is(&a, "--port-file", true)) port_file = a.value;
        else if (evk_arg_is(&a, "--cert", true)) cert = a.value;
        else if (evk_arg_is(&a, "--key", true)) key = a.value;
        else if (evk_arg_is(&a, "--verbose", false) || evk_arg_is(&a, "-v", false)) verbose = true;
        else if (strcmp(argv[a.i], "--help") == 0) {
            puts("usage: evack ref server [--host 127.0.0.1] [--port 0] [--ack-timeout S] [--profile P]\n"
                 "                        [--fault NAME] [--token T] [--port-file FILE] [--verbose]\n"
                 "                        [--cert PEM --key PEM]   (TLS: serve wss://)\n"
                 "                        [--no-handshake]   (no handshake Event; only with a profile that has\n"
                 "                                            \"handshake\": null, whose ack_limit_ms is the limit)\n"
                 "                        [variants below]\n"
                 "runs until SIGINT/SIGTERM; --port 0 picks a free port (printed, and written to --port-file)\n"
                 VARIANTS_HELP);
            return 0;
        } else evk_die("unknown argument '%s' (evack ref server --help)", argv[a.i]);
    }
    evk_profile profile;
    char err[512];
    if (evk_profile_load(&profile, profile_name, err, sizeof err) < 0) evk_die("%s", err);
    check_handshake_switch(&profile, no_handshake, ack_given);
    if (no_handshake) ack = (double)profile.ack_limit_ms / 1000;
    o.profile = &profile;
    o.ack_limit_ms = (uint64_t)(ack * 1000 + 0.5);
    o.fault = fault_named(fault, EVK_ROLES_S);
    o.token = token;
    o.verbose = verbose;
    if (!cert != !key) evk_die("TLS needs both --cert and --key");
    if (cert && access(cert, R_OK) != 0) evk_die("--cert %s: cannot read the file", cert);
    if (key && access(key, R_OK) != 0) evk_die("--key %s: cannot read the file", key);
    evk_loop_opts lo = {.cert_file = cert, .key_file = key};
    evk_loop *loop = evk_loop_new(&lo, err, sizeof err);
    if (!loop) evk_die("%s", err);
    int bound = 0;
    evk_ref_server *s = evk_ref_server_new(loop, &o, host, port, &bound, err, sizeof err);
    if (!s) evk_die("%s", err);
    catch_stop_signals();
    printf("evack reference server listening on %s://%s:%d/ (profile %s, ack limit %g s, fault %s)\n",
           cert ? "wss" : "ws", host,
           bound, profile.name, ack, fault ? fault : "none");
    fflush(stdout);
    if (port_file) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%d\n", bound) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0)
            evk_die("cannot write --port-file %s", port_file);
    }
    run_until_signal(loop);
    evk_ref_server_free(s);
    evk_loop_free(loop);
    return 0;
}

static int ref_client(int argc, char **argv)
{
    const char *url = NULL, *profile_name = "seed", *fault = NULL;
    unsigned events = 3;
    bool verbose = false, no_handshake = false;
    evk_ref_opts o = {0};
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--no-handshake", false)) no_handshake = true;
        else if (evk_arg_is(&a, "--send-events", true)) events = (unsigned)evk_arg_number("--send-events", a.value, 0, 100000);
        else if (variant_arg(&a, &o)) continue;
        else if (evk_arg_is(&a, "--profile", true)) profile_name = a.value;
        else if (evk_arg_is(&a, "--fault", true)) fault = a.value;
        else if (evk_arg_is(&a, "--verbose", false) || evk_arg_is(&a, "-v", false)) verbose = true;
        else if (strcmp(argv[a.i], "--help") == 0) {
            puts("usage: evack ref client URL [--send-events N] [--profile P] [--fault NAME] [--verbose] [variants]\n"
                 "                            [--no-handshake]   (only with a profile that has \"handshake\": null)\n"
                 "connects, acks the handshake, sends N Events (default 3), acks the server's Events,\n"
                 "and runs until the connection ends: exit 0, or 2 if it could not connect.\n"
                 "The limit comes from the server's handshake: pacing that could miss it makes the\n"
                 "client say so and close 1000.\n"
                 VARIANTS_HELP);
            return 0;
        } else if (argv[a.i][0] == '-') evk_die("unknown option '%s' (evack ref client --help)", argv[a.i]);
        else if (!url) url = argv[a.i];
        else evk_die("one URL at most");
    }
    if (!url) evk_die("ref client needs a URL (evack ref client ws://host:port/path)");
    evk_profile profile;
    char err[512];
    if (evk_profile_load(&profile, profile_name, err, sizeof err) < 0) evk_die("%s", err);
    check_handshake_switch(&profile, no_handshake, false);
    if (evk_url_check(url, err, sizeof err) < 0) evk_die("%s", err);
    o.profile = &profile;
    o.fault = fault_named(fault, EVK_ROLES_C);
    o.send_events = events;
    o.verbose = verbose;
    evk_loop *loop = evk_loop_new(NULL, err, sizeof err);
    if (!loop) evk_die("%s", err);
    evk_ref_client *c = evk_ref_client_new(loop, &o, url, false, err, sizeof err);
    if (!c) evk_die("%s", err);
    run_until_signal(loop);
    char how[256];
    bool done = evk_ref_client_done(c, how, sizeof how);
    if (verbose || !done) fprintf(stderr, "evack ref client: %s\n", done ? how : "stopped");
    int status = strncmp(how, "cannot connect", 14) == 0 ? 2 : 0;
    evk_ref_client_free(c);
    evk_loop_free(loop);
    return status;
}

static int ref_faults(int argc, char **argv)
{
    unsigned role = EVK_ROLES_SC;
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        if (evk_arg_is(&a, "--role", true)) {
            if (strcmp(a.value, "server") == 0) role = EVK_ROLES_S;
            else if (strcmp(a.value, "client") == 0) role = EVK_ROLES_C;
            else evk_die("--role '%s': expected server or client", a.value);
        } else evk_die("unknown argument '%s'", argv[a.i]);
    }
    size_t n;
    const evk_fault_info *t = evk_fault_table(&n);
    for (size_t i = 1; i < n; i++) {
        if (!(t[i].roles & role)) continue;
        printf("%-30s %-6s %s\n", t[i].name, evk_roles_name(t[i].roles), t[i].what);
    }
    return 0;
}

int evk_cmd_ref(int argc, char **argv)
{
    if (argc < 2) evk_die("ref needs a subcommand: server, client or faults");
    if (strcmp(argv[1], "server") == 0) return ref_server(argc - 1, argv + 1);
    if (strcmp(argv[1], "client") == 0) return ref_client(argc - 1, argv + 1);
    if (strcmp(argv[1], "faults") == 0) return ref_faults(argc - 1, argv + 1);
    evk_die("unknown ref subcommand '%s': server, client or faults", argv[1]);
}
