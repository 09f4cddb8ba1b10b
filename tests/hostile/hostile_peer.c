/* hostile_peer.c - a WebSocket server or client that misbehaves on purpose,
 * written on raw sockets so it can break every rule libwebsockets would
 * enforce.
 *
 *   hostile_peer MODE [PORT_FILE]          a server
 *   hostile_peer --client MODE URL         a client (evack --client runs it)
 *
 * The server listens on 127.0.0.1 (a free port, printed and written to
 * PORT_FILE) and serves every connection in MODE until killed. The client
 * connects once to URL (ws://127.0.0.1:PORT/path) and misbehaves in MODE.
 * Each mode is one way a broken or hostile target can misbehave, which
 * evack must survive within its bounds; tests/hostile.sh runs evack against
 * each, in both roles. Two server modes are correct, on purpose: ack-trickle
 * (a slow link) and slow-reader (a slow reader), which evack must not fail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_exact(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read the HTTP upgrade request; return the Sec-WebSocket-Key value. */
static int read_request(int fd, char *key, size_t cap)
{
    char buf[8192];
    size_t n = 0;
    while (n < sizeof buf - 1) {
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r <= 0) return -1;
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n")) break;
    }
    const char *k = strcasestr(buf, "Sec-WebSocket-Key:");
    if (!k) return -1;
    k += 18;
    while (*k == ' ') k++;
    size_t i = 0;
    while (k[i] && k[i] != '\r' && i + 1 < cap) key[i] = k[i], i++;
    key[i] = '\0';
    return 0;
}

static int upgrade(int fd)
{
    char key[128], cat[256];
    if (read_request(fd, key, sizeof key) < 0) return -1;
    snprintf(cat, sizeof cat, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
    unsigned char sha[EVP_MAX_MD_SIZE];
    unsigned int shalen = 0;
    EVP_Digest(cat, strlen(cat), sha, &shalen, EVP_sha1(), NULL);
    unsigned char b64[64];
    EVP_EncodeBlock(b64, sha, (int)shalen);
    char resp[512];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n", b64);
    return write_all(fd, resp, (size_t)n);
}

/* One side of a connection: a client's frames must be masked (RFC 6455
 * §5.3); the key is zero, so payloads go out as they are (any key is valid;
 * this one keeps 100 MB cheap). */
typedef struct conn {
    int fd;
    bool masked;
} conn;

/* A frame header, with the mask key when c->masked; returns its length. */
static size_t header(const conn *c, unsigned char *h, int opcode, int fin, uint64_t len)
{
    size_t n;
    h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        h[1] = (unsigned char)len;
        n = 2;
    } else if (len < 65536) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        n = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 10;
    }
    if (!c->masked) return n;
    h[1] |= 0x80;
    memset(h + n, 0, 4);
    return n + 4;
}

static int send_frame(const conn *c, int opcode, const void *data, size_t len)
{
    unsigned char h[14];
    size_t hl = header(c, h, opcode, 1, len);
    if (write_all(c->fd, h, hl) < 0) return -1;
    return len ? write_all(c->fd, data, len) : 0;
}

static int send_text(const conn *c, const char *s)
{
    return send_frame(c, 1, s, strlen(s));
}

static void uuid(char out[37], unsigned n)
{
    snprintf(out, 37, "%08x-1111-4111-8111-%012x", n, n);
}

static const char *now_ts(void)
{
    return "2026-01-05T15:34:02.123456+0000";
}

/* A server's handshake Event declaring an ack limit of `limit` (JSON number, seconds). */
static void handshake_text(char *buf, size_t cap, const char *limit)
{
    char id[37];
    uuid(id, 0xabcdef);
    snprintf(buf, cap, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\",\"payload\":{\"ack_timeout\":%s}}", id,
             now_ts(), limit);
}

/* Drain what the client sends for a while (so it can write), without parsing. */
static void drain(int fd, long ms)
{
    char buf[65536];
    struct pollfd p = {fd, POLLIN, 0};
    long waited = 0;
    while (waited < ms) {
        if (poll(&p, 1, 50) > 0) {
            if (read(fd, buf, sizeof buf) <= 0) return;
        } else {
            waited += 50;
        }
    }
}

static void event_text(char *buf, size_t cap, unsigned n)
{
    char id[37];
    uuid(id, n);
    snprintf(buf, cap, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\"}", id, now_ts());
}

