/* `evack fuzz-live` and `evack replay` (evk_fl_cmd.h; docs/fuzz-live.md is
 * the manual): the campaign around the generator, the runner and the
 * minimiser.
 *
 * fuzz-live: after a probe of the target (and of whether it emits Events),
 * sessions are generated and run in batches of about BATCH_MS, the batch
 * size following the target's speed. After each batch every failed verdict
 * is classified; a new kind of finding is confirmed by running it again,
 * saved, minimised, and saved again (handle_finding). When connections
 * dropped, the target is probed; gone or hanging, the suspects are re-run
 * alone once it is back to find the session that crashes it (handle_crash).
 * A 100 ms timer ends the run at SIGINT/SIGTERM or at the end of the
 * duration, and prints progress (evk_fl_progress.c).
 * replay: one finding file, run --times times, judged here.
 *
 * Options: evk_fl_options.c. The only global state is the signal flag. */
#include "evk_fl_cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "evk_cli.h" /* evk_headers_have_bearer */
#include "evk_err.h"
#include "evk_fl_exec.h"
#include "evk_fl_finding.h"
#include "evk_fl_gen.h"
#include "evk_fl_min.h"
#include "evk_fl_options.h"
#include "evk_fl_progress.h"
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

static evk_loop *make_loop(const evk_fl_opts *o)
{
    char err[256];
    evk_loop_opts lo = {.tls_insecure = o->insecure, .ca_file = o->ca};
    evk_loop *loop = evk_loop_new(&lo, err, sizeof err);
    if (!loop) evk_die("%s", err);
    return loop;
}

/* ---- a run's state, its timer, its counts ------------------------------- */

/* One fuzz-live run. */
typedef struct fuzz {
    evk_fl_opts o;
    evk_profile profile;
    evk_loop *loop;
    evk_fl_target t;
    evk_fl_gen_opts g;
    volatile int stop;       /* the runner polls it; only the timer below sets it */
    evk_timer *tick;
    uint64_t min_deadline;
    bool minimising;
    uint64_t next_index;     /* the next session the generator makes */
    uint64_t last_batch_ms;
    double last_mean_ms;     /* the last batch's mean session length (0: none measured) */
    /* The batch in flight (for on_result). */
    evk_case_result *batch_results;
    uint64_t *batch_end;
    bool target_gone;
    evk_fl_tally tally;      /* counts, findings seen, the display */
} fuzz;

/* Every 100 ms, inside the runs: signals, the end of the time, progress. */
static void on_tick(evk_timer *t, void *user)
{
    fuzz *f = user;
    uint64_t now = evk_clock_ms();
    if (evk_fl_signalled) f->stop = 1;
    if (!f->minimising && now >= f->tally.end) f->stop = 1;
    if (f->minimising && f->min_deadline && now >= f->min_deadline) f->stop = 1;
    evk_fl_progress(&f->tally, false);
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
        f->tally.rerun_sessions++;
        return;
    }
    uint64_t s, in;
    evk_fl_count_messages(r, &s, &in);
    f->tally.sessions++;
    f->tally.sent += s;
    f->tally.received += in;
    if ((unsigned)r->verdict < 5) f->tally.verdicts[r->verdict]++;
}

/* ---- findings: confirm, save, minimise ---------------------------------- */

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
    fd->found_after_s = evk_fl_secs(evk_clock_ms() - f->tally.t0);
    fd->times_seen = 1;
}

static bool write_finding(fuzz *f, const char *dir, const char *name, const evk_fl_finding *fd, const evk_case_result *r)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (ensure_dir(dir) < 0 || evk_fl_finding_write(path, fd, r, err, sizeof err) < 0) {
        evk_fl_say(&f->tally, "evack: cannot save a finding: %s", err[0] ? err : dir);
        return false;
    }
    return true;
}

