#include "evk_net.h"

#include <libwebsockets.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "evk_err.h"
#include "evk_session.h" /* EVK_F_* */

/* Whole messages above this are sent as fragments of FRAG_SIZE. */
#define AUTO_FRAGMENT_ABOVE (64u << 10)
#define FRAG_SIZE (32u << 10)

uint64_t evk_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t evk_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef enum { FR_DATA, FR_PING, FR_CLOSE } frame_kind;

/* A queued outgoing frame; buf has LWS_PRE bytes of headroom. */
typedef struct frame {
    struct frame *next;
    frame_kind kind;
    unsigned flags;
    int code;
    size_t len;
    unsigned char buf[];
} frame;

typedef struct listener {
    struct listener *next;
    evk_loop *loop;
    evk_accept_cb cb;
    void *user;
} listener;

struct evk_timer {
    lws_sorted_usec_list_t sul;
    evk_timer *prev, *next;
    evk_loop *loop;
    evk_timer_cb cb;
    void *user;
};

struct evk_conn {
    evk_conn *prev, *next;
    evk_loop *loop;
    struct lws *wsi;
    evk_conn_cb cb;
    void *user;
    frame *head, *tail;
    size_t pending;
    bool client, opened, terminal, closing, we_closed, peer_closed, rx_in_msg, connecting;
    /* Client upgrade headers, "Name:" and value, owned. */
    char **hname, **hvalue;
    size_t nheaders;
    char *host, *path; /* connect_info points at these until the upgrade */
    char sync_error[160]; /* an error lws reported inside lws_client_connect_via_info */
};

struct evk_loop {
    struct lws_context *ctx;
    struct lws_vhost *client_vh;
    volatile sig_atomic_t stop;
    bool destroying;
    evk_conn *conns;
    evk_timer *timers;
    listener *listeners;
    int nvhosts;
    evk_loop_opts opts;
};

