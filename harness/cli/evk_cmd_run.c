/* `evack [options] [URL]`: the suite against a server (or the embedded one). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evk_catalog.h"
#include "evk_cli.h"
#include "evk_err.h"
#include "evk_net.h"
#include "evk_probe.h"
#include "evk_ref.h"
#include "evk_report.h"
#include "evk_runner.h"

typedef struct run_opts {
    const char *target, *profile, *cases, *exclude, *report, *baseline, *ca, *fault;
    const char *client, *host;   /* client targets */
    int port;
    bool listen, list_urls;
    uint64_t connect_ms;
    const char *headers[EVK_HEADERS_MAX];
    size_t nheaders;
    unsigned jobs;
    uint64_t tolerance_ms, wait_ms, ack_ms, soak_ms;
    bool insecure, quiet, list;
    int color; /* -1 auto, 0 never, 1 always */
} run_opts;

typedef struct progress {
    evk_console con;
    char **baseline;  /* case ids of the baseline, to mark them as they end */
    size_t nbaseline;
    const struct run_opts *run;
    const evk_case **sel;
    size_t nsel;
    size_t listed;    /* cases on the console before the run starts (the skipped ones) */
} progress;

static void on_result(const evk_case_result *r, size_t done, size_t total, void *user)
{
    progress *p = user;
    evk_case_result shown = *r; /* a shallow copy: only the baseline mark changes */
    for (size_t i = 0; i < p->nbaseline; i++)
        if (strcmp(p->baseline[i], r->c->id) == 0) shown.baseline_listed = true;
    evk_console_case(&p->con, &shown, p->listed + done, p->listed + total);
}

/* The ids a baseline file names (checked later by evk_baseline_apply). */
static void read_baseline_ids(const char *path, progress *p)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) return; /* evk_baseline_apply reports it */
    while (fgets(line, sizeof line, f)) {
        char *h = strchr(line, '#'), *s = line;
        if (h) *h = '\0';
        s += strspn(s, " \t");
        s[strcspn(s, " \t\r\n")] = '\0';
        if (!*s) continue;
        char **b = realloc(p->baseline, (p->nbaseline + 1) * sizeof *b);
        if (!b) break;
        p->baseline = b;
        if ((p->baseline[p->nbaseline] = strdup(s))) p->nbaseline++;
    }
    fclose(f);
}

static void on_progress(size_t done, size_t total, size_t running, const char *longest, uint64_t ms, void *user)
{
    progress *p = user;
    evk_console_progress(&p->con, done, total, running, longest, ms);
}

static bool known_id(const char *id)
{
    size_t n;
    const evk_case *const *all = evk_catalog_all(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i]->id, id) == 0) return true;
    return false;
}

static void parse(int argc, char **argv, run_opts *o)
{
    evk_args a = {.argc = argc, .argv = argv};
    for (a.i = 1; a.i < argc; a.i++) {
        const char *arg = argv[a.i];
        if (evk_arg_is(&a, "--profile", true)) o->profile = a.value;
        else if (evk_arg_is(&a, "--cases", true)) o->cases = a.value;
        else if (evk_arg_is(&a, "--exclude", true)) o->exclude = a.value;
        else if (evk_arg_is(&a, "--report", true)) o->report = a.value;
        else if (evk_arg_is(&a, "--baseline", true)) o->baseline = a.value;
        else if (evk_arg_is(&a, "--header", true)) evk_headers_add(o->headers, EVK_HEADERS_MAX, &o->nheaders, (char *)a.value);
        else if (evk_arg_is(&a, "--jobs", true)) o->jobs = (unsigned)evk_arg_number("--jobs", a.value, 1, 100000);
        else if (evk_arg_is(&a, "--tolerance", true)) o->tolerance_ms = (uint64_t)evk_arg_number("--tolerance", a.value, 1, 3600000);
        else if (evk_arg_is(&a, "--timeout", true)) o->wait_ms = (uint64_t)evk_arg_number("--timeout", a.value, 10, 3600000);
        else if (evk_arg_is(&a, "--soak", true)) o->soak_ms = (uint64_t)evk_arg_number("--soak", a.value, 100, 3600000);
        else if (evk_arg_is(&a, "--ack-timeout", true)) o->ack_ms = (uint64_t)(evk_arg_number("--ack-timeout", a.value, 0.001, 3600) * 1000 + 0.5);
        else if (evk_arg_is(&a, "--ca", true)) o->ca = a.value;
        else if (evk_arg_is(&a, "--fault", true)) o->fault = a.value;
        else if (evk_arg_is(&a, "--client", true)) o->client = a.value;
        else if (evk_arg_is(&a, "--listen", false)) o->listen = true;
        else if (evk_arg_is(&a, "--list-urls", false)) o->list_urls = true;
        else if (evk_arg_is(&a, "--host", true)) o->host = a.value;
        else if (evk_arg_is(&a, "--port", true)) o->port = (int)evk_arg_number("--port", a.value, 0, 65535);
        else if (evk_arg_is(&a, "--connect-timeout", true)) o->connect_ms = (uint64_t)(evk_arg_number("--connect-timeout", a.value, 0.1, 3600) * 1000);
        else if (evk_arg_is(&a, "--insecure", false)) o->insecure = true;
        else if (evk_arg_is(&a, "--quiet", false)) o->quiet = true;
        else if (evk_arg_is(&a, "--list", false)) o->list = true;
        else if (evk_arg_is(&a, "--color", true)) {
            if (strcmp(a.value, "auto") == 0) o->color = -1;
            else if (strcmp(a.value, "always") == 0) o->color = 1;
            else if (strcmp(a.value, "never") == 0) o->color = 0;
            else evk_die("--color '%s': expected auto, always or never", a.value);
        } else if (arg[0] == '-' && arg[1]) {
            evk_die("unknown option '%s' (see evack --help)", arg);
        } else if (!o->target) {
            o->target = arg[0] ? arg : NULL;
        } else {
            evk_die("unexpected argument '%s': one target URL at most", arg);
        }
    }
}