/* Reads one frame from a client (masked); its payload, unmasked and NUL-ended,
 * in buf. Returns the opcode, or -1 at the end or on a frame too big for buf. */
static int read_frame(int fd, char *buf, size_t cap)
{
    unsigned char h[14];
    if (read_exact(fd, h, 2) < 0) return -1;
    uint64_t len = h[1] & 127;
    size_t ext = len == 126 ? 2 : len == 127 ? 8 : 0;
    if (read_exact(fd, h + 2, ext) < 0) return -1;
    if (ext) len = 0;
    for (size_t i = 0; i < ext; i++) len = len << 8 | h[2 + i];
    unsigned char key[4] = {0};
    if ((h[1] & 128) && read_exact(fd, key, 4) < 0) return -1;
    if (len >= cap || read_exact(fd, buf, (size_t)len) < 0) return -1;
    for (size_t i = 0; i < len; i++) buf[i] ^= (char)key[i % 4];
    buf[len] = '\0';
    return h[0] & 15;
}

/* A correct server on a slow link: it acks every Event at once, but each Ack
 * reaches the wire in eight frames 200 ms apart, so the last piece comes
 * 1.4 s after the first, past the 1 s limit. A message is timed by its first
 * piece (docs/decisions.md): every Ack is in time. */
static void ack_trickle(const conn *c)
{
    char msg[4096], ack[256];
    int op;
    while ((op = read_frame(c->fd, msg, sizeof msg)) >= 0) {
        if (op == 8) return; /* evack's close: the case is over */
        const char *id = strstr(msg, "\"id\":\"");
        if (op != 1 || !strstr(msg, "\"type\":\"event\"") || !id || strlen(id + 6) < 36) continue;
        int n = snprintf(ack, sizeof ack, "{\"type\":\"ack\",\"id\":\"%.36s\",\"sent_at\":\"%s\"}", id + 6, now_ts());
        size_t piece = ((size_t)n + 7) / 8;
        for (size_t off = 0, k = 0; off < (size_t)n; off += piece, k++) {
            size_t len = off + piece < (size_t)n ? piece : (size_t)n - off;
            unsigned char h[14];
            size_t hl = header(c, h, k == 0 ? 1 : 0, off + len == (size_t)n, len);
            if (write_all(c->fd, h, hl) < 0 || write_all(c->fd, ack + off, len) < 0) return;
            if (off + len < (size_t)n) sleep_ms(200);
        }
    }
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sleep until `at` (monotonic ms); false, early, when `deadline` (0: none)
 * comes first. */
static bool sleep_until(uint64_t at, uint64_t deadline)
{
    uint64_t now = mono_ms(), end = deadline && deadline < at ? deadline : at;
    if (end > now) sleep_ms((long)(end - now));
    return !(deadline && deadline < at);
}

/* A correct server behind a slow reader: its application sees each of
 * evack's frames 150 ms after it arrived (a busy loop, a slow link), and
 * its limit is 0.5 s. It acks every Event of evack's, and on the first one
 * sends an Event of its own; evack (deadline.respected) acks that at 80% of
 * the limit, which this server sees at 550 ms, so it closes 4007 at its
 * limit, as a correct server must when an Ack did not reach it in time
 * (PROTOCOL.md §3: measured by the Event's sender). The judge cannot tell
 * this from a server that ignores Acks, and must not fail it. */
static void slow_reader(const conn *c)
{
    char msg[4096], out[256], mine[37];
    uuid(mine, 0x5105);
    bool sent = false;
    uint64_t deadline = 0; /* of our Event while it is unacked */
    int op = -1;
    struct pollfd p = {c->fd, POLLIN, 0};
    for (;;) {
        uint64_t now = mono_ms();
        int wait = deadline ? (int)(deadline > now ? deadline - now : 0) : -1;
        if (poll(&p, 1, wait) == 0) break; /* our limit ran out */
        if ((op = read_frame(c->fd, msg, sizeof msg)) < 0 || op == 8) return;
        if (!sleep_until(mono_ms() + 150, deadline)) break;
        if (op == 9) { /* its WebSocket layer is behind the same delay */
            send_frame(c, 10, msg, strlen(msg));
            continue;
        }
        const char *id = strstr(msg, "\"id\":\"");
        if (op != 1 || !id || strlen(id + 6) < 36) continue;
        if (strstr(msg, "\"type\":\"ack\"")) {
            if (strncmp(id + 6, mine, 36) == 0) deadline = 0;
            continue;
        }
        snprintf(out, sizeof out, "{\"type\":\"ack\",\"id\":\"%.36s\",\"sent_at\":\"%s\"}", id + 6, now_ts());
        if (send_text(c, out) < 0) return;
        if (!sent) {
            event_text(out, sizeof out, 0x5105);
            if (send_text(c, out) < 0) return;
            deadline = mono_ms() + 500;
            sent = true;
        }
    }
    unsigned char b[2] = {4007 >> 8, 4007 & 255};
    send_frame(c, 8, b, 2);
    drain(c->fd, 2000);
}

/* What both roles do once the upgrade is done. `opening` is the first
 * message the role sends (the server's handshake Event, a client's first
 * Event): slowloris dribbles it, and it is sent whole first when
 * send_opening (a server always starts with its handshake). */
static void misbehave(const conn *c, const char *mode, const char *opening, bool send_opening)
{
    char ev[256];
    if (strcmp(mode, "slowloris") == 0) { /* the opening message, one byte every 100 ms */
        unsigned char h[14];
        size_t hl = header(c, h, 1, 1, strlen(opening));
        write_all(c->fd, h, hl);
        for (const char *p = opening; *p; p++) {
            if (write_all(c->fd, p, 1) < 0) return;
            sleep_ms(100);
        }
        drain(c->fd, 60000);
        return;
    }
    if (strcmp(mode, "garbage-frames") == 0) { /* raw bytes instead of frames */
        unsigned char junk[4096];
        for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 131 + 7);
        write_all(c->fd, junk, sizeof junk);
        drain(c->fd, 5000);
        return;
    }
    if (send_opening) send_text(c, opening);
    if (strcmp(mode, "flood") == 0) { /* valid Events as fast as possible, never reading */
        for (unsigned n = 1;; n++) {
            event_text(ev, sizeof ev, n);
            if (send_text(c, ev) < 0) return;
        }
    }
    /* One 100 MB text message: at full speed, or trickled at about 6 MB/s
     * so that it outlasts every deadline. */
    bool trickle = strcmp(mode, "big-trickle") == 0;
    if (trickle || strcmp(mode, "big") == 0) {
        const uint64_t len = 100u << 20;
        unsigned char h[14];
        size_t hl = header(c, h, 1, 1, len);
        if (write_all(c->fd, h, hl) < 0) return;
        static char chunk[65536];
        memset(chunk, 'x', sizeof chunk);
        memcpy(chunk, "{\"type\":\"event\",\"x\":\"", 21);
        for (uint64_t sent = 0; sent < len; sent += sizeof chunk) {
            if (write_all(c->fd, chunk, sizeof chunk) < 0) return;
            if (trickle) sleep_ms(10);
        }
        if (!trickle) drain(c->fd, 5000);
        return;
    }
    if (strcmp(mode, "slow-reader") == 0) { /* correct, reading late: see slow_reader() */
        slow_reader(c);
        return;
    }
    if (strcmp(mode, "ack-trickle") == 0) { /* correct, on a slow link: see ack_trickle() */
        ack_trickle(c);
        return;
    }
    if (strcmp(mode, "event-storm") == 0) { /* 5000 valid Events, reading evack's Acks */
        for (unsigned n = 1; n <= 5000; n++) {
            event_text(ev, sizeof ev, n);
            if (send_text(c, ev) < 0) return;
            if (n % 100 == 0) drain(c->fd, 1);
        }
        drain(c->fd, 10000);
        return;
    }
    drain(c->fd, 300); /* let evack ack and start its case */
    if (strcmp(mode, "drop") == 0) return; /* close(2) without a close frame */
    if (strcmp(mode, "never-close") == 0) { /* ignore everything, including the close */
        sleep_ms(60000);
        return;
    }
    if (strcmp(mode, "close-1005") == 0 || strcmp(mode, "close-999") == 0 || strcmp(mode, "close-5000") == 0) {
        int code = strcmp(mode, "close-1005") == 0 ? 1005 : strcmp(mode, "close-999") == 0 ? 999 : 5000;
        unsigned char b[2] = {(unsigned char)(code >> 8), (unsigned char)code};
        send_frame(c, 8, b, 2);
        drain(c->fd, 2000);
        return;
    }
    if (strcmp(mode, "close-long-reason") == 0) { /* 200-byte reason: too long for a control frame */
        unsigned char b[202];
        b[0] = 4002 >> 8, b[1] = 4002 & 255;
        memset(b + 2, 'r', 200);
        send_frame(c, 8, b, sizeof b);
        drain(c->fd, 2000);
        return;
    }
    drain(c->fd, 60000);
}

