/* evk_url.h - ws:// URLs, upgrade headers, and why a host cannot be reached.
 *
 * The parts of connecting that need no libwebsockets: parsing a ws:// or
 * wss:// URL (evk_connect uses the same parser), recognising the
 * Authorization header among the user's "Name: value" upgrade headers, and
 * a plain-TCP diagnosis for error messages (getaddrinfo, connect, poll).
 *
 * Ownership: only evk_header_split allocates (its two strings, the
 * caller's to free); every other result goes into caller storage.
 * Errors: 0 or EVK_EINVAL with one line in err; the diagnosis returns an
 * evk_diag and its line. Header values are secrets: no text written here
 * quotes one.
 * Time: only evk_net_diagnose blocks (up to its timeout).
 */
#ifndef EVK_URL_H
#define EVK_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct evk_url {
    bool tls;         /* wss:// */
    char host[256];   /* without the brackets of an IPv6 literal */
    int port;         /* 80 or 443 unless given */
    char path[1024];  /* with the query; "/" when none */
} evk_url;

/* Parse url into u: 0, or EVK_EINVAL with a one-line reason in err ("empty
 * URL", "malformed URL '...': no host", ...). */
int evk_url_parse(const char *url, evk_url *u, char *err, size_t errcap);

/* Does url parse? 0, or EVK_EINVAL with the reason in err. */
int evk_url_check(const char *url, char *err, size_t errcap);

/* Why the URL's host:port cannot be reached, below the WebSocket layer. */
typedef enum evk_diag {
    EVK_DIAG_TCP_OK = 0, /* "TCP connects": the problem is above TCP */
    EVK_DIAG_BAD_URL,    /* the URL does not parse: why is the parser's reason */
    EVK_DIAG_RESOLVE,    /* "cannot resolve host H: ..." */
    EVK_DIAG_SOCKET,     /* "socket: ...": no socket could be made here */
    EVK_DIAG_REFUSED,    /* "connection refused" */
    EVK_DIAG_TIMEOUT,    /* "no answer within N ms": nothing answered the SYN */
    EVK_DIAG_OTHER,      /* another connect error, in strerror's words */
} evk_diag;

/* Resolve the URL's host and try a plain TCP connection (at most
 * timeout_ms); why gets the one line. Blocking; for error messages. */
evk_diag evk_net_diagnose(const char *url, unsigned timeout_ms, char *why, size_t cap);

/* When h ("Name: value") is an Authorization header (any case), its value
 * with the leading spaces skipped; otherwise NULL. */
const char *evk_header_authorization(const char *h);

/* Split h ("Name: value") into *name ("Name:", the colon kept) and *value
 * (leading blanks skipped), both malloc'd: 0, or -1 (nothing allocated) when
 * the name is empty or has a space or control byte, or the value holds CR or
 * LF (header injection). */
int evk_header_split(const char *h, char **name, char **value);

#endif
