// The "physical limit" column of bench/probe-throughput.ts: about the least CPU a health checker
// can spend per check on this machine. One thread and one epoll set. COUNT targets on consecutive
// IPv4 addresses, checked in turn and spread evenly over the interval. Each check is a new
// non-blocking connection closed with an RST (SO_LINGER 0). Modes: tcp (connect only, half-open
// like HAProxy's check and maglevd's: TCP_QUICKACK off, so the RST beats the handshake's final
// ACK and the fleet never accept()s it), http (write one prebuilt GET, read the status line)
// and https (the same over TLS; build with -DFLOOR_TLS -lssl -lcrypto). The bench compiles it
// with `cc -O2` into a temp dir.
//
//   c-floor-checker tcp|http|https COUNT FIRST_IPV4 PORT INTERVAL_MS TIMEOUT_MS   (TIMEOUT <= INTERVAL)
//
// Prints "ready" and, on SIGUSR1 and at exit (SIGTERM), one line of cumulative counts plus the p99
// scheduling lateness since the previous line:
//   checks=<n> ok=<n> fail=<n> skipped=<n> late_p99_us=<n>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef FLOOR_TLS
#include <openssl/ssl.h>
static SSL_CTX *ctx;
#endif

enum { IDLE, CONNECTING, HANDSHAKE, WRITING, READING };
enum { TCP, HTTP, HTTPS };
struct target { int fd, state, got; int64_t deadline; char status[13]; void *ssl; }; // status: 12 bytes read + NUL
struct pending { int i; int64_t deadline; }; // in-flight checks in start order: one timeout for all

static const char req[] = "GET /healthz HTTP/1.1\r\nHost: floor\r\nUser-Agent: maglev-bench-floor\r\n"
                          "Accept: */*\r\nConnection: close\r\n\r\n";
static struct target *t;
static struct pending *ring;
static int count, mode, ring_cap, ring_head, ring_len;
static uint64_t checks, ok, fail, skipped, late_n;
#define LATE_BUCKETS 100000 // 10 µs each, up to 1 s; the last one holds everything later
static uint32_t late[LATE_BUCKETS + 1];
static volatile sig_atomic_t report_flag, stop_flag;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void finish(int i, int good) {
  struct target *x = &t[i];
  struct linger rst = {1, 0};
  setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &rst, sizeof rst);
#ifdef FLOOR_TLS
  SSL_free(x->ssl); // no close_notify: the RST ends the connection
#endif
  close(x->fd); // also leaves the epoll set
  x->fd = -1, x->state = IDLE, x->ssl = NULL;
  checks++, good ? ok++ : fail++;
}

// One read or write, plain or over TLS: > 0 bytes done, 0 = wait for the socket, -1 = failed.
static int io(struct target *x, int writing) {
#ifdef FLOOR_TLS
  if (x->ssl != NULL) {
    int n = writing ? SSL_write(x->ssl, req, sizeof req - 1) : SSL_read(x->ssl, x->status + x->got, 12 - x->got);
    int e = n > 0 ? 0 : SSL_get_error(x->ssl, n);
    return n > 0 ? n : e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
  }
#endif
  ssize_t n = writing ? write(x->fd, req, sizeof req - 1) : read(x->fd, x->status + x->got, (size_t)(12 - x->got));
  return n > 0 ? (int)n : n < 0 && errno == EAGAIN ? 0 : -1;
}

// Advances one check as far as the socket allows (edge-triggered: called on every event).
static void step(int i, uint32_t events) {
  struct target *x = &t[i];
  int n;
  for (;;) switch (x->state) {
    case CONNECTING:
      if (events & (EPOLLERR | EPOLLHUP)) return finish(i, 0);
      if (mode == TCP) return finish(i, 1);
      x->state = WRITING;
#ifdef FLOOR_TLS
      if (mode == HTTPS) x->ssl = SSL_new(ctx), SSL_set_fd(x->ssl, x->fd), SSL_set_connect_state(x->ssl), x->state = HANDSHAKE;
    break;
    case HANDSHAKE:
      if ((n = SSL_do_handshake(x->ssl)) == 1) { x->state = WRITING; break; }
      n = SSL_get_error(x->ssl, n);
      if (n == SSL_ERROR_WANT_READ || n == SSL_ERROR_WANT_WRITE) return;
      return finish(i, 0);
#endif
    break;
    case WRITING: // the request fits in one segment (one TLS record)
      if ((n = io(x, 1)) == 0) return;
      if (n != sizeof req - 1) return finish(i, 0);
      x->state = READING;
      break;
    case READING:
      if ((n = io(x, 0)) == 0) return;
      if (n < 0) return finish(i, 0);
      if ((x->got += n) < 12) break;
      n = atoi(x->status + 9); // "HTTP/1.1 200"
      return finish(i, memcmp(x->status, "HTTP/1.", 7) == 0 && n >= 200 && n < 400);
    default: return;
  }
}

