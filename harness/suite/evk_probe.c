/* The reachability probe (evk_probe.h).
 *
 * Phases: connect (a synchronous failure is diagnosed at once) -> run the
 * loop until the upgrade is answered or 5 s pass -> once open, close and
 * wait up to 2 s for the close to complete -> on failure, name the reason:
 * the HTTP status, the silence, a TLS failure, or (lws says little: "read
 * failed") a plain-TCP diagnosis of what lies below HTTP.
 */
#include "evk_probe.h"

#include <stdio.h>
#include <string.h>

#define ANSWER_MS 5000 /* the upgrade's answer */
#define CLOSE_MS 2000  /* the probe's own close */
#define DIAG_MS 3000   /* the TCP diagnosis */

typedef struct probe {
    evk_loop *loop;
    evk_timer *timer;
    evk_conn *conn;
    int status;          /* 0 running, 1 opened, -1 failed */
    bool gone;           /* the connection has ended */
    evk_probe_kind kind; /* when failed: HTTP_STATUS, HUNG, or UPGRADE_FAILED (to be diagnosed) */
    int http_status;
    char err[256];
} probe;

const char *evk_probe_kind_name(evk_probe_kind k)
{
    static const char *const names[] = {
        [EVK_PROBE_OK] = "ok",
        [EVK_PROBE_BAD_URL] = "bad-url",
        [EVK_PROBE_RESOLVE] = "resolve",
        [EVK_PROBE_REFUSED] = "refused",
        [EVK_PROBE_NO_TCP_ANSWER] = "no-tcp-answer",
        [EVK_PROBE_UNREACHABLE] = "unreachable",
        [EVK_PROBE_START_FAILED] = "start-failed",
        [EVK_PROBE_HUNG] = "hung",
        [EVK_PROBE_TLS] = "tls",
        [EVK_PROBE_HTTP_STATUS] = "http-status",
        [EVK_PROBE_UPGRADE_FAILED] = "upgrade-failed",
    };
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "unknown";
}

static void probe_conn(evk_conn *c, const evk_net_event *ev, void *user)
{
    probe *p = user;
    if (ev->kind == EVK_NET_OPEN) {
        p->status = 1;
        evk_conn_close(c, 1000, "evack: probe"); /* wait for the close: a token may allow one connection */
    } else if (ev->kind == EVK_NET_ERROR || ev->kind == EVK_NET_CLOSED) {
        p->gone = true;
        p->conn = NULL;
        if (p->status == 0) {
            p->status = -1;
            if (ev->http_status) {
                p->kind = EVK_PROBE_HTTP_STATUS;
                p->http_status = ev->http_status;
                snprintf(p->err, sizeof p->err, "the upgrade was refused with HTTP %d", ev->http_status);
            } else {
                p->kind = ev->no_answer ? EVK_PROBE_HUNG : EVK_PROBE_UPGRADE_FAILED;
                snprintf(p->err, sizeof p->err, "%s", ev->error ? ev->error : "connection closed");
            }
        }
        evk_loop_stop(p->loop);
    }
}

static void probe_timeout(evk_timer *t, void *user)
{
    (void)t;
    probe *p = user;
    if (p->status == 0) {
        p->status = -1;
        p->kind = EVK_PROBE_HUNG;
        snprintf(p->err, sizeof p->err, "no answer within %d s", ANSWER_MS / 1000);
    }
    evk_loop_stop(p->loop);
}

/* What lies below the WebSocket layer, as a probe kind (TCP_OK: nothing). */
static evk_probe_kind diagnose(const char *url, char *why, size_t cap)
{
    switch (evk_net_diagnose(url, DIAG_MS, why, cap)) {
    case EVK_DIAG_TCP_OK: return EVK_PROBE_OK;
    case EVK_DIAG_BAD_URL: return EVK_PROBE_BAD_URL;
    case EVK_DIAG_RESOLVE: return EVK_PROBE_RESOLVE;
    case EVK_DIAG_REFUSED: return EVK_PROBE_REFUSED;
    case EVK_DIAG_TIMEOUT: return EVK_PROBE_NO_TCP_ANSWER;
    case EVK_DIAG_SOCKET:
    case EVK_DIAG_OTHER: break;
    }
    return EVK_PROBE_UNREACHABLE;
}

/* lws's words for a failed TLS handshake. */
static bool tls_failure(const char *url, const char *err)
{
    return strncmp(url, "wss://", 6) == 0 && (strstr(err, "SSL") || strstr(err, "ssl") || strstr(err, "certificate"));
}

evk_probe_kind evk_suite_probe(const evk_suite_opts *o, int *http_status, char *err, size_t errcap)
{
    probe p = {.loop = o->loop};
    char e[256], why[256];
    if (http_status) *http_status = 0;
    p.conn = evk_connect(o->loop, o->url, o->headers, o->nheaders, probe_conn, &p, e, sizeof e);
    if (!p.conn) {
        evk_probe_kind k = diagnose(o->url, why, sizeof why);
        snprintf(err, errcap, "cannot connect to %s: %s", o->url, k == EVK_PROBE_OK ? e : why);
        return k == EVK_PROBE_OK ? EVK_PROBE_START_FAILED : k;
    }
    p.timer = evk_timer_new(o->loop, probe_timeout, &p);
    evk_timer_at(p.timer, evk_clock_ms() + ANSWER_MS);
    evk_loop_run(o->loop);
    if (!p.gone && p.status == 1) { /* opened, close not done yet: give it a moment */
        evk_timer_at(p.timer, evk_clock_ms() + CLOSE_MS);
        evk_loop_run(o->loop);
    }
    evk_timer_free(p.timer);
    if (!p.gone) evk_conn_detach(p.conn);
    if (p.status == 1) return EVK_PROBE_OK;

    /* lws says little ("Unable to connect", "read failed"): name the real
     * reason when it is below HTTP. */
    evk_probe_kind k;
    if (p.kind == EVK_PROBE_HTTP_STATUS || p.kind == EVK_PROBE_HUNG) {
        k = p.kind;
        snprintf(why, sizeof why, "%s", p.err);
        if (http_status) *http_status = p.http_status;
    } else if (tls_failure(o->url, p.err)) {
        k = EVK_PROBE_TLS;
        snprintf(why, sizeof why,
                 "TLS handshake failed: the server's certificate is not trusted (self-signed, expired, or "
                 "not for this host); --ca FILE trusts its CA, --insecure accepts any (OpenSSL: %.80s)", p.err);
    } else {
        k = diagnose(o->url, why, sizeof why);
        if (k == EVK_PROBE_OK) {
            k = EVK_PROBE_UPGRADE_FAILED;
            snprintf(why, sizeof why, "the WebSocket upgrade failed (%s)", p.err[0] ? p.err : "no reason given");
        }
    }
    snprintf(err, errcap, "cannot connect to %s: %s", o->url, why);
    return k;
}