/* A new kind of finding: confirm it, save it, minimise it, save that. */
static void handle_finding(fuzz *f, evk_fl_case *fc, const evk_fl_class *cls, const evk_case_result *r, bool down)
{
    evk_fl_seen *sn = evk_fl_seen_add(&f->tally, cls->sig);
    if (!sn) return;
    sn->count = 1;
    sn->first_s = evk_fl_secs(evk_clock_ms() - f->tally.t0);
    sn->steps = fc->n;
    evk_fl_min_opts mo = {.target = &f->t, .want = cls, .restart_wait_ms = f->o.restart_wait_ms};
    evk_fl_min_stats st;
    memset(&st, 0, sizeof st);
    f->minimising = true;
    /* Its own time, but a run ends at most MIN_GRACE_MS after its duration. */
    uint64_t now = evk_clock_ms();
    f->min_deadline = now + (f->o.min_ms ? f->o.min_ms : 30000);
    if (f->min_deadline > f->tally.end + MIN_GRACE_MS) f->min_deadline = now > f->tally.end + MIN_GRACE_MS ? now + 1000 : f->tally.end + MIN_GRACE_MS;
    char name[256];

    /* Confirm: the same session again (twice, at once) must show it. A
     * crash is confirmed by the target's death itself. */
    bool confirmed = true;
    if (!down && !evk_fl_signalled) {
        f->tally.activity = "[confirming]";
        reset_stop(f);
        confirmed = evk_fl_check(&mo, fc, 2, NULL, &st) > 0;
    } else if (!down) {
        confirmed = false; /* interrupted: kept, but there is no time to run it again */
    }
    if (!confirmed) {
        sn->unconfirmed = true;
        f->tally.unconfirmed++;
        evk_fl_finding fd;
        fill_finding(f, &fd, fc, cls, r);
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/unconfirmed", f->o.findings);
        evk_fl_finding_name(cls, fc, false, name, sizeof name);
        if (write_finding(f, dir, name, &fd, r)) snprintf(sn->file, sizeof sn->file, "unconfirmed/%s", name);
        evk_fl_say(&f->tally, "unconfirmed: %s (session %llu failed once, %s) -> %s/%s", cls->sig, (unsigned long long)fc->index,
            evk_fl_signalled ? "interrupted before a re-run" : "not in 2 re-runs: timing?", f->o.findings, sn->file);
        f->minimising = false;
        f->tally.activity = NULL;
        return;
    }
    f->tally.findings++;
    evk_fl_finding fd;
    fill_finding(f, &fd, fc, cls, r);
    evk_fl_finding_name(cls, fc, false, name, sizeof name);
    if (write_finding(f, f->o.findings, name, &fd, r)) snprintf(sn->file, sizeof sn->file, "%s", name);
    evk_fl_say(&f->tally, "finding: %s (%s) in session %llu after %.1f s -> %s/%s", cls->sig, evk_fl_tag_text(cls->primary),
        (unsigned long long)fc->index, sn->first_s, f->o.findings, name);
    evk_fl_say(&f->tally, "  expected: %s", r ? r->expected : "");
    evk_fl_say(&f->tally, "  observed: %s", r ? r->observed : "");

    if (!f->o.minimise || (down && f->target_gone)) {
        f->minimising = false;
        f->tally.activity = NULL;
        return;
    }
    f->tally.activity = "[minimising]";
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
        evk_fl_say(&f->tally, "  minimised: %zu -> %zu step(s), %zu -> %zu bytes of text messages, in %u session(s)%s -> %s/%s",
            fc->n, min->n, evk_fl_case_text_bytes(fc), evk_fl_case_text_bytes(min), st.sessions,
            st.cut_short ? " (cut short)" : "", f->o.findings, mname);
    } else {
        evk_fl_say(&f->tally, "  minimised: no smaller session reproduces it (%u session(s)%s)", st.sessions,
            st.cut_short ? ", cut short" : "");
    }
    evk_fl_case_free(min);
    f->minimising = false;
    f->tally.activity = NULL;
}