static void seterr(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* ---- connections ---------------------------------------------------- */

static void emit(evk_conn *c, evk_net_event *ev)
{
    if (!c->cb || c->loop->destroying) return;
    ev->t_ms = evk_clock_ms();
    c->cb(c, ev, c->user);
}

static void free_frames(evk_conn *c)
{
    while (c->head) {
        frame *f = c->head;
        c->head = f->next;
        free(f);
    }
    c->tail = NULL;
    c->pending = 0;
}

static void unlink_conn(evk_conn *c)
{
    if (c->prev) c->prev->next = c->next;
    else if (c->loop->conns == c) c->loop->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

static void free_conn(evk_conn *c)
{
    unlink_conn(c);
    free_frames(c);
    for (size_t i = 0; i < c->nheaders; i++) {
        free(c->hname[i]);
        free(c->hvalue[i]);
    }
    free(c->hname);
    free(c->hvalue);
    free(c->host);
    free(c->path);
    free(c);
}

static evk_conn *new_conn(evk_loop *l)
{
    evk_conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->loop = l;
    c->next = l->conns;
    if (l->conns) l->conns->prev = c;
    l->conns = c;
    return c;
}

static void terminal(evk_conn *c, evk_net_event *ev)
{
    if (c->terminal) return;
    c->terminal = true;
    emit(c, ev);
    c->cb = NULL; /* nothing after the terminal event */
}

static int enqueue(evk_conn *c, frame_kind kind, const void *data, size_t len, unsigned flags,
                   int code)
{
    frame *f = malloc(sizeof *f + LWS_PRE + len + 1);
    if (!f) return EVK_ENOMEM;
    f->next = NULL;
    f->kind = kind;
    f->flags = flags;
    f->code = code;
    f->len = len;
    if (len) memcpy(f->buf + LWS_PRE, data, len);
    if (c->tail) c->tail->next = f;
    else c->head = f;
    c->tail = f;
    c->pending += len;
    if (c->wsi && c->opened) lws_callback_on_writable(c->wsi);
    return 0;
}

static int ws_flags(unsigned flags)
{
    bool first = flags & EVK_F_FIRST, final = flags & EVK_F_FINAL;
    int w = first ? ((flags & EVK_F_BINARY) ? LWS_WRITE_BINARY : LWS_WRITE_TEXT)
                  : LWS_WRITE_CONTINUATION;
    if (!final) w |= LWS_WRITE_NO_FIN;
    return w;
}

/* Write the next queued frame; -1 tells lws to close (after a close frame). */
static int write_next(evk_conn *c)
{
    frame *f = c->head;
    if (!f) return 0;
    c->head = f->next;
    if (!c->head) c->tail = NULL;
    c->pending -= f->len;

    evk_net_event ev = {.kind = EVK_NET_SENT, .data = f->buf + LWS_PRE, .len = f->len,
                        .flags = f->flags};
    int rc = 0;
    switch (f->kind) {
    case FR_DATA:
        /* Report before writing: a client's lws_write masks the buffer in place. */
        emit(c, &ev);
        if (lws_write(c->wsi, f->buf + LWS_PRE, f->len, (enum lws_write_protocol)ws_flags(f->flags)) < 0)
            rc = -1;
        break;
    case FR_PING:
        ev.is_ping = true;
        emit(c, &ev);
        if (lws_write(c->wsi, f->buf + LWS_PRE, f->len, LWS_WRITE_PING) < 0) rc = -1;
        break;
    case FR_CLOSE:
        ev.is_close = true;
        ev.code = f->code;
        ev.reason = (const char *)f->buf + LWS_PRE;
        ev.reason_len = f->len;
        ev.data = NULL;
        ev.len = 0;
        emit(c, &ev);
        lws_close_reason(c->wsi, (enum lws_close_status)f->code, f->buf + LWS_PRE, f->len);
        c->we_closed = true;
        free_frames(c);
        rc = -1;
        break;
    }
    free(f);
    if (rc == 0 && c->head && c->wsi) lws_callback_on_writable(c->wsi);
    return rc;
}

int evk_conn_send(evk_conn *c, const void *data, size_t len, unsigned flags)
{
    if (!c || (!data && len)) return EVK_EINVAL;
    if (c->closing || c->terminal) return EVK_ECLOSED;
    if ((flags & EVK_F_WHOLE) == EVK_F_WHOLE && len > AUTO_FRAGMENT_ABOVE) {
        const unsigned char *p = data;
        for (size_t off = 0; off < len; off += FRAG_SIZE) {
            size_t n = len - off < FRAG_SIZE ? len - off : FRAG_SIZE;
            unsigned f = (flags & EVK_F_BINARY) | (off == 0 ? EVK_F_FIRST : 0) |
                         (off + n == len ? EVK_F_FINAL : 0);
            int rc = enqueue(c, FR_DATA, p + off, n, f, 0);
            if (rc) return rc;
        }
        return 0;
    }
    return enqueue(c, FR_DATA, data, len, flags, 0);
}

int evk_conn_ping(evk_conn *c, const void *data, size_t len)
{
    if (!c || len > 125) return EVK_EINVAL;
    if (c->closing || c->terminal) return EVK_ECLOSED;
    return enqueue(c, FR_PING, data, len, 0, 0);
}

int evk_conn_close(evk_conn *c, int code, const char *reason)
{
    if (!c) return EVK_EINVAL;
    if (c->closing || c->terminal) return EVK_ECLOSED;
    size_t rl = reason ? strlen(reason) : 0;
    if (rl > 123) rl = 123;
    c->closing = true;
    if (!c->opened) { /* never opened: just abandon the attempt */
        if (c->wsi) lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return 0;
    }
    return enqueue(c, FR_CLOSE, reason, rl, 0, code);
}

int evk_conn_ignore_pings(evk_conn *c)
{
    if (!c || !c->client) return EVK_EINVAL;
    if (!c->wsi || !c->opened || c->closing || c->terminal) return EVK_ECLOSED;
    /* lws drops the pings of a client connection once a close reason is set
     * ("he set a close reason on this guy, ignore PING"); the real close
     * sets its own reason over this one. */
    lws_close_reason(c->wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
    return 0;
}

int evk_conn_drop(evk_conn *c)
{
    if (!c) return EVK_EINVAL;
    if (c->terminal) return EVK_ECLOSED;
    c->closing = true;
    free_frames(c);
    if (c->wsi) {
        int fd = lws_get_socket_fd(c->wsi);
        if (fd >= 0) shutdown(fd, SHUT_RDWR);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
    }
    return 0;
}

void evk_conn_detach(evk_conn *c)
{
    if (!c) return;
    c->cb = NULL;
    c->user = NULL;
    if (!c->closing && !c->terminal) evk_conn_close(c, 1000, "");
}

size_t evk_conn_pending(const evk_conn *c)
{
    return c ? c->pending : 0;
}

/* ---- the lws callback ----------------------------------------------- */

static int add_headers(evk_conn *c, void *in, size_t len)
{
    unsigned char **p = in, *end = *p + len;
    for (size_t i = 0; i < c->nheaders; i++)
        if (lws_add_http_header_by_name(c->wsi, (const unsigned char *)c->hname[i],
                                        (const unsigned char *)c->hvalue[i],
                                        (int)strlen(c->hvalue[i]), p, end))
            return -1; /* a half-written header would swallow the next one */
    return 0;
}

static int on_filter(struct lws *wsi)
{
    listener *ls = lws_get_vhost_user(lws_get_vhost(wsi));
    if (!ls) return -1;
    char path[512] = "", auth[1024];
    const char *authp = NULL;
    if (lws_hdr_copy(wsi, path, sizeof path, WSI_TOKEN_GET_URI) < 0) path[0] = '\0';
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION) > 0 &&
        lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) >= 0)
        authp = auth;
    evk_accept_info info = {.path = path, .authorization = authp};
    evk_conn_cb cb = NULL;
    void *user = NULL;
    int status = ls->cb(&info, ls->user, &cb, &user);
    if (status) {
        lws_return_http_status(wsi, (unsigned)status, NULL);
        return -1;
    }
    evk_conn *c = new_conn(ls->loop);
    if (!c) return -1;
    c->wsi = wsi;
    c->cb = cb;
    c->user = user;
    lws_set_opaque_user_data(wsi, c);
    return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    evk_conn *c = lws_get_opaque_user_data(wsi);
    evk_net_event ev = {0};
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return c ? add_headers(c, in, len) : 0;

    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return on_filter(wsi);

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
    case LWS_CALLBACK_ESTABLISHED:
        if (!c) return -1;
        c->opened = true;
        ev.kind = EVK_NET_OPEN;
        emit(c, &ev);
        if (c->head) lws_callback_on_writable(wsi);
        return 0;

    case LWS_CALLBACK_CLIENT_RECEIVE:
    case LWS_CALLBACK_RECEIVE: {
        if (!c) return -1;
        bool final = lws_is_final_fragment(wsi);
        ev.kind = EVK_NET_DATA;
        ev.data = in;
        ev.len = len;
        ev.flags = (c->rx_in_msg ? 0 : EVK_F_FIRST) | (final ? EVK_F_FINAL : 0) |
                   (lws_frame_is_binary(wsi) ? EVK_F_BINARY : 0);
        c->rx_in_msg = !final;
        emit(c, &ev);
        return 0;
    }

    case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
    case LWS_CALLBACK_RECEIVE_PONG:
        if (!c) return 0;
        ev.kind = EVK_NET_PONG;
        ev.data = in;
        ev.len = len;
        emit(c, &ev);
        return 0;

    case LWS_CALLBACK_CLIENT_WRITEABLE:
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return c ? write_next(c) : 0;

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (!c) return 0;
        c->peer_closed = true;
        ev.kind = EVK_NET_PEER_CLOSE;
        if (len >= 2) {
            const unsigned char *b = in;
            ev.code = b[0] << 8 | b[1];
            ev.reason = (const char *)b + 2;
            ev.reason_len = len - 2;
        }
        emit(c, &ev);
        return 0;

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (!c) return 0;
        ev.kind = EVK_NET_ERROR;
        ev.http_status = (int)lws_http_client_http_response(wsi);
        ev.error = in && len ? (const char *)in : "connection failed";
        if (c->connecting) { /* reported by evk_connect's return value instead */
            c->terminal = true;
            c->cb = NULL;
            snprintf(c->sync_error, sizeof c->sync_error, "%s", ev.error);
            return 0;
        }
        terminal(c, &ev);
        return 0;

    case LWS_CALLBACK_CLIENT_CLOSED:
    case LWS_CALLBACK_CLOSED:
        if (!c) return 0;
        ev.kind = c->opened ? EVK_NET_CLOSED : EVK_NET_ERROR;
        ev.peer_closed = c->peer_closed;
        ev.we_closed = c->we_closed;
        ev.error = "connection closed before the upgrade completed";
        terminal(c, &ev);
        return 0;

    case LWS_CALLBACK_WSI_DESTROY:
        if (c) {
            /* Every owner hears of the end exactly once, even when lws
             * destroys a connection without an error callback first (its own
             * timeouts can do that while the upgrade is pending). */
            if (!c->terminal && !c->connecting) {
                ev.kind = c->opened ? EVK_NET_CLOSED : EVK_NET_ERROR;
                ev.peer_closed = c->peer_closed;
                ev.we_closed = c->we_closed;
                if (!c->opened) {
                    ev.error = "no answer to the upgrade";
                    ev.no_answer = true;
                }
                terminal(c, &ev);
            }
            lws_set_opaque_user_data(wsi, NULL);
            c->wsi = NULL;
            if (!c->connecting) free_conn(c);
        }
        return 0;

    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"evack", callback, 0, 65536, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- connecting ----------------------------------------------------- */

evk_conn *evk_connect(evk_loop *l, const char *url, const char *const *headers, size_t nheaders,
                      evk_conn_cb cb, void *user, char *err, size_t errcap)
{
    evk_url u;
    if (evk_url_parse(url, &u, err, errcap)) return NULL;
    evk_conn *c = new_conn(l);
    if (!c) return seterr(err, errcap, "out of memory"), NULL;
    c->client = true;
    c->cb = cb;
    c->user = user;
    c->host = strdup(u.host);
    c->path = strdup(u.path);
    c->hname = calloc(nheaders + 1, sizeof *c->hname);
    c->hvalue = calloc(nheaders + 1, sizeof *c->hvalue);
    if (!c->host || !c->path || !c->hname || !c->hvalue) {
        free_conn(c);
        return seterr(err, errcap, "out of memory"), NULL;
    }
    for (size_t i = 0; i < nheaders; i++) {
        if (evk_header_split(headers[i], &c->hname[i], &c->hvalue[i])) {
            free_conn(c);
            /* never echo the header: it may hold a secret */
            return seterr(err, errcap, "header %zu is not of the form 'Name: value'", i + 1), NULL;
        }
        c->nheaders++;
    }

    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = l->ctx;
    ci.vhost = l->client_vh;
    ci.address = c->host;
    ci.port = u.port;
    ci.path = c->path;
    ci.host = c->host;
    ci.origin = c->host;
    ci.ietf_version_or_minus_one = -1;
    ci.opaque_user_data = c;
    ci.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    if (u.tls) {
        ci.ssl_connection |= LCCSCF_USE_SSL;
        if (l->opts.tls_insecure)
            ci.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                                 LCCSCF_ALLOW_EXPIRED;
    }
    ci.pwsi = &c->wsi;
    c->connecting = true;
    struct lws *wsi = lws_client_connect_via_info(&ci);
    c->connecting = false;
    if (!wsi || c->terminal) {
        seterr(err, errcap, "cannot connect to %s%s%s", url, c->sync_error[0] ? ": " : "",
               c->sync_error);
        if (!wsi || !c->wsi) free_conn(c); /* else freed when lws destroys the wsi */
        else c->cb = NULL;
        return NULL;
    }
    return c;
}

/* ---- listening ------------------------------------------------------ */

int evk_listen(evk_loop *l, const char *host, int port, evk_accept_cb cb, void *user,
               int *bound_port, char *err, size_t errcap)
{
    listener *ls = calloc(1, sizeof *ls);
    if (!ls) return seterr(err, errcap, "out of memory"), EVK_ENOMEM;
    ls->loop = l;
    ls->cb = cb;
    ls->user = user;
    char name[32];
    snprintf(name, sizeof name, "listen%d", l->nvhosts++);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = port;
    info.iface = host;
    info.protocols = protocols;
    info.vhost_name = name;
    info.user = ls;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6 * (host && strchr(host, ':') == NULL);
    if (l->opts.cert_file) {
        info.ssl_cert_filepath = l->opts.cert_file;
        info.ssl_private_key_filepath = l->opts.key_file;
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    }
    struct lws_vhost *vh = lws_create_vhost(l->ctx, &info);
    int p = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (!vh || p <= 0) {
        if (vh) lws_vhost_destroy(vh);
        free(ls);
        seterr(err, errcap, "cannot listen on %s:%d (in use, or not a local address)",
               host ? host : "*", port);
        return EVK_EIO;
    }
    ls->next = l->listeners;
    l->listeners = ls;
    if (bound_port) *bound_port = p;
    return 0;
}

/* ---- timers --------------------------------------------------------- */

static void sul_fired(lws_sorted_usec_list_t *sul)
{
    evk_timer *t = lws_container_of(sul, evk_timer, sul);
    if (!t->loop->destroying) t->cb(t, t->user);
}

evk_timer *evk_timer_new(evk_loop *l, evk_timer_cb cb, void *user)
{
    evk_timer *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->loop = l;
    t->cb = cb;
    t->user = user;
    t->next = l->timers;
    if (l->timers) l->timers->prev = t;
    l->timers = t;
    return t;
}

void evk_timer_at(evk_timer *t, uint64_t at_ms)
{
    uint64_t now = evk_clock_ms();
    lws_usec_t us = at_ms > now ? (lws_usec_t)(at_ms - now) * 1000 : 1;
    lws_sul_schedule(t->loop->ctx, 0, &t->sul, sul_fired, us);
}

void evk_timer_cancel(evk_timer *t)
{
    if (t) lws_sul_cancel(&t->sul);
}

void evk_timer_free(evk_timer *t)
{
    if (!t) return;
    lws_sul_cancel(&t->sul);
    if (t->prev) t->prev->next = t->next;
    else t->loop->timers = t->next;
    if (t->next) t->next->prev = t->prev;
    free(t);
}

/* ---- the loop ------------------------------------------------------- */

evk_loop *evk_loop_new(const evk_loop_opts *o, char *err, size_t errcap)
{
    evk_loop *l = calloc(1, sizeof *l);
    if (!l) return seterr(err, errcap, "out of memory"), NULL;
    if (o) l->opts = *o;
    /* Debian's build logs a lot; EVK_LWS_LOG=<bits> turns it back on for debugging. */
    const char *lv = getenv("EVK_LWS_LOG");
    lws_set_log_level(lv ? atoi(lv) : 0, NULL);

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.pt_serv_buf_size = 65536;
    /* lws's own limit on a pending upgrade; evack's timers (5 s for the
     * probe) must always run out first so the error names the real wait. */
    info.timeout_secs = 10;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = 4096;
    l->ctx = lws_create_context(&info);
    if (!l->ctx) {
        free(l);
        return seterr(err, errcap, "cannot create the libwebsockets context"), NULL;
    }
    struct lws_context_creation_info vi;
    memset(&vi, 0, sizeof vi);
    vi.port = CONTEXT_PORT_NO_LISTEN;
    vi.protocols = protocols;
    vi.vhost_name = "client";
    vi.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (l->opts.ca_file) vi.client_ssl_ca_filepath = l->opts.ca_file;
    l->client_vh = lws_create_vhost(l->ctx, &vi);
    if (!l->client_vh) {
        lws_context_destroy(l->ctx);
        free(l);
        return seterr(err, errcap, "cannot set up the client side%s",
                      o && o->ca_file ? " (is the --ca file a readable PEM certificate?)" : ""), NULL;
    }
    return l;
}

int evk_loop_run(evk_loop *l)
{
    while (!l->stop)
        if (lws_service(l->ctx, 0) < 0) return EVK_EIO;
    l->stop = 0;
    return 0;
}

void evk_loop_stop(evk_loop *l)
{
    l->stop = 1;
    lws_cancel_service(l->ctx);
}

void evk_loop_wake(evk_loop *l)
{
    lws_cancel_service(l->ctx);
}

void evk_loop_free(evk_loop *l)
{
    if (!l) return;
    l->destroying = true;
    for (evk_conn *c = l->conns; c; c = c->next) c->cb = NULL;
    while (l->timers) evk_timer_free(l->timers);
    lws_context_destroy(l->ctx);
    while (l->conns) free_conn(l->conns);
    while (l->listeners) {
        listener *n = l->listeners->next;
        free(l->listeners);
        l->listeners = n;
    }
    free(l);
}