static void serve(int fd, const char *mode)
{
    char hs[256];
    handshake_text(hs, sizeof hs, strcmp(mode, "slow-reader") == 0 ? "0.5" : "1");
    if (strcmp(mode, "no-upgrade") == 0) { /* read the request, answer nothing */
        char key[128];
        read_request(fd, key, sizeof key);
        sleep_ms(60000);
        return;
    }
    if (strcmp(mode, "http500") == 0 || strcmp(mode, "redirect") == 0 || strcmp(mode, "garbage-upgrade") == 0) {
        char key[128];
        read_request(fd, key, sizeof key);
        const char *r = strcmp(mode, "http500") == 0
                            ? "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
                        : strcmp(mode, "redirect") == 0
                            ? "HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n"
                            : "\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n";
        write_all(fd, r, strlen(r));
        sleep_ms(200);
        return;
    }
    if (upgrade(fd) < 0) return;
    conn c = {fd, false};
    misbehave(&c, mode, hs, true);
}

/* ---- the client side: evack listens, this connects ---- */

/* ws://127.0.0.1:PORT/path -> a connected socket, *path set; -1 on error. */
static int connect_url(const char *url, const char **path)
{
    if (strncmp(url, "ws://127.0.0.1:", 15) != 0) return -1;
    int port = atoi(url + 15);
    *path = strchr(url + 15, '/');
    if (!*path) *path = "/";
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) return -1;
    return fd;
}