/* Without --client the user connects the client by hand: say where. */
static void on_listen_cb(const char *host, int port, void *user)
{
    const progress *p = user;
    if (p->run->client) return;
    printf("evack listens on %s:%d; connect the client to each case's URL (Ctrl-C ends the run):\n", host, port);
    for (size_t i = 0; i < p->nsel; i++) printf("  ws://%s:%d/case/%s\n", host, port, p->sel[i]->id);
    fflush(stdout);
}

static volatile int interrupted; /* set by SIGINT/SIGTERM; the runner polls it */

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int evk_cmd_run(int argc, char **argv)
{
    run_opts o = {.profile = "seed", .color = -1, .wait_ms = 2000, .ack_ms = 1000};
    parse(argc, argv, &o);
    if (o.target && !*o.target) o.target = NULL;

    evk_profile profile;
    char err[512];
    bool client_role = o.client || o.listen || o.list_urls;
    if (evk_profile_load(&profile, o.profile, err, sizeof err) < 0) evk_die("%s", err);
    if (client_role && o.target) evk_die("give either a server URL or --client/--listen, not both");
    if (o.client && !strstr(o.client, "{url}"))
        evk_die("--client '%s' has no {url}: write where the case URL goes, e.g. 'my-client --connect {url}'", o.client);
    if (o.client && o.listen) evk_die("--listen is for clients evack does not start: drop --client, or --listen");
    if (!o.host) o.host = "127.0.0.1";
    if (o.target && evk_url_check(o.target, err, sizeof err) < 0) evk_die("%s", err);
    if (o.fault && (o.target || client_role)) evk_die("--fault applies to the embedded reference server only (no TARGET)");
    evk_fault fault = EVK_FAULT_NONE;
    if (o.fault) {
        int f = evk_fault_lookup(o.fault, EVK_ROLES_S);
        if (f < 0) evk_die("unknown server fault '%s' (see evack ref faults)", o.fault);
        fault = (evk_fault)f;
        if (fault == EVK_FAULT_DEEP_NESTING_CRASH || fault == EVK_FAULT_DUPLICATE_KEY_CRASH ||
            fault == EVK_FAULT_LONE_SURROGATE_CRASH)
            evk_die("the fault %s would crash evack itself: run it in its own process "
                    "(evack ref server --fault %s) and give its URL", o.fault, o.fault);
    }

    const evk_case **sel;
    size_t n;
    if (evk_catalog_select(client_role ? EVK_ROLES_C : EVK_ROLES_S, o.cases, o.exclude, &sel, &n, err, sizeof err) < 0)
        evk_die("%s", err);
    if (o.list) {
        for (size_t i = 0; i < n; i++) printf("%-30s %s\n", sel[i]->id, sel[i]->spec);
        free(sel);
        return 0;
    }
    if (o.list_urls) {
        if (!o.port) evk_die("--list-urls needs a fixed --port (the URLs name it)");
        for (size_t i = 0; i < n; i++) printf("ws://%s:%d/case/%s\n", o.host, o.port, sel[i]->id);
        free(sel);
        return 0;
    }
    if (o.ca && access(o.ca, R_OK) != 0) evk_die("--ca %s: cannot read the file", o.ca);
    /* Without a handshake phase the profile fixes the limit for both peers. */
    if (!profile.has_handshake) o.ack_ms = profile.ack_limit_ms;

    evk_loop_opts lo = {.tls_insecure = o.insecure, .ca_file = o.ca};
    evk_loop *loop = evk_loop_new(&lo, err, sizeof err);
    if (!loop) evk_die("%s", err);

    /* No target: the embedded reference server, on a free loopback port. */
    evk_ref_server *embedded = NULL;
    char url[128];
    const char *target = o.target;
    if (!target && !client_role) {
        evk_ref_opts ro = {.profile = &profile, .ack_limit_ms = o.ack_ms, .fault = fault};
        int port = 0;
        embedded = evk_ref_server_new(loop, &ro, "127.0.0.1", 0, &port, err, sizeof err);
        if (!embedded) evk_die("cannot start the embedded reference server: %s", err);
        snprintf(url, sizeof url, "ws://127.0.0.1:%d/", port);
        target = url;
    }

    evk_case_result *results = calloc(n ? n : 1, sizeof *results);
    const evk_case **torun = calloc(n ? n : 1, sizeof *torun);
    size_t *where = calloc(n ? n : 1, sizeof *where);
    evk_case_result *ran = calloc(n ? n : 1, sizeof *ran);
    if (!results || !torun || !where || !ran) evk_die("out of memory");

    bool tty = isatty(STDOUT_FILENO);
    progress pr = {.con = {.f = stdout, .quiet = o.quiet, .live = tty,
                           .color = o.color < 0 ? tty : o.color}};
    evk_suite_opts so = {.loop = loop, .profile = &profile,
                         .target_role = client_role ? EVK_ROLE_CLIENT : EVK_ROLE_SERVER,
                         .url = target, .headers = o.headers, .nheaders = o.nheaders, .jobs = o.jobs,
                         .tolerance_ms = o.tolerance_ms, .wait_ms = o.wait_ms, .soak_ms = o.soak_ms,
                         .one_connection = evk_headers_have_bearer(o.headers, o.nheaders) && !client_role, .on_result = on_result, .user = &pr,
                         .client_cmd = o.client, .listen_host = o.host, .listen_port = o.port,
                         .ack_limit_ms = o.ack_ms, .connect_ms = o.connect_ms, .stop = &interrupted};
    if (client_role && !o.jobs) {
        /* Every client case is a process of the client's: start a few at a time. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        so.jobs = (unsigned)(cpus > 0 ? 4 * cpus : 8);
    }
    if (o.baseline) {
        /* Fail early on an unreadable or mistyped baseline, before the run. */
        evk_case_result none;
        evk_result_init(&none, sel[0]);
        if (n && evk_baseline_apply(o.baseline, &none, 1, known_id, err, sizeof err) < 0) evk_die("%s", err);
        read_baseline_ids(o.baseline, &pr);
    }
    pr.run = &o;
    pr.sel = sel;
    pr.nsel = n;
    so.on_listen = on_listen_cb;
    so.on_progress = on_progress;
    if (!client_role && evk_suite_probe(&so, NULL, err, sizeof err) != EVK_PROBE_OK) {
        evk_ref_server_free(embedded);
        evk_loop_free(loop);
        evk_die("%s", err);
    }

    /* Cases that cannot run here are skipped with their reason. */
    size_t k = 0;
    bool token = evk_headers_have_bearer(o.headers, o.nheaders);
    for (size_t i = 0; i < n; i++) {
        evk_result_init(&results[i], sel[i]);
        if (!evk_catalog_skip_reason(sel[i], &profile, token, results[i].observed,
                                     sizeof results[i].observed)) {
            where[k] = i;
            torun[k++] = sel[i];
        }
    }
    /* The skipped cases come first in the running count, then those that run. */
    pr.listed = 0;
    for (size_t i = 0; i < n; i++)
        if (results[i].observed[0]) evk_console_case(&pr.con, &results[i], ++pr.listed, n);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    uint64_t t0 = evk_clock_ms();
    int64_t started = evk_wall_us();
    if (evk_suite_run(&so, torun, k, ran) == EVK_EIO)
        evk_die("cannot listen on %s:%d (in use, or not a local address)", o.host, o.port);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (size_t j = 0; j < k; j++) results[where[j]] = ran[j];

    if (o.baseline && evk_baseline_apply(o.baseline, results, n, known_id, err, sizeof err) < 0) evk_die("%s", err);
    evk_run_info info = {.target = o.client ? o.client : o.target ? o.target : client_role ? "clients connecting by hand" : "embedded reference server",
                         .role = client_role ? "client" : "server", .profile = profile.name, .started_us = started,
                         .duration_ms = evk_clock_ms() - t0, .interrupted = interrupted != 0,
                         .limit_ms = (o.target && !client_role) ? 0 : o.ack_ms,
                         .wait_ms = so.wait_ms ? so.wait_ms : 2000, .profile_description = profile.description};
    evk_summary sum;
    evk_summarize(results, n, &sum);
    int status = evk_run_status(&sum);
    if (o.report && evk_report_write_all(o.report, &info, results, n, err, sizeof err) < 0) {
        fprintf(stderr, "evack: %s\n", err);
        status = 2;
    }
    evk_console_causes(&pr.con, results, n, &info);
    evk_console_summary(&pr.con, &sum, &info);
    if (o.report && status != 2)
        printf("reports: %s/report.json, %s/junit.xml, %s/report.html, %s/summary.md\n", o.report, o.report, o.report, o.report);

    for (size_t i = 0; i < pr.nbaseline; i++) free(pr.baseline[i]);
    free(pr.baseline);
    for (size_t i = 0; i < n; i++) evk_result_reset(&results[i]);
    free(results);
    free(ran);
    free(torun);
    free(where);
    free(sel);
    evk_ref_server_free(embedded);
    evk_loop_free(loop);
    if (interrupted) return 130;
    return status;
}
