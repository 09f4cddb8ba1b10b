/* evk_net.h - WebSocket transport: the only module that includes libwebsockets.
 *
 * One evk_loop is one libwebsockets context, single-threaded and fully
 * callback-driven: connections (client or accepted by a listener) report
 * evk_net_event's to a callback with a user pointer, timers fire callbacks,
 * and evk_loop_run() returns once evk_loop_stop() was called.
 *
 * Sending never blocks: frames are queued per connection and written when
 * the socket is writable, in order; each written frame is reported back as
 * EVK_NET_SENT with the time it left (so transcripts and models see the
 * real order and timing). Received data arrives in pieces with the
 * EVK_F_FIRST / EVK_F_FINAL / EVK_F_BINARY flags of evk_session.h; this layer
 * does not reassemble (the caller bounds message size).
 *
 * Ownership: the loop owns every connection and timer it made. A connection
 * reports exactly one terminal event (EVK_NET_ERROR if it never opened,
 * else EVK_NET_CLOSED) and is freed right after: forget the pointer in that
 * callback. evk_conn_detach() stops callbacks early. Timers are freed with
 * evk_timer_free(). evk_loop_free() ends everything without callbacks.
 * Errors: 0 or a negative EVK_E*; synchronous failures also write one line
 * into err.
 */
#ifndef EVK_NET_H
#define EVK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evk_url.h" /* URLs (evk_url_check), evk_net_diagnose */

uint64_t evk_clock_ms(void); /* monotonic milliseconds */
int64_t evk_wall_us(void);   /* wall clock, microseconds since 1970 */

typedef struct evk_loop evk_loop;
typedef struct evk_conn evk_conn;
typedef struct evk_timer evk_timer;

typedef struct evk_loop_opts {
    bool tls_insecure;       /* accept self-signed / mismatched certificates */
    const char *ca_file;     /* extra CA for wss:// (NULL: system store) */
    const char *cert_file;   /* TLS for listeners: certificate and key (both or none) */
    const char *key_file;
} evk_loop_opts;

evk_loop *evk_loop_new(const evk_loop_opts *o, char *err, size_t errcap);
void evk_loop_free(evk_loop *l); /* NULL is fine */
/* Serve until evk_loop_stop(). 0, or EVK_EIO if the context failed. */
int evk_loop_run(evk_loop *l);
/* Callable from any callback, and from a signal handler. */
void evk_loop_stop(evk_loop *l);
/* Wake the loop from a signal handler so it notices a flag. */
void evk_loop_wake(evk_loop *l);

typedef void (*evk_timer_cb)(evk_timer *t, void *user);
evk_timer *evk_timer_new(evk_loop *l, evk_timer_cb cb, void *user);
void evk_timer_at(evk_timer *t, uint64_t at_ms); /* (re)arm for evk_clock_ms() == at_ms */
void evk_timer_cancel(evk_timer *t);
void evk_timer_free(evk_timer *t); /* NULL is fine */

typedef enum evk_net_kind {
    EVK_NET_OPEN = 1,   /* the WebSocket is established */
    EVK_NET_DATA,       /* a piece of a message: data, len, flags */
    EVK_NET_PONG,       /* a pong arrived: data, len */
    EVK_NET_SENT,       /* a frame left: data, len, flags; or ping (is_ping), or close (code) */
    EVK_NET_PEER_CLOSE, /* the peer's close frame: code (0: none given), reason */
    EVK_NET_CLOSED,     /* terminal: the connection is gone */
    EVK_NET_ERROR,      /* terminal: it never opened (error, http_status) */
} evk_net_kind;

typedef struct evk_net_event {
    evk_net_kind kind;
    uint64_t t_ms;      /* evk_clock_ms() when it happened */
    const void *data;
    size_t len;
    unsigned flags;     /* EVK_F_* (DATA, SENT) */
    bool is_ping, is_close;
    int code;           /* PEER_CLOSE, SENT close */
    const char *reason; /* PEER_CLOSE, SENT close (not NUL-terminated: reason_len) */
    size_t reason_len;
    bool peer_closed;   /* CLOSED: the peer sent a close frame */
    bool we_closed;     /* CLOSED: we sent a close frame */
    int http_status;    /* ERROR: the upgrade response status, 0 if none */
    bool no_answer;     /* ERROR: the upgrade request got no answer at all */
    const char *error;  /* ERROR: one line */
} evk_net_event;

typedef void (*evk_conn_cb)(evk_conn *c, const evk_net_event *ev, void *user);

/* Connect to a ws:// or wss:// URL (evk_url.h) with extra upgrade headers ("Name: value").
 * NULL on a synchronous failure (bad URL...) with err set; otherwise the
 * outcome arrives as OPEN or ERROR. */
evk_conn *evk_connect(evk_loop *l, const char *url, const char *const *headers, size_t nheaders,
                      evk_conn_cb cb, void *user, char *err, size_t errcap);

/* What a listener learns of an upgrade request. */
typedef struct evk_accept_info {
    const char *path;          /* e.g. "/case/frame.binary" */
    const char *authorization; /* the Authorization header, or NULL */
} evk_accept_info;

/* Decide on an upgrade: return 0 to accept (setting *cb and *user for the new
 * connection) or an HTTP status (400, 401, 404, 409...) to refuse it. */
typedef int (*evk_accept_cb)(const evk_accept_info *info, void *listener_user, evk_conn_cb *cb,
                             void **user);

/* Listen on host:port (port 0: a free one; *bound_port gets it). */
int evk_listen(evk_loop *l, const char *host, int port, evk_accept_cb cb, void *user,
               int *bound_port, char *err, size_t errcap);

/* Queue a piece of a message (flags: EVK_F_BINARY, EVK_F_FIRST, EVK_F_FINAL;
 * EVK_F_WHOLE for a whole text message). Whole messages over 64 KiB are sent
 * as fragments. EVK_ECLOSED once a close or drop was queued. */
int evk_conn_send(evk_conn *c, const void *data, size_t len, unsigned flags);
int evk_conn_ping(evk_conn *c, const void *data, size_t len);
/* Queue a close frame after the pending frames; nothing can follow it. */
int evk_conn_close(evk_conn *c, int code, const char *reason);
/* Stop answering pings: for the reference client's pings-ignored fault.
 * Client connections only (lws has no such switch for a server: it drops
 * a client connection's pings once a close reason is set, and this sets
 * one without closing). EVK_EINVAL for a server connection. */
int evk_conn_ignore_pings(evk_conn *c);
/* Cut the TCP connection now, without a close frame. */
int evk_conn_drop(evk_conn *c);
/* No more callbacks for c; it is closed (1000) if still open, then freed. */
void evk_conn_detach(evk_conn *c);
/* Bytes queued and not yet written (for flow control by senders). */
size_t evk_conn_pending(const evk_conn *c);

#endif