/* ---- crash triage ------------------------------------------------------- */

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
    f->tally.activity = "[waiting for the target]";
    evk_fl_progress(&f->tally, true);
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
        f->tally.activity = "[looking for the session that crashes it]";
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
    evk_fl_seen *sn = evk_fl_seen_find(&f->tally, c.sig);
    if (sn) {
        sn->count++;
        return;
    }
    if (!found)
        evk_fl_say(&f->tally, "the target %s: the session that did it is not known for sure (%s); saving the best guess of %zu",
            f->target_gone ? "did not come back" : "survived each suspect alone",
            f->target_gone ? "no restart" : "a combination?", ns);
    handle_finding(f, cases[culprit], &c, &res[culprit], true);
    if (!f->target_gone) f->target_gone = evk_fl_wait_up(&f->t, f->o.restart_wait_ms, err, sizeof err) != EVK_FL_UP;
}

/* ---- batches ------------------------------------------------------------ */

static int cmp_est(const void *a, const void *b)
{
    const evk_fl_case *x = *(evk_fl_case *const *)a, *y = *(evk_fl_case *const *)b;
    double ex = (double)x->est_ms + x->est_frac * 1000.0, ey = (double)y->est_ms + y->est_frac * 1000.0;
    if (ex != ey) return ex < ey ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* After a batch in which connections dropped or failed: is the target
 * still up, gone (crashed) or hanging? err says what the probe saw. */
static evk_fl_up probe_after_batch(fuzz *f, bool dropped, char *err, size_t errcap)
{
    if (!dropped || evk_fl_signalled) return EVK_FL_UP;
    return evk_fl_probe(&f->t, err, errcap);
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
    f->tally.batch_t0 = evk_clock_ms();
    int rc = evk_fl_run(&f->t, cases, n, res);
    f->last_batch_ms = evk_clock_ms() - f->tally.batch_t0;
    f->tally.fuzz_ms += f->last_batch_ms;
    f->tally.batch_t0 = 0;
    f->batch_results = NULL;
    if (rc == EVK_EIO) evk_die("cannot listen for the client (address in use?)");
    if (rc < 0) evk_die("out of memory");
    uint64_t sum = 0, ran = 0;
    for (size_t i = 0; i < n; i++)
        if (res[i].skipped != EVK_SKIP_INTERRUPTED) sum += res[i].duration_ms, ran++;
    f->last_mean_ms = ran ? (double)sum / (double)ran : 0;

    /* Judge. A target that went away takes every later session with it:
     * then only the crash is reported. */
    bool dropped = false;
    for (size_t i = 0; i < n; i++) {
        evk_fl_class c;
        evk_fl_classify(&res[i], &c);
        if (c.tags & ((1u << EVK_FL_T_DROP) | (1u << EVK_FL_T_CONNECT) | (1u << EVK_FL_T_NO_RESPONSE))) dropped = true;
    }
    char err[256] = "";
    evk_fl_up up = probe_after_batch(f, dropped, err, sizeof err);
    if (up != EVK_FL_UP) {
        evk_fl_say(&f->tally, "the target is %s after a batch (%s)", up == EVK_FL_HUNG ? "hanging" : "gone", err);
        handle_crash(f, cases, res, n, up == EVK_FL_HUNG);
        if (f->target_gone) evk_fl_say(&f->tally, "the target did not come back within %.0f s: stopping", evk_fl_secs(f->o.restart_wait_ms));
    } else {
        /* Interrupted, the batch's new failures are still saved (unconfirmed). */
        for (size_t i = 0; i < n; i++) {
            evk_fl_class c;
            evk_fl_classify(&res[i], &c);
            if (c.internal) f->tally.internal++;
            if (!c.finding) continue;
            evk_fl_seen *sn = evk_fl_seen_find(&f->tally, c.sig);
            if (sn) {
                sn->count++;
                continue;
            }
            handle_finding(f, cases[i], &c, &res[i], false);
            if (f->o.stop_after && f->tally.findings >= f->o.stop_after) break;
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

/* ---- fuzz-live ---------------------------------------------------------- */

int evk_cmd_fuzz_live(int argc, char **argv)
{
    fuzz *f = calloc(1, sizeof *f);
    if (!f) evk_die("out of memory");
    f->o = (evk_fl_opts){.profile = "seed", .findings = "findings", .duration_ms = 60000, .jobs = 0, .wait_ms = 1000,
                  .settle_ms = 25, .min_ms = 60000, .restart_wait_ms = 5000, .minimise = true};
    evk_fl_opts_parse(argc, argv, &f->o, false);
    evk_fl_opts *o = &f->o;
    if (!o->target && !o->client) evk_die("fuzz-live needs a TARGET (ws://host:port/path) or --client 'cmd {url}'");
    if (o->min_ms == 0) o->minimise = false;
    char err[512];
    if (evk_profile_load(&f->profile, o->profile, err, sizeof err) < 0) evk_die("%s", err);
    if (o->target && evk_url_check(o->target, err, sizeof err) < 0) evk_die("%s", err);
    if (!o->have_seed) o->seed = evk_random_u64() % 1000000000ull; /* short enough to type again */
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
    f->tally.tty = isatty(STDERR_FILENO);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    f->tally.t0 = evk_clock_ms();
    f->tally.last_print = f->tally.t0; /* the first progress line after a full period */
    f->tally.end = f->tally.t0 + (uint64_t)o->duration_ms;
    f->tick = evk_timer_new(f->loop, on_tick, f);
    if (!f->tick) evk_die("out of memory");
    evk_timer_at(f->tick, f->tally.t0 + 100);

    f->g = (evk_fl_gen_opts){.profile = &f->profile, .target_role = f->t.role, .seed = o->seed};
    f->g.trigger = probe_trigger(f, &f->g.limit_ms);
    fprintf(stderr, "fuzz-live: %s %s, profile %s, seed %llu, ack limit %llu ms, %.0f s, %u at a time%s; findings go to %s/\n",
            o->client ? "client" : "server", o->client ? o->client : o->target, f->profile.name,
            (unsigned long long)o->seed, (unsigned long long)f->g.limit_ms, evk_fl_secs((uint64_t)o->duration_ms),
            token && !o->client ? 1 : o->jobs,
            f->g.trigger ? "" : o->client ? " (the client sends no Events of its own)" : " (the target emits no Events on the trigger)",
            o->findings);
    /* Batches of about BATCH_MS: findings are handled between batches, and a
     * slow target (every session waits for a deadline) must not hold one back
     * for long; a fast one gets big batches (less time lost in their tails). */
    unsigned conc = token && !o->client ? 1 : o->jobs;
    size_t batch = o->batch ? o->batch : (size_t)conc; /* small at first: early findings come early */
    while (!evk_fl_signalled && evk_clock_ms() < f->tally.end && !f->target_gone &&
           !(o->stop_after && f->tally.findings >= o->stop_after)) {
        run_batch(f, batch);
        if (o->batch || !f->last_batch_ms) continue;
        /* What conc slots kept full get through in BATCH_MS, from the mean
         * session length: the batch's wall time would count its tail too,
         * and the first, small batch is mostly tail (sizing from it took
         * four batches to reach full size). */
        double mean = f->last_mean_ms > 1.0 ? f->last_mean_ms : 1.0;
        double want = f->last_mean_ms > 0 ? (double)conc * BATCH_MS / mean
                                           : (double)batch * BATCH_MS / (double)f->last_batch_ms;
        /* The last batch fits the time left: sessions cut at the end are lost. */
        uint64_t now = evk_clock_ms(), left = f->tally.end > now ? f->tally.end - now : 0;
        if (left < BATCH_MS) want = want * (double)left / BATCH_MS;
        double lo = conc, hi = 64.0 * conc;
        batch = (size_t)(want < lo ? lo : want > hi ? hi : want);
    }

    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    evk_timer_free(f->tick);
    evk_fl_summary(&f->tally, &f->o, f->profile.name, evk_fl_signalled);
    int status = f->tally.findings ? 1 : 0;
    evk_loop_free(f->loop);
    free(f->tally.seen);
    free(f);
    return status;
}

/* ---- replay ------------------------------------------------------------- */

int evk_cmd_replay(int argc, char **argv)
{
    evk_fl_opts o = {.wait_ms = 1000, .settle_ms = 25, .times = 1, .restart_wait_ms = 0};
    evk_fl_opts_parse(argc, argv, &o, true);
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
