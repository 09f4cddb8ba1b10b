/* `evack fuzz-live` and `evack replay`: see evk_fl_cmd.h and docs/fuzz-live.md. */
#include "evk_fl_cmd.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "evk_cli.h"
#include "evk_err.h"
#include "evk_fl_exec.h"
#include "evk_fl_finding.h"
#include "evk_fl_gen.h"
#include "evk_fl_min.h"
#include "evk_fl_verdict.h"
#include "evk_net.h"
#include "evk_uuid.h"

/* A batch lasts about this long (see the main loop). */
#define BATCH_MS 3000

/* Minimising may run this long past the end of the duration. */
#define MIN_GRACE_MS 15000

/* The one piece of global state: set by SIGINT/SIGTERM, read by a timer. */
static volatile sig_atomic_t evk_fl_signalled;

static void on_signal(int sig)
{
    (void)sig;
    evk_fl_signalled = 1;
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

/* ---- options shared by both commands -------------------------------- */

typedef struct opts {
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
} opts;

static const char fuzz_usage[] =
    "usage: evack fuzz-live TARGET --duration D [options]        fuzz a server (ws://host:port/path)\n"
    "       evack fuzz-live --client 'cmd ... {url}' --duration D  fuzz a client, started per session\n"
    "  --duration D       how long to fuzz: 90, 90s, 5m, 8h (default 60s)\n"
    "  --seed N           the generator's seed (default: from the clock, printed)\n"
    "  --findings DIR     where findings go (default findings/)\n"
    "  --profile P        seed (default), strict, or a profile file\n"
    "  --header 'K: V'    an extra upgrade header (repeatable; never written to findings)\n"
    "  --jobs N           sessions at once (default 128, clients 4 per CPU; a bearer token: 1)\n"
    "  --batch N          sessions per batch (default 16 x jobs)\n"
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

static void parse(int argc, char **argv, opts *o, bool replay)
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

static evk_loop *make_loop(const opts *o)
{
    char err[256];
    evk_loop_opts lo = {.tls_insecure = o->insecure, .ca_file = o->ca};
    evk_loop *loop = evk_loop_new(&lo, err, sizeof err);
    if (!loop) evk_die("%s", err);
    return loop;
}

/* ---- fuzz-live state ------------------------------------------------ */

typedef struct seen {
    char sig[96];
    unsigned count;
    char file[160], min_file[160];
    size_t steps, min_steps;
    double first_s;
    bool unconfirmed;
} seen;

typedef struct fuzz {
    opts o;
    evk_profile profile;
    evk_loop *loop;
    evk_fl_target t;
    evk_fl_gen_opts g;
    volatile int stop;       /* the runner polls it; only the timer below sets it */
    evk_timer *tick;
    uint64_t t0, end, min_deadline;
    bool minimising;
    bool tty;
    uint64_t last_print;
    /* Counters. */
    uint64_t sessions, sent, received, verdicts[5], next_index;
    uint64_t rerun_sessions, fuzz_ms, batch_t0; /* time spent fuzzing (not minimising) */
    uint64_t last_batch_ms;
    unsigned findings, unconfirmed, internal;
    seen *seen;
    size_t nseen, capseen;
    /* The batch in flight (for on_result). */
    evk_case_result *batch_results;
    uint64_t *batch_end;
    bool printed_progress;
    const char *activity;
    bool target_gone;
} fuzz;

static double secs(uint64_t ms)
{
    return (double)ms / 1000.0;
}

static void clock_text(uint64_t ms, char *out, size_t cap)
{
    uint64_t s = ms / 1000;
    if (s >= 3600) snprintf(out, cap, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else snprintf(out, cap, "%02llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

static uint64_t fuzz_time(const fuzz *f)
{
    return f->fuzz_ms + (f->batch_t0 ? evk_clock_ms() - f->batch_t0 : 0);
}

static void progress(fuzz *f, bool force)
{
    uint64_t now = evk_clock_ms(), el = now - f->t0;
    if (!force && now - f->last_print < (f->tty ? 1000u : 10000u)) return;
    f->last_print = now;
    char e[32], d[32];
    clock_text(el, e, sizeof e);
    clock_text(f->end > f->t0 ? f->end - f->t0 : 0, d, sizeof d);
    uint64_t fz = fuzz_time(f);
    double s = fz ? secs(fz) : 1;
    char line[320];
    snprintf(line, sizeof line,
             "fuzz-live %s/%s  sessions %llu (%.0f/s)  messages %llu (%.0f/s)  findings %u%s%s",
             e, d, (unsigned long long)f->sessions, (double)f->sessions / s,
             (unsigned long long)(f->sent + f->received), (double)(f->sent + f->received) / s, f->findings,
             f->activity ? "  " : "", f->activity ? f->activity : "");
    if (f->tty) fprintf(stderr, "\r\033[K%s", line);
    else fprintf(stderr, "%s\n", line);
    f->printed_progress = f->tty;
    fflush(stderr);
}

/* A line of news: on a TTY it goes above the progress line. */
static void say(fuzz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(fuzz *f, const char *fmt, ...)
{
    if (f->printed_progress) fputs("\r\033[K", stderr);
    f->printed_progress = false;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* Every 100 ms, inside the runs: signals, the end of the time, progress. */
static void on_tick(evk_timer *t, void *user)
{
    fuzz *f = user;
    uint64_t now = evk_clock_ms();
    if (evk_fl_signalled) f->stop = 1;
    if (!f->minimising && now >= f->end) f->stop = 1;
    if (f->minimising && f->min_deadline && now >= f->min_deadline) f->stop = 1;
    progress(f, false);
    evk_timer_at(t, now + 100);
}

static void reset_stop(fuzz *f)
{
    f->stop = evk_fl_signalled ? 1 : 0;
}

static void on_result(const evk_case_result *r, size_t done, size_t total, void *user)
{
    (void)done;
    (void)total;
    fuzz *f = user;
    if (f->batch_results && r >= f->batch_results && r < f->batch_results + total)
        f->batch_end[r - f->batch_results] = evk_clock_ms();
    if (r->skipped == EVK_SKIP_INTERRUPTED) return;
    if (f->minimising) { /* re-runs are not fuzzing: counted apart */
        f->rerun_sessions++;
        return;
    }
    uint64_t s, in;
    evk_fl_count_messages(r, &s, &in);
    f->sessions++;
    f->sent += s;
    f->received += in;
    if ((unsigned)r->verdict < 5) f->verdicts[r->verdict]++;
}

static seen *find_seen(fuzz *f, const char *sig)
{
    for (size_t i = 0; i < f->nseen; i++)
        if (strcmp(f->seen[i].sig, sig) == 0) return &f->seen[i];
    return NULL;
}

static seen *add_seen(fuzz *f, const char *sig)
{
    if (f->nseen == f->capseen) {
        size_t cap = f->capseen ? f->capseen * 2 : 8;
        seen *p = realloc(f->seen, cap * sizeof *p);
        if (!p) return NULL;
        f->seen = p;
        f->capseen = cap;
    }
    seen *s = &f->seen[f->nseen++];
    memset(s, 0, sizeof *s);
    snprintf(s->sig, sizeof s->sig, "%s", sig);
    return s;
}

static int ensure_dir(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(path, 0777) != 0 && errno != EEXIST) return -1;
    return 0;
}

static void fill_finding(fuzz *f, evk_fl_finding *fd, evk_fl_case *fc, const evk_fl_class *cls,
                         const evk_case_result *r)
{
    memset(fd, 0, sizeof *fd);
    fd->fc = fc;
    fd->cls = *cls;
    snprintf(fd->target, sizeof fd->target, "%s", f->o.client ? f->o.client : f->o.target);
    snprintf(fd->role, sizeof fd->role, "%s", f->o.client ? "client" : "server");
    snprintf(fd->profile, sizeof fd->profile, "%s", f->o.profile);
    if (r) {
        snprintf(fd->verdict, sizeof fd->verdict, "%s", evk_verdict_name(r->verdict));
        snprintf(fd->expected, sizeof fd->expected, "%s", r->expected);
        snprintf(fd->observed, sizeof fd->observed, "%s", r->observed);
        fd->duration_ms = r->duration_ms;
        fd->limit_ms = r->limit_ms;
    }
    fd->found_after_s = secs(evk_clock_ms() - f->t0);
    fd->times_seen = 1;
}

static bool write_finding(fuzz *f, const char *dir, const char *name, const evk_fl_finding *fd, const evk_case_result *r)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ensure_dir(dir) < 0 || evk_fl_finding_write(path, fd, r, err, sizeof err) < 0) {
        say(f, "evack: cannot save a finding: %s", err[0] ? err : dir);
        return false;
    }
    return true;
}

/* A new kind of finding: confirm it, save it, minimise it, save that. */
static void handle_finding(fuzz *f, evk_fl_case *fc, const evk_fl_class *cls, const evk_case_result *r, bool down)
{
    seen *sn = add_seen(f, cls->sig);
    if (!sn) return;
    sn->count = 1;
    sn->first_s = secs(evk_clock_ms() - f->t0);
    sn->steps = fc->n;
    evk_fl_min_opts mo = {.target = &f->t, .want = cls, .restart_wait_ms = f->o.restart_wait_ms};
    evk_fl_min_stats st;
    memset(&st, 0, sizeof st);
    f->minimising = true;
    /* Its own time, but a run ends at most MIN_GRACE_MS after its duration. */
    uint64_t now = evk_clock_ms();
    f->min_deadline = now + (f->o.min_ms ? f->o.min_ms : 30000);
    if (f->min_deadline > f->end + MIN_GRACE_MS) f->min_deadline = now > f->end + MIN_GRACE_MS ? now + 1000 : f->end + MIN_GRACE_MS;
    char name[256];

    /* Confirm: the same session again (twice, at once) must show it. A
     * crash is confirmed by the target's death itself. */
    bool confirmed = true;
    if (!down && !evk_fl_signalled) {
        f->activity = "[confirming]";
        reset_stop(f);
        confirmed = evk_fl_check(&mo, fc, 2, NULL, &st) > 0;
    } else if (!down) {
        confirmed = false; /* interrupted: kept, but there is no time to run it again */
    }
    if (!confirmed) {
        sn->unconfirmed = true;
        f->unconfirmed++;
        evk_fl_finding fd;
        fill_finding(f, &fd, fc, cls, r);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/unconfirmed", f->o.findings);
        evk_fl_finding_name(cls, fc, false, name, sizeof name);
        if (write_finding(f, dir, name, &fd, r)) snprintf(sn->file, sizeof sn->file, "unconfirmed/%s", name);
        say(f, "unconfirmed: %s (session %llu failed once, %s) -> %s/%s", cls->sig, (unsigned long long)fc->index,
            evk_fl_signalled ? "interrupted before a re-run" : "not in 2 re-runs: timing?", f->o.findings, sn->file);
        f->minimising = false;
        f->activity = NULL;
        return;
    }
    f->findings++;
    evk_fl_finding fd;
    fill_finding(f, &fd, fc, cls, r);
    evk_fl_finding_name(cls, fc, false, name, sizeof name);
    if (write_finding(f, f->o.findings, name, &fd, r)) snprintf(sn->file, sizeof sn->file, "%s", name);
    say(f, "finding: %s (%s) in session %llu after %.1f s -> %s/%s", cls->sig, evk_fl_tag_text(cls->primary),
        (unsigned long long)fc->index, sn->first_s, f->o.findings, name);
    say(f, "  expected: %s", r ? r->expected : "");
    say(f, "  observed: %s", r ? r->observed : "");

    if (!f->o.minimise || (down && f->target_gone)) {
        f->minimising = false;
        f->activity = NULL;
        return;
    }
    f->activity = "[minimising]";
    reset_stop(f);
    mo.deadline_ms = f->min_deadline;
    evk_fl_case *min = evk_fl_minimise(&mo, fc, &st);
    if (min && st.shrunk) {
        /* One more run for the transcript of the minimised session. */
        evk_case_result mr;
        memset(&mr, 0, sizeof mr);
        reset_stop(f);
        f->min_deadline = evk_clock_ms() + 30000;
        unsigned ok = evk_fl_check(&mo, min, 1, &mr, &st);
        evk_fl_finding md;
        fill_finding(f, &md, min, cls, ok ? &mr : r);
        md.minimised = true;
        snprintf(min->doing, sizeof min->doing, "%zu of the original %zu step(s), which were: %s", min->n, fc->n, fc->doing);
        snprintf(md.original, sizeof md.original, "%s", name);
        md.original_steps = fc->n;
        char mname[256];
        evk_fl_finding_name(cls, fc, true, mname, sizeof mname);
        if (write_finding(f, f->o.findings, mname, &md, ok ? &mr : NULL)) snprintf(sn->min_file, sizeof sn->min_file, "%s", mname);
        sn->min_steps = min->n;
        if (ok) evk_result_reset(&mr);
        say(f, "  minimised: %zu -> %zu step(s), %zu -> %zu bytes of text messages, in %u session(s)%s -> %s/%s",
            fc->n, min->n, evk_fl_case_text_bytes(fc), evk_fl_case_text_bytes(min), st.sessions,
            st.cut_short ? " (cut short)" : "", f->o.findings, mname);
    } else {
        say(f, "  minimised: no smaller session reproduces it (%u session(s)%s)", st.sessions,
            st.cut_short ? ", cut short" : "");
    }
    evk_fl_case_free(min);
    f->minimising = false;
    f->activity = NULL;
}

/* The sessions that may have crashed the target, best guess first: those
 * whose connection dropped within SUSPECT_WINDOW_MS of the first drop (a
 * crash drops them all at once), the one that sent last before its drop
 * first (the target was reading it). Returns how many went into out. */
#define SUSPECT_WINDOW_MS 50
#define MAX_SUSPECTS 16

typedef struct suspect_t {
    size_t i;
    uint64_t drop_at, last_out;
} suspect_t;

static int cmp_suspect(const void *a, const void *b)
{
    const suspect_t *x = a, *y = b;
    if (x->last_out != y->last_out) return x->last_out > y->last_out ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static size_t suspects(fuzz *f, const evk_case_result *res, size_t n, size_t *out, size_t cap)
{
    suspect_t *s = calloc(n ? n : 1, sizeof *s);
    size_t ns = 0;
    uint64_t first = UINT64_MAX;
    if (!s) return 0;
    for (size_t i = 0; i < n; i++) {
        const evk_case_result *r = &res[i];
        uint64_t start = f->batch_end[i] >= r->duration_ms ? f->batch_end[i] - r->duration_ms : 0, last_out = 0;
        for (size_t k = 0; k < r->tr.n; k++) {
            const evk_tentry *e = &r->tr.e[k];
            if (e->out && (e->kind == EVK_T_TEXT || e->kind == EVK_T_BINARY || e->kind == EVK_T_PING))
                last_out = start + e->t_ms;
            if (e->kind != EVK_T_DROP) continue;
            s[ns++] = (suspect_t){.i = i, .drop_at = start + e->t_ms, .last_out = last_out};
            if (start + e->t_ms < first) first = start + e->t_ms;
            break;
        }
    }
    size_t k = 0;
    for (size_t j = 0; j < ns; j++)
        if (s[j].drop_at <= first + SUSPECT_WINDOW_MS) s[k++] = s[j];
    qsort(s, k, sizeof *s, cmp_suspect);
    size_t m = k < cap ? k : cap;
    for (size_t j = 0; j < m; j++) out[j] = s[j].i;
    free(s);
    return m;
}

/* The target went away during a batch. Find the session that does it by
 * running the suspects alone once the target is back (a supervisor restarts
 * it); without a restart, the best guess is saved as it is. */
static void handle_crash(fuzz *f, evk_fl_case **cases, evk_case_result *res, size_t n, bool hung)
{
    size_t sus[MAX_SUSPECTS];
    size_t ns = suspects(f, res, n, sus, MAX_SUSPECTS);
    if (!ns) { /* nothing dropped: whoever failed first */
        for (size_t i = 0; i < n && !ns; i++) {
            evk_fl_class c;
            evk_fl_classify(&res[i], &c);
            if (c.finding) sus[ns++] = i;
        }
    }
    if (!ns) return;
    f->activity = "[waiting for the target]";
    progress(f, true);
    char err[256];
    f->target_gone = evk_fl_wait_up(&f->t, f->o.restart_wait_ms, err, sizeof err) != EVK_FL_UP;
    size_t culprit = sus[0];
    bool found = false;
    for (size_t j = 0; j < ns && !f->target_gone && !evk_fl_signalled; j++) {
        evk_fl_class want;
        evk_fl_classify(&res[sus[j]], &want);
        evk_fl_class_set_down(&want, hung);
        evk_fl_min_opts mo = {.target = &f->t, .want = &want, .restart_wait_ms = f->o.restart_wait_ms};
        evk_fl_min_stats st;
        memset(&st, 0, sizeof st);
        f->activity = "[looking for the session that crashes it]";
        f->minimising = true;
        f->min_deadline = 0;
        reset_stop(f);
        found = evk_fl_check(&mo, cases[sus[j]], 1, NULL, &st) > 0;
        f->minimising = false;
        if (found) {
            culprit = sus[j];
            break;
        }
        f->target_gone = evk_fl_wait_up(&f->t, f->o.restart_wait_ms, err, sizeof err) != EVK_FL_UP;
    }
    evk_fl_class c;
    evk_fl_classify(&res[culprit], &c);
    evk_fl_class_set_down(&c, hung);
    seen *sn = find_seen(f, c.sig);
    if (sn) {
        sn->count++;
        return;
    }
    if (!found)
        say(f, "the target %s: the session that did it is not known for sure (%s); saving the best guess of %zu",
            f->target_gone ? "did not come back" : "survived each suspect alone",
            f->target_gone ? "no restart" : "a combination?", ns);
    handle_finding(f, cases[culprit], &c, &res[culprit], true);
    if (!f->target_gone) f->target_gone = evk_fl_wait_up(&f->t, f->o.restart_wait_ms, err, sizeof err) != EVK_FL_UP;
}

static int cmp_est(const void *a, const void *b)
{
    const evk_fl_case *x = *(evk_fl_case *const *)a, *y = *(evk_fl_case *const *)b;
    double ex = (double)x->est_ms + x->est_frac * 1000.0, ey = (double)y->est_ms + y->est_frac * 1000.0;
    if (ex != ey) return ex < ey ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* One batch: generate, run, judge; findings handled after the run. */
static void run_batch(fuzz *f, size_t n)
{
    evk_fl_case **cases = calloc(n, sizeof *cases);
    evk_case_result *res = calloc(n, sizeof *res);
    uint64_t *ends = calloc(n, sizeof *ends);
    if (!cases || !res || !ends) evk_die("out of memory");
    for (size_t i = 0; i < n; i++) {
        cases[i] = evk_fl_generate(&f->g, f->next_index++);
        if (!cases[i]) evk_die("out of memory");
    }
    /* Longest first: the long sessions overlap the short ones, the batch ends sooner. */
    qsort(cases, n, sizeof *cases, cmp_est);
    f->batch_results = res;
    f->batch_end = ends;
    reset_stop(f);
    f->batch_t0 = evk_clock_ms();
    int rc = evk_fl_run(&f->t, cases, n, res);
    f->last_batch_ms = evk_clock_ms() - f->batch_t0;
    f->fuzz_ms += f->last_batch_ms;
    f->batch_t0 = 0;
    f->batch_results = NULL;
    if (rc == EVK_EIO) evk_die("cannot listen for the client (address in use?)");
    if (rc < 0) evk_die("out of memory");

    /* Judge. A target that went away takes every later session with it:
     * then only the crash is reported. */
    bool dropped = false;
    for (size_t i = 0; i < n; i++) {
        evk_fl_class c;
        evk_fl_classify(&res[i], &c);
        if (c.tags & ((1u << EVK_FL_T_DROP) | (1u << EVK_FL_T_CONNECT) | (1u << EVK_FL_T_NO_RESPONSE))) dropped = true;
    }
    evk_fl_up up = EVK_FL_UP;
    char err[256] = "";
    if (dropped && !evk_fl_signalled) up = evk_fl_probe(&f->t, err, sizeof err);
    if (up != EVK_FL_UP) {
        say(f, "the target is %s after a batch (%s)", up == EVK_FL_HUNG ? "hanging" : "gone", err);
        handle_crash(f, cases, res, n, up == EVK_FL_HUNG);
        if (f->target_gone) say(f, "the target did not come back within %.0f s: stopping", secs(f->o.restart_wait_ms));
    } else {
        /* Interrupted, the batch's new failures are still saved (unconfirmed). */
        for (size_t i = 0; i < n; i++) {
            evk_fl_class c;
            evk_fl_classify(&res[i], &c);
            if (c.internal) f->internal++;
            if (!c.finding) continue;
            seen *sn = find_seen(f, c.sig);
            if (sn) {
                sn->count++;
                continue;
            }
            handle_finding(f, cases[i], &c, &res[i], false);
            if (f->o.stop_after && f->findings >= f->o.stop_after) break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        evk_result_reset(&res[i]);
        evk_fl_case_free(cases[i]);
    }
    free(cases);
    free(res);
    free(ends);
}

/* Does the target emit Events (a server on the trigger, a client by itself)?
 * Also learns the target's ack limit. */
static bool probe_trigger(fuzz *f, uint64_t *limit_ms)
{
    evk_fl_case *fc = evk_fl_case_new("fl.trigger-probe");
    if (!fc) evk_die("out of memory");
    evk_step hold = {.kind = EVK_STEP_HOLD, .n = 1};
    evk_step ack = {.kind = EVK_STEP_ACK_HELD, .n = 0};
    evk_fl_case_add(fc, &hold);
    evk_fl_case_add(fc, &ack);
    evk_case_result r;
    reset_stop(f);
    evk_fl_run(&f->t, &fc, 1, &r);
    bool yes = !(r.skipped == EVK_SKIP_NO_TRIGGER || r.skipped == EVK_SKIP_TOO_FEW_EVENTS);
    *limit_ms = f->t.role == EVK_ROLE_CLIENT ? (f->o.client_limit_ms ? f->o.client_limit_ms : 1000) : r.limit_ms;
    evk_result_reset(&r);
    evk_fl_case_free(fc);
    return yes;
}

static void summary(fuzz *f)
{
    uint64_t el = evk_clock_ms() - f->t0, fz = fuzz_time(f);
    double s = fz ? secs(fz) : 1;
    if (f->printed_progress) fputs("\r\033[K", stderr);
    f->printed_progress = false;
    fprintf(stderr, "fuzz-live %s: %s %s, profile %s, seed %llu\n", evk_fl_signalled ? "interrupted" : "done",
            f->o.client ? "client" : "server", f->o.client ? f->o.client : f->o.target, f->profile.name,
            (unsigned long long)f->o.seed);
    fprintf(stderr, "  %.1f s, %.1f s of it in fuzzing batches (the rest: probes, judging, confirming, minimising)\n",
            secs(el), s);
    fprintf(stderr, "  %llu sessions (%.0f/s), %llu messages sent + %llu received (%.0f/s); %llu re-run session(s)\n",
            (unsigned long long)f->sessions, (double)f->sessions / s, (unsigned long long)f->sent,
            (unsigned long long)f->received, (double)(f->sent + f->received) / s,
            (unsigned long long)f->rerun_sessions);
    fprintf(stderr, "  verdicts: %llu pass, %llu fail, %llu non-strict, %llu informational, %llu skip\n",
            (unsigned long long)f->verdicts[EVK_VERDICT_PASS], (unsigned long long)f->verdicts[EVK_VERDICT_FAIL],
            (unsigned long long)f->verdicts[EVK_VERDICT_NON_STRICT], (unsigned long long)f->verdicts[EVK_VERDICT_INFO],
            (unsigned long long)f->verdicts[EVK_VERDICT_SKIP]);
    if (f->internal) fprintf(stderr, "  %u session(s) failed inside evack itself (not findings)\n", f->internal);
    fprintf(stderr, "  findings: %u%s\n", f->findings,
            f->findings ? "" : f->unconfirmed ? " (nothing confirmed)" : " (nothing found)");
    for (size_t i = 0; i < f->nseen; i++) {
        const seen *sn = &f->seen[i];
        if (sn->unconfirmed) continue;
        fprintf(stderr, "    %-40s seen %u time(s), first after %.1f s: %s/%s", sn->sig, sn->count, sn->first_s,
                f->o.findings, sn->file[0] ? sn->file : "(not saved)");
        if (sn->min_file[0]) fprintf(stderr, " (minimised %zu -> %zu steps: %s)", sn->steps, sn->min_steps, sn->min_file);
        fputc('\n', stderr);
    }
    if (f->unconfirmed) {
        fprintf(stderr, "  unconfirmed (failed once, not shown again or not re-run; not counted): %u\n", f->unconfirmed);
        for (size_t i = 0; i < f->nseen; i++)
            if (f->seen[i].unconfirmed) fprintf(stderr, "    %-40s %s/%s\n", f->seen[i].sig, f->o.findings, f->seen[i].file);
    }
}

int evk_cmd_fuzz_live(int argc, char **argv)
{
    fuzz *f = calloc(1, sizeof *f);
    if (!f) evk_die("out of memory");
    f->o = (opts){.profile = "seed", .findings = "findings", .duration_ms = 60000, .jobs = 0, .wait_ms = 1000,
                  .settle_ms = 25, .min_ms = 60000, .restart_wait_ms = 5000, .minimise = true};
    parse(argc, argv, &f->o, false);
    opts *o = &f->o;
    if (!o->target && !o->client) evk_die("fuzz-live needs a TARGET (ws://host:port/path) or --client 'cmd {url}'");
    if (o->min_ms == 0) o->minimise = false;
    char err[512];
    if (evk_profile_load(&f->profile, o->profile, err, sizeof err) < 0) evk_die("%s", err);
    if (o->target && evk_url_check(o->target, err, sizeof err) < 0) evk_die("%s", err);
    if (!o->have_seed) {
        evk_uuid u;
        evk_uuid_v4(&u);
        memcpy(&o->seed, u.b, sizeof o->seed);
        o->seed %= 1000000000ull; /* short enough to type again */
    }
    bool token = evk_headers_have_bearer(o->headers, o->nheaders);
    if (!o->jobs) {
        /* Against a client every session is a process of its own. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        o->jobs = o->client ? (unsigned)(cpus > 0 ? 4 * cpus : 8) : 128;
    }
    f->loop = make_loop(o);
    f->t = (evk_fl_target){.loop = f->loop, .profile = &f->profile,
                           .role = o->client ? EVK_ROLE_CLIENT : EVK_ROLE_SERVER, .url = o->target,
                           .client_cmd = o->client, .client_limit_ms = o->client_limit_ms,
                           .headers = o->headers, .nheaders = o->nheaders, .one_connection = token && !o->client,
                           .jobs = o->jobs, .wait_ms = o->wait_ms, .settle_ms = o->settle_ms, .stop = &f->stop,
                           .on_result = on_result, .user = f};
    if (evk_fl_probe(&f->t, err, sizeof err) != EVK_FL_UP) {
        evk_loop_free(f->loop);
        evk_die("%s", err);
    }
    f->tty = isatty(STDERR_FILENO);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    f->t0 = evk_clock_ms();
    f->last_print = f->t0; /* the first progress line after a full period */
    f->end = f->t0 + (uint64_t)o->duration_ms;
    f->tick = evk_timer_new(f->loop, on_tick, f);
    if (!f->tick) evk_die("out of memory");
    evk_timer_at(f->tick, f->t0 + 100);

    f->g = (evk_fl_gen_opts){.profile = &f->profile, .target_role = f->t.role, .seed = o->seed};
    f->g.trigger = probe_trigger(f, &f->g.limit_ms);
    fprintf(stderr, "fuzz-live: %s %s, profile %s, seed %llu, ack limit %llu ms, %.0f s, %u at a time%s; findings go to %s/\n",
            o->client ? "client" : "server", o->client ? o->client : o->target, f->profile.name,
            (unsigned long long)o->seed, (unsigned long long)f->g.limit_ms, secs((uint64_t)o->duration_ms),
            token && !o->client ? 1 : o->jobs,
            f->g.trigger ? "" : o->client ? " (the client sends no Events of its own)" : " (the target emits no Events on the trigger)",
            o->findings);
    /* Batches of about BATCH_MS: findings are handled between batches, and a
     * slow target (every session waits for a deadline) must not hold one back
     * for long; a fast one gets big batches (less time lost in their tails). */
    unsigned conc = token && !o->client ? 1 : o->jobs;
    size_t batch = o->batch ? o->batch : (size_t)conc; /* small at first: early findings come early */
    while (!evk_fl_signalled && evk_clock_ms() < f->end && !f->target_gone &&
           !(o->stop_after && f->findings >= o->stop_after)) {
        run_batch(f, batch);
        if (o->batch || !f->last_batch_ms) continue;
        double per_s = (double)batch * 1000.0 / (double)f->last_batch_ms, want = per_s * BATCH_MS / 1000.0;
        double lo = conc, hi = 64.0 * conc;
        batch = (size_t)(want < lo ? lo : want > hi ? hi : want);
    }

    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    evk_timer_free(f->tick);
    summary(f);
    int status = f->findings ? 1 : 0;
    evk_loop_free(f->loop);
    free(f->seen);
    free(f);
    return status;
}

/* ---- replay --------------------------------------------------------- */

int evk_cmd_replay(int argc, char **argv)
{
    opts o = {.wait_ms = 1000, .settle_ms = 25, .times = 1, .restart_wait_ms = 0};
    parse(argc, argv, &o, true);
    if (!o.file) evk_die("replay needs a finding FILE (see evack replay --help)");
    if (!o.target && !o.client) evk_die("replay needs a TARGET (ws://host:port/path) or --client 'cmd {url}'");
    char err[512];
    evk_fl_finding fd;
    if (evk_fl_finding_read(o.file, &fd, err, sizeof err) < 0) evk_die("%s", err);
    if (!o.profile) o.profile = fd.profile;
    evk_profile profile;
    if (evk_profile_load(&profile, o.profile, err, sizeof err) < 0) evk_die("%s", err);
    if (o.target && evk_url_check(o.target, err, sizeof err) < 0) evk_die("%s", err);
    bool client = o.client != NULL;
    if (client != (strcmp(fd.role, "client") == 0))
        evk_die("%s is a finding against a %s: replay it with %s", o.file, fd.role,
                client ? "a server URL" : "--client 'cmd {url}'");
    evk_loop *loop = make_loop(&o);
    volatile int stop = 0;
    evk_fl_target t = {.loop = loop, .profile = &profile, .role = client ? EVK_ROLE_CLIENT : EVK_ROLE_SERVER,
                       .url = o.target, .client_cmd = o.client, .client_limit_ms = o.client_limit_ms,
                       .headers = o.headers, .nheaders = o.nheaders, .one_connection = evk_headers_have_bearer(o.headers, o.nheaders) && !client,
                       .jobs = 0, .wait_ms = o.wait_ms, .settle_ms = o.settle_ms, .stop = &stop};
    if (evk_fl_probe(&t, err, sizeof err) != EVK_FL_UP) {
        evk_fl_finding_reset(&fd);
        evk_loop_free(loop);
        evk_die("%s", err);
    }
    unsigned hits = 0, runs = 0;
    evk_case_result shown;
    bool have_shown = false;
    for (unsigned i = 0; i < o.times; i++) {
        evk_case_result r;
        memset(&r, 0, sizeof r);
        evk_fl_class c;
        /* Run it and judge it here, to show what happened either way. */
        if (evk_fl_run(&t, &fd.fc, 1, &r) < 0) break;
        runs++;
        evk_fl_classify(&r, &c);
        if (fd.cls.primary == EVK_FL_T_CRASH || fd.cls.primary == EVK_FL_T_HANG) {
            evk_fl_up up = evk_fl_probe(&t, err, sizeof err);
            if (up != EVK_FL_UP) evk_fl_class_set_down(&c, up == EVK_FL_HUNG);
        }
        bool hit = evk_fl_reproduces(&fd.cls, &c);
        hits += hit;
        if (!have_shown || (hit && hits == 1)) {
            if (have_shown) evk_result_reset(&shown);
            shown = r;
            have_shown = true;
        } else {
            evk_result_reset(&r);
        }
        if (hit && (fd.cls.primary == EVK_FL_T_CRASH || fd.cls.primary == EVK_FL_T_HANG)) break;
    }
    if (hits) printf("reproduced");
    else printf("not reproduced");
    if (o.times > 1) printf(" (%u of %u runs)", hits, runs);
    printf("\n  finding:  %s (%s), %zu step(s), profile %s\n", fd.cls.sig, evk_fl_tag_text(fd.cls.primary), fd.fc->n,
           profile.name);
    if (have_shown) {
        evk_fl_class c;
        evk_fl_classify(&shown, &c);
        printf("  verdict:  %s%s%s\n", evk_verdict_name(shown.verdict), c.finding ? ", " : "", c.finding ? c.sig : "");
        printf("  expected: %s\n  observed: %s\n", shown.expected, shown.observed);
        evk_result_reset(&shown);
    }
    evk_fl_finding_reset(&fd);
    evk_loop_free(loop);
    return hits ? 1 : 0;
}
