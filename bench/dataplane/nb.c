/*
 * nb.c - tiny TCP load tool (from ../shared/research/dataplane-baseline, plus `cr`).
 *
 *   nb server PORT [--ppv2]
 *       Thread-per-connection server.  With --ppv2 every connection must start
 *       with a PROXY protocol v2 header, which is parsed and dropped.  After
 *       that the first byte picks the mode:
 *         'E'  echo everything back (used by the ping-pong latency test)
 *         'S'  sink: read until EOF, then reply with the byte count (u64 LE)
 *         'C'  echo one byte, then close (connection-rate test)
 *   nb rr HOST PORT SECONDS
 *       One connection; 1-byte ping-pong for SECONDS (after 2000 warm-up round
 *       trips).  Prints JSON with round-trip percentiles in microseconds.
 *   nb cr HOST PORT SECONDS THREADS
 *       THREADS loops of: connect, send "Cx", read 1 byte, wait for the server to
 *       close first (so TIME_WAIT sits on the server side, as with HTTP servers).
 *       Prints JSON with new connections per second.
 *   nb up HOST PORT SECONDS STREAMS
 *       STREAMS connections that each write 128 KiB chunks for SECONDS, then
 *       half-close and wait for the server's byte count.  Prints JSON with
 *       Gbit/s computed from bytes the *server* received.
 *
 * Every client loop is bounded in time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int readn(int fd, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, (char *)buf + got, n - got, 0);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return -1;
        }
        got += r;
    }
    return 0;
}

static int writen(int fd, const void *buf, size_t n) {
    size_t put = 0;
    while (put < n) {
        ssize_t w = send(fd, (const char *)buf + put, n - put, MSG_NOSIGNAL);
        if (w <= 0) {
            if (w < 0 && errno == EINTR) continue;
            return -1;
        }
        put += w;
    }
    return 0;
}

/* ------------------------------------------------------------------ server */
static int g_ppv2 = 0;
static const unsigned char PP2_SIG[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                          0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

static void *serve_conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (g_ppv2) {
        unsigned char hdr[16];
        if (readn(fd, hdr, 16) < 0 || memcmp(hdr, PP2_SIG, 12) != 0 ||
            (hdr[12] & 0xF0) != 0x20) {
            fprintf(stderr, "nb: bad PROXY v2 header\n");
            close(fd);
            return NULL;
        }
        size_t len = ((size_t)hdr[14] << 8) | hdr[15];
        unsigned char rest[65536];
        if (len && readn(fd, rest, len) < 0) { close(fd); return NULL; }
        static int logged = 0;
        if (!logged && hdr[13] == 0x11 && len >= 12) {   /* TCP over IPv4 */
            logged = 1;
            char s[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, rest, s, sizeof s);
            inet_ntop(AF_INET, rest + 4, d, sizeof d);
            fprintf(stderr, "nb: first PROXY v2 header: src %s:%u dst %s:%u (tlv bytes %zu)\n",
                    s, (rest[8] << 8) | rest[9], d, (rest[10] << 8) | rest[11], len - 12);
        }
    }
    unsigned char mode;
    if (readn(fd, &mode, 1) < 0) { close(fd); return NULL; }
    static __thread char buf[262144];
    if (mode == 'E') {
        for (;;) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) { if (r < 0 && errno == EINTR) continue; break; }
            if (writen(fd, buf, r) < 0) break;
        }
    } else if (mode == 'C') {
        char c;
        if (readn(fd, &c, 1) == 0) writen(fd, &c, 1);
    } else if (mode == 'S') {
        uint64_t total = 0;
        for (;;) {
            ssize_t r = recv(fd, buf, sizeof buf, 0);
            if (r <= 0) { if (r < 0 && errno == EINTR) continue; break; }
            total += r;
        }
        writen(fd, &total, sizeof total);
    }
    close(fd);
    return NULL;
}

static int server(int port) {
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (bind(ls, (void *)&a, sizeof a) < 0 || listen(ls, 4096) < 0) {
        perror("bind/listen");
        return 1;
    }
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&at, 512 * 1024);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) { if (errno == EINTR) continue; perror("accept"); continue; }
        pthread_t t;
        if (pthread_create(&t, &at, serve_conn, (void *)(intptr_t)fd) != 0) close(fd);
    }
}