static void launch(int ep, int i, int64_t now, int64_t timeout_ns, uint32_t first, uint16_t port) {
  struct target *x = &t[i];
  if (x->state != IDLE) { skipped++; return; }
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(first + (uint32_t)i)};
  x->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (x->fd < 0) { checks++, fail++; return; }
  x->state = CONNECTING, x->got = 0, x->deadline = now + timeout_ns;
  int zero = 0;
  if (mode == TCP) setsockopt(x->fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u32 = (uint32_t)i};
  if ((connect(x->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) || epoll_ctl(ep, EPOLL_CTL_ADD, x->fd, &ev) < 0) return finish(i, 0);
  ring[(ring_head + ring_len++) % ring_cap] = (struct pending){i, x->deadline};
}

static void report(void) {
  uint64_t need = (late_n * 99 + 99) / 100, seen = 0;
  int b = 0;
  while (b < LATE_BUCKETS && (seen += late[b]) < need) b++;
  printf("checks=%llu ok=%llu fail=%llu skipped=%llu late_p99_us=%lld\n", (unsigned long long)checks, (unsigned long long)ok,
         (unsigned long long)fail, (unsigned long long)skipped, late_n == 0 ? -1LL : (b + 1) * 10LL);
  fflush(stdout);
  memset(late, 0, sizeof late), late_n = 0;
}

static void on_signal(int sig) { sig == SIGUSR1 ? (report_flag = 1) : (stop_flag = 1); }

int main(int argc, char **argv) {
  struct in_addr first;
  if (argc != 7 || inet_pton(AF_INET, argv[3], &first) != 1) return fprintf(stderr, "usage: %s tcp|http|https COUNT FIRST_IPV4 PORT INTERVAL_MS TIMEOUT_MS\n", argv[0]), 2;
  mode = strcmp(argv[1], "tcp") == 0 ? TCP : strcmp(argv[1], "http") == 0 ? HTTP : HTTPS;
  count = atoi(argv[2]);
  uint16_t port = (uint16_t)atoi(argv[4]);
  int64_t interval_ns = atoll(argv[5]) * 1000000LL, timeout_ns = atoll(argv[6]) * 1000000LL;
  if (count < 1 || timeout_ns <= 0 || timeout_ns > interval_ns) return fprintf(stderr, "need COUNT >= 1 and 0 < TIMEOUT <= INTERVAL\n"), 2;
#ifdef FLOOR_TLS
  ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
#else
  if (mode == HTTPS) return fprintf(stderr, "built without -DFLOOR_TLS\n"), 2;
#endif
  ring_cap = 2 * count + 2; // timeout <= interval: at most count + 1 starts fall in one timeout
  t = calloc((size_t)count, sizeof *t), ring = calloc((size_t)ring_cap, sizeof *ring);
  struct sigaction sa = {.sa_handler = on_signal}; // no SA_RESTART: epoll_wait returns at once
  sigaction(SIGUSR1, &sa, NULL), sigaction(SIGTERM, &sa, NULL), sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int ep = epoll_create1(0);
  struct epoll_event evs[256];
  int64_t start = now_ns();
  uint64_t seq = 0; // check number seq is due at start + seq * interval / count
#define DUE(s) (start + (int64_t)((s) / (uint64_t)count) * interval_ns + (int64_t)((s) % (uint64_t)count) * interval_ns / count)
  printf("ready\n"), fflush(stdout);
  while (!stop_flag) {
    int64_t now = now_ns();
    for (; ring_len > 0; ring_head = (ring_head + 1) % ring_cap, ring_len--) {
      struct pending *p = &ring[ring_head];
      if (t[p->i].state != IDLE && t[p->i].deadline == p->deadline) {
        if (p->deadline > now) break;
        finish(p->i, 0); // timed out
      }
    }
    for (; DUE(seq) <= now; seq++) {
      int64_t us = (now - DUE(seq)) / 10000;
      late[us < LATE_BUCKETS ? us : LATE_BUCKETS]++, late_n++;
      launch(ep, (int)(seq % (uint64_t)count), now, timeout_ns, ntohl(first.s_addr), port);
    }
    if (report_flag) report_flag = 0, report();
    int64_t next = DUE(seq);
    if (ring_len > 0 && ring[ring_head].deadline < next) next = ring[ring_head].deadline;
    int n = epoll_wait(ep, evs, 256, (int)((next - now + 999999) / 1000000)); // timers in ms, like HAProxy's
    for (int k = 0; k < n; k++) step((int)evs[k].data.u32, evs[k].events);
  }
  report();
  return 0;
}
