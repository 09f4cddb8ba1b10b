/* evk_probe.h - does a server target answer at all?
 *
 * One connection to the suite's URL with its headers: it must upgrade
 * within 5 s; it is then closed (and the close awaited, since a token may
 * allow one connection). When it does not, the answer says why as a kind
 * for programs to decide on, and as one line for people:
 * "cannot connect to URL: connection refused", "... no answer within 5 s",
 * "... the upgrade was refused with HTTP 401", ...
 *
 * Ownership: nothing is kept; the text goes into caller storage.
 * Time: runs the caller's loop until it knows (at most about 10 s; a failed
 * connection is diagnosed with plain TCP for up to 3 s more).
 */
#ifndef EVK_PROBE_H
#define EVK_PROBE_H

#include <stddef.h>

#include "evk_runner.h"

typedef enum evk_probe_kind {
    EVK_PROBE_OK = 0,         /* it upgraded */
    EVK_PROBE_BAD_URL,        /* the URL does not parse */
    EVK_PROBE_RESOLVE,        /* the host name does not resolve */
    EVK_PROBE_REFUSED,        /* TCP connection refused: nothing listens (a crashed target) */
    EVK_PROBE_NO_TCP_ANSWER,  /* nothing answered the TCP connection within 3 s */
    EVK_PROBE_UNREACHABLE,    /* another TCP failure (no route, no socket, ...) */
    EVK_PROBE_START_FAILED,   /* TCP connects, but the connection could not be started
                               * (a header not of the form 'Name: value', ...) */
    EVK_PROBE_HUNG,           /* it took the upgrade request and never answered (a hung target) */
    EVK_PROBE_TLS,            /* wss://: the TLS handshake failed (an untrusted certificate) */
    EVK_PROBE_HTTP_STATUS,    /* the upgrade was refused with an HTTP status (*http_status) */
    EVK_PROBE_UPGRADE_FAILED, /* TCP connects, and the upgrade failed otherwise (garbage) */
} evk_probe_kind;

/* "ok", "bad-url", "resolve", "refused", "no-tcp-answer", "unreachable",
 * "start-failed", "hung", "tls", "http-status", "upgrade-failed". */
const char *evk_probe_kind_name(evk_probe_kind k);

/* Probe o->url (with o->headers) in o->loop. EVK_PROBE_OK, or the kind of
 * failure with one line in err ("cannot connect to URL: ...") and, for
 * EVK_PROBE_HTTP_STATUS, the status in *http_status (may be NULL). */
evk_probe_kind evk_suite_probe(const evk_suite_opts *o, int *http_status, char *err, size_t errcap);

#endif