/* ------------------------------------------------------------------ client */
static int dial(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (void *)&a, sizeof a) < 0) { perror("connect"); exit(2); }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int rr(const char *host, int port, double secs) {
    int fd = dial(host, port);
    char c = 'E';
    if (writen(fd, &c, 1) < 0) return 2;
    for (int i = 0; i < 2000; i++) {           /* warm-up */
        c = 'x';
        if (writen(fd, &c, 1) < 0 || readn(fd, &c, 1) < 0) return 2;
    }
    size_t cap = 4000000, n = 0;
    double *s = malloc(cap * sizeof(double));
    double t0 = now(), end = t0 + secs, t = t0;
    while (t < end && n < cap) {
        c = 'x';
        if (writen(fd, &c, 1) < 0 || readn(fd, &c, 1) < 0) return 2;
        double t2 = now();
        s[n++] = (t2 - t) * 1e6;
        t = t2;
    }
    double total = t - t0;
    close(fd);
    qsort(s, n, sizeof(double), cmp_d);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += s[i];
#define P(q) s[(size_t)((q) * (n - 1))]
    printf("{\"n\": %zu, \"secs\": %.3f, \"mean_us\": %.2f, \"p50_us\": %.2f, "
           "\"p90_us\": %.2f, \"p99_us\": %.2f, \"p999_us\": %.2f, \"max_us\": %.2f}\n",
           n, total, sum / n, P(0.50), P(0.90), P(0.99), P(0.999), s[n - 1]);
    return 0;
}

struct upargs { const char *host; int port; double end; uint64_t got; int err; };

static void *up_thread(void *p) {
    struct upargs *a = p;
    int fd = dial(a->host, a->port);
    static __thread char buf[131072];
    memset(buf, 'z', sizeof buf);
    char mode = 'S';
    if (writen(fd, &mode, 1) < 0) a->err = 1;
    while (!a->err && now() < a->end) {
        if (writen(fd, buf, sizeof buf) < 0) { a->err = 1; break; }
    }
    shutdown(fd, SHUT_WR);
    uint64_t total = 0;
    if (readn(fd, &total, sizeof total) < 0) a->err = 1;
    a->got = total;
    close(fd);
    return NULL;
}

static int up(const char *host, int port, double secs, int streams) {
    pthread_t t[64];
    struct upargs a[64];
    if (streams > 64) streams = 64;
    double t0 = now();
    for (int i = 0; i < streams; i++) {
        a[i] = (struct upargs){host, port, t0 + secs, 0, 0};
        pthread_create(&t[i], NULL, up_thread, &a[i]);
    }
    uint64_t total = 0;
    int err = 0;
    for (int i = 0; i < streams; i++) { pthread_join(t[i], NULL); total += a[i].got; err |= a[i].err; }
    double el = now() - t0;
    printf("{\"bytes\": %llu, \"secs\": %.3f, \"gbps\": %.3f, \"err\": %d}\n",
           (unsigned long long)total, el, total * 8 / el / 1e9, err);
    return err ? 3 : 0;
}

struct crargs { const char *host; int port; double end; uint64_t done; uint64_t failed; };

static void *cr_thread(void *p) {
    struct crargs *a = p;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(a->port)};
    inet_pton(AF_INET, a->host, &sa.sin_addr);
    while (now() < a->end) {
        int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct timeval tv = {.tv_sec = 2};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        char c[2] = {'C', 'x'}, r;
        if (connect(fd, (void *)&sa, sizeof sa) == 0 && writen(fd, c, 2) == 0 &&
            readn(fd, &r, 1) == 0 && recv(fd, &r, 1, 0) == 0)
            a->done++;
        else
            a->failed++;
        close(fd);
    }
    return NULL;
}

static int cr(const char *host, int port, double secs, int threads) {
    pthread_t t[64];
    struct crargs a[64];
    if (threads > 64) threads = 64;
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        a[i] = (struct crargs){host, port, t0 + secs, 0, 0};
        pthread_create(&t[i], NULL, cr_thread, &a[i]);
    }
    uint64_t done = 0, failed = 0;
    for (int i = 0; i < threads; i++) { pthread_join(t[i], NULL); done += a[i].done; failed += a[i].failed; }
    double el = now() - t0;
    printf("{\"conns\": %llu, \"failed\": %llu, \"secs\": %.3f, \"per_s\": %.1f}\n",
           (unsigned long long)done, (unsigned long long)failed, el, done / el);
    return 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 3 && !strcmp(argv[1], "server")) {
        g_ppv2 = argc >= 4 && !strcmp(argv[3], "--ppv2");
        return server(atoi(argv[2]));
    }
    if (argc == 5 && !strcmp(argv[1], "rr")) return rr(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc == 6 && !strcmp(argv[1], "cr"))
        return cr(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    if (argc == 6 && !strcmp(argv[1], "up"))
        return up(argv[2], atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: nb server PORT [--ppv2] | nb rr HOST PORT SECS | nb up HOST PORT SECS STREAMS"
                    " | nb cr HOST PORT SECS THREADS\n");
    return 1;
}