/* Sends the upgrade request and reads the answer up to its blank line. */
static int client_upgrade(int fd, const char *path)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path);
    if (write_all(fd, req, (size_t)n) < 0) return -1;
    char buf[4096];
    size_t got = 0;
    while (got < sizeof buf - 1) { /* byte by byte: frames may follow at once */
        ssize_t r = read(fd, buf + got, 1);
        if (r <= 0) return -1;
        got++;
        buf[got] = '\0';
        if (got >= 4 && memcmp(buf + got - 4, "\r\n\r\n", 4) == 0) break;
    }
    return strncmp(buf, "HTTP/1.1 101", 12) == 0 ? 0 : -1;
}

static void client(const char *mode, const char *url)
{
    const char *path;
    int fd = connect_url(url, &path);
    if (fd < 0) {
        fprintf(stderr, "hostile_peer: cannot connect to %s\n", url);
        return;
    }
    if (strcmp(mode, "no-upgrade") == 0) { /* connected, says nothing */
        sleep_ms(60000);
        return;
    }
    if (strcmp(mode, "garbage-upgrade") == 0) {
        const char *g = "\x16\x03\x01 this is not HTTP at all \xff\xfe\r\n\r\n";
        write_all(fd, g, strlen(g));
        drain(fd, 5000);
        return;
    }
    if (client_upgrade(fd, path) < 0) {
        fprintf(stderr, "hostile_peer: the upgrade failed\n");
        return;
    }
    char ev[256];
    event_text(ev, sizeof ev, 1);
    conn c = {fd, true};
    misbehave(&c, mode, ev, false);
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "--client") == 0 && argc != 4)) {
        fprintf(stderr, "usage: hostile_peer MODE [PORT_FILE] | hostile_peer --client MODE URL\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(argv[1], "--client") == 0) {
        client(argv[2], argv[3]);
        return 0;
    }
    signal(SIGCHLD, SIG_IGN); /* children reap themselves */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 128) < 0) {
        perror("hostile_peer");
        return 1;
    }
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    if (argc > 2) {
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[2]);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", ntohs(a.sin_port));
            fclose(f);
            rename(tmp, argv[2]);
        }
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        pid_t pid = fork();
        if (pid == 0) {
            close(s);
            serve(c, argv[1]);
            close(c);
            _exit(0);
        }
        close(c);
    }
}
