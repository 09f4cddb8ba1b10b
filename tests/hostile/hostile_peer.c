/* hostile_peer.c - a WebSocket server that misbehaves on purpose, written on
 * raw sockets so it can break every rule libwebsockets would enforce.
 *
 *   hostile_peer MODE [PORT_FILE]
 *
 * Listens on 127.0.0.1 (a free port, printed and written to PORT_FILE) and
 * serves every connection in MODE until killed. The modes are the hostile
 * targets of issue 10; tests/hostile.sh runs evack against each.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
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

/* A frame header (server frames are unmasked). */
static size_t header(unsigned char *h, int opcode, int fin, uint64_t len)
{
    h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        h[1] = (unsigned char)len;
        return 2;
    }
    if (len < 65536) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++) h[2 + i] = (unsigned char)(len >> (56 - 8 * i));
    return 10;
}

static int send_frame(int fd, int opcode, const void *data, size_t len)
{
    unsigned char h[10];
    size_t hl = header(h, opcode, 1, len);
    if (write_all(fd, h, hl) < 0) return -1;
    return len ? write_all(fd, data, len) : 0;
}

static int send_text(int fd, const char *s)
{
    return send_frame(fd, 1, s, strlen(s));
}

static void uuid(char out[37], unsigned n)
{
    snprintf(out, 37, "%08x-1111-4111-8111-%012x", n, n);
}

static const char *now_ts(void)
{
    return "2026-01-05T15:34:02.123456+0000";
}

static void handshake_text(char *buf, size_t cap)
{
    char id[37];
    uuid(id, 0xabcdef);
    snprintf(buf, cap, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\",\"payload\":{\"ack_timeout\":1}}", id,
             now_ts());
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

static void serve(int fd, const char *mode)
{
    char hs[256];
    handshake_text(hs, sizeof hs);
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
    if (strcmp(mode, "slowloris") == 0) { /* the handshake Event, one byte at a time */
        unsigned char h[10];
        size_t hl = header(h, 1, 1, strlen(hs));
        write_all(fd, h, hl);
        for (const char *c = hs; *c; c++) {
            if (write_all(fd, c, 1) < 0) return;
            sleep_ms(100);
        }
        drain(fd, 60000);
        return;
    }
    if (strcmp(mode, "garbage-frames") == 0) {
        unsigned char junk[4096];
        for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 131 + 7);
        write_all(fd, junk, sizeof junk);
        drain(fd, 5000);
        return;
    }
    send_text(fd, hs);
    if (strcmp(mode, "flood") == 0) { /* valid Events as fast as possible, never reading */
        char ev[256], id[37];
        for (unsigned n = 1;; n++) {
            uuid(id, n);
            snprintf(ev, sizeof ev, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\"}", id, now_ts());
            if (send_text(fd, ev) < 0) return;
        }
    }
    if (strcmp(mode, "big") == 0) { /* one 100 MB text message */
        const uint64_t len = 100u << 20;
        unsigned char h[10];
        size_t hl = header(h, 1, 1, len);
        if (write_all(fd, h, hl) < 0) return;
        static char chunk[65536];
        memset(chunk, 'x', sizeof chunk);
        memcpy(chunk, "{\"type\":\"event\",\"x\":\"", 21);
        for (uint64_t sent = 0; sent < len; sent += sizeof chunk)
            if (write_all(fd, chunk, sizeof chunk) < 0) return;
        drain(fd, 5000);
        return;
    }
    if (strcmp(mode, "event-storm") == 0) { /* 5000 valid Events, reading our Acks */
        char ev[256], id[37];
        for (unsigned n = 1; n <= 5000; n++) {
            uuid(id, n);
            snprintf(ev, sizeof ev, "{\"type\":\"event\",\"id\":\"%s\",\"sent_at\":\"%s\"}", id, now_ts());
            if (send_text(fd, ev) < 0) return;
            if (n % 100 == 0) drain(fd, 1);
        }
        drain(fd, 10000);
        return;
    }
    drain(fd, 300); /* let the client ack and start its case */
    if (strcmp(mode, "drop") == 0) return; /* close(2) without a close frame */
    if (strcmp(mode, "never-close") == 0) { /* ignore everything, including the close */
        sleep_ms(60000);
        return;
    }
    if (strcmp(mode, "close-1005") == 0 || strcmp(mode, "close-999") == 0 || strcmp(mode, "close-5000") == 0) {
        int code = strcmp(mode, "close-1005") == 0 ? 1005 : strcmp(mode, "close-999") == 0 ? 999 : 5000;
        unsigned char c[2] = {(unsigned char)(code >> 8), (unsigned char)code};
        send_frame(fd, 8, c, 2);
        drain(fd, 2000);
        return;
    }
    if (strcmp(mode, "close-long-reason") == 0) { /* 200-byte reason: too long for a control frame */
        unsigned char c[202];
        c[0] = 4002 >> 8, c[1] = 4002 & 255;
        memset(c + 2, 'r', 200);
        send_frame(fd, 8, c, sizeof c);
        drain(fd, 2000);
        return;
    }
    drain(fd, 60000);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: hostile_peer MODE [PORT_FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
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
