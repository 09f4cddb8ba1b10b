/* ws:// URLs, the Authorization header, and a plain-TCP diagnosis.
 * No libwebsockets here: evk_net.c connects, this file only reads URLs and
 * explains failures. */
#include "evk_url.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evk_err.h"

EVK_PRINTF(3, 4) static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || !cap) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

int evk_url_parse(const char *url, evk_url *u, char *err, size_t cap)
{
    const char *p;
    if (!url || !*url) return seterr(err, cap, "empty URL"), EVK_EINVAL;
    if (strncmp(url, "ws://", 5) == 0) u->tls = false, p = url + 5;
    else if (strncmp(url, "wss://", 6) == 0) u->tls = true, p = url + 6;
    else return seterr(err, cap, "malformed URL '%s': it must start with ws:// or wss://", url), EVK_EINVAL;
    const char *host = p, *host_end;
    if (*p == '[') { /* IPv6 literal */
        host = ++p;
        while (*p && *p != ']') p++;
        if (*p != ']') return seterr(err, cap, "malformed URL '%s': unclosed '['", url), EVK_EINVAL;
        host_end = p++;
    } else {
        while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
        host_end = p;
    }
    size_t hl = (size_t)(host_end - host);
    if (hl == 0) return seterr(err, cap, "malformed URL '%s': no host", url), EVK_EINVAL;
    if (hl >= sizeof u->host) return seterr(err, cap, "malformed URL: host too long"), EVK_EINVAL;
    memcpy(u->host, host, hl);
    u->host[hl] = '\0';
    u->port = u->tls ? 443 : 80;
    if (*p == ':') {
        char *end;
        p++;
        long port = strtol(p, &end, 10);
        if (end == p || port < 1 || port > 65535 || (*end && *end != '/' && *end != '?'))
            return seterr(err, cap, "malformed URL '%s': bad port", url), EVK_EINVAL;
        u->port = (int)port;
        p = end;
    }
    if (*p == '#') return seterr(err, cap, "malformed URL '%s': fragments are not allowed", url), EVK_EINVAL;
    const char *path = *p ? p : "/";
    if (*path == '?') { /* "ws://h?x" means "/?x" */
        if (strlen(path) + 2 > sizeof u->path) return seterr(err, cap, "malformed URL: path too long"), EVK_EINVAL;
        snprintf(u->path, sizeof u->path, "/%s", path);
    } else {
        if (strlen(path) + 1 > sizeof u->path) return seterr(err, cap, "malformed URL: path too long"), EVK_EINVAL;
        snprintf(u->path, sizeof u->path, "%s", path);
    }
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= ' ') return seterr(err, cap, "malformed URL: it contains a space or control character"), EVK_EINVAL;
    return 0;
}

int evk_url_check(const char *url, char *err, size_t errcap)
{
    evk_url u;
    return evk_url_parse(url, &u, err, errcap);
}

evk_diag evk_net_diagnose(const char *url, unsigned timeout_ms, char *why, size_t cap)
{
    evk_url u;
    char port[8];
    if (evk_url_parse(url, &u, why, cap)) return EVK_DIAG_BAD_URL;
    snprintf(port, sizeof port, "%d", u.port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(u.host, port, &hints, &res);
    if (rc != 0) {
        seterr(why, cap, "cannot resolve host %s: %s", u.host, gai_strerror(rc));
        return EVK_DIAG_RESOLVE;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0) {
        seterr(why, cap, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        return EVK_DIAG_SOCKET;
    }
    int err = 0;
    if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            if (poll(&p, 1, (int)timeout_ms) <= 0) {
                err = ETIMEDOUT;
            } else {
                socklen_t l = sizeof err;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
            }
        }
    }
    close(fd);
    freeaddrinfo(res);
    if (!err) return seterr(why, cap, "TCP connects"), EVK_DIAG_TCP_OK;
    if (err == ECONNREFUSED) return seterr(why, cap, "connection refused"), EVK_DIAG_REFUSED;
    if (err == ETIMEDOUT) return seterr(why, cap, "no answer within %u ms", timeout_ms), EVK_DIAG_TIMEOUT;
    seterr(why, cap, "%s", strerror(err));
    return EVK_DIAG_OTHER;
}

const char *evk_header_authorization(const char *h)
{
    static const char name[] = "authorization:";
    if (strncasecmp(h, name, sizeof name - 1) != 0) return NULL;
    h += sizeof name - 1;
    while (*h == ' ') h++;
    return h;
}

int evk_header_split(const char *h, char **name, char **value)
{
    const char *colon = strchr(h, ':');
    if (!colon || colon == h) return -1;
    for (const char *q = h; q < colon; q++)
        if (*q <= ' ' || (unsigned char)*q >= 0x7f) return -1;
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    for (const char *q = v; *q; q++)
        if (*q == '\r' || *q == '\n') return -1;
    size_t nl = (size_t)(colon - h) + 1; /* keep the ':' (libwebsockets wants it) */
    *name = malloc(nl + 1);
    *value = strdup(v);
    if (!*name || !*value) {
        free(*name);
        free(*value);
        return -1;
    }
    memcpy(*name, h, nl);
    (*name)[nl] = '\0';
    return 0;
}
