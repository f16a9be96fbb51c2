// The native prober: plain tcp and http probes on the calling thread's libuv loop, because a
// probe through net.Socket costs several times what the kernel does. One epoll fd per thread,
// watched by a single uv_poll, so one wakeup serves many sockets; one uv_timer armed for the
// earliest deadline of a min-heap. A probe is a non-blocking connect (bound to the target's
// source address when it has one), for http one prebuilt request write and the response read by
// http-reader.c, then an abortive close (SO_LINGER 0, an RST, like HAProxy) so no TIME_WAIT
// piles up here. A plain tcp probe is half-open, like HAProxy's `check`: SYN, SYN-ACK, RST. Results are fixed-size records (the layout of src/shared/probe-batch.ts)
// written straight into the shard's result ring, a SharedArrayBuffer the main thread reads when
// it polls: a probe calls no JS at all, unless the ring is full (onReady: call probeFlush
// later) or its check has a response-regexp (onBody, once per body: the regexp stays in JS).
//
// Lifetime follows fd-watch.c: state per env, sessions opened and closed by JS, and an *async*
// env cleanup hook that closes what is still open and is released from the last close callback.

#include "maglev_native.h"
#include "http-reader.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

// ---- the wire vocabulary (src/shared/health.ts probeCodes, src/shared/probe-detail.ts) -----

enum { C_L4OK = 0, C_L4TOUT = 1, C_L4CON = 2, C_SOCKERR = 3, C_L7OK = 7, C_L7TOUT = 8, C_L7RSP = 9, C_L7STS = 10 };
enum {
  D_CONNECTED = 1,
  D_HTTP_STATUS = 2,
  D_CONNECT_ERRNO = 3,
  D_BIND_ERRNO = 4,
  D_READ_ERRNO = 5,
  D_WRITE_ERRNO = 6,
  D_TIMEOUT_CONNECT = 7,
  D_TIMEOUT_HEADERS = 9,
  D_TIMEOUT_BODY = 10,
  D_BODY_MISMATCH = 19,
};

// Discard reasons (src/shared/discard-reason.ts discardReasons, numbered from 1; 0 is none):
// the prober's own shortages, which never count against a backend.
enum { R_NONE = 0, R_EMFILE = 1, R_ENFILE = 2, R_ENOBUFS = 3, R_ENOMEM = 4, R_EADDRNOTAVAIL = 5, R_EADDRINUSE = 6 };
#define FLAG_DISCARDED 1

#define RING_HEADER_BYTES 64

// One result record, 32 bytes, host byte order (both ends run in this process).
typedef struct {
  uint32_t probe_id;
  uint32_t target_id;
  double at;          // unix ms at the start
  float duration_ms;
  int32_t arg;        // HTTP status, errno or timeout ms, by detail kind
  uint8_t code;
  uint8_t detail;
  uint8_t flags;      // FLAG_DISCARDED or 0: the native prober sends no text
  uint8_t reason;     // the discard reason (R_*), 0 when not discarded
  float lag_ms;       // NaN: not measured
} record_t;
_Static_assert(sizeof(record_t) == 32, "record layout");

enum { KIND_TCP = 0, KIND_HTTP = 1 };
enum { PHASE_CONNECT, PHASE_HEADERS, PHASE_BODY, PHASE_DONE };

#define READ_BUFFER_BYTES 65536
#define MAX_TARGET_ID (1u << 24)
#define EVENTS_PER_WAIT 256

typedef struct probe probe_t;

typedef struct {
  uint32_t id;
  uint32_t refs; // the table's (while registered) + one per probe in flight
  uint8_t kind;
  bool want_body;
  uint16_t code_min, code_max;
  uint32_t timeout_ms;
  int family;
  struct sockaddr_storage dst, src;
  socklen_t dst_len, src_len; // src_len 0: no source address
  uint8_t *request;
  uint32_t request_len;
  probe_t *inflight; // doubly linked through probe.prev/next
} target_t;

struct probe {
  target_t *t;
  probe_t *prev, *next; // in t->inflight; next also links zombies
  uint32_t id;
  int fd;
  uint8_t phase;
  bool established;
  uint16_t status;
  uint32_t written;
  int32_t heap_index;
  double at;
  uint64_t t0_ns, deadline_ns;
  hr_reader reader;
};

typedef struct probe_state probe_state;

// One open engine (probeOpen .. probeClose). Its handles outlive it until their close callbacks.
typedef struct {
  probe_state *state;
  napi_env env;
  int epfd;
  uv_poll_t poll;
  uv_timer_t timer;
  int handles_open;
  napi_ref on_ready, on_body, ring_ref;
  napi_async_context ctx;
  uint32_t *ring_header; // [0] records written (ours), [1] records read (the main thread's)
  record_t *ring_slots;
  uint32_t ring_slots_len; // a power of two
  target_t **targets;
  uint32_t targets_len;
  probe_t **heap;
  uint32_t heap_len, heap_cap;
  uint64_t armed_ns; // deadline the timer is armed for; 0 when stopped
  record_t *records; // finished, not yet in the ring
  uint32_t records_len, records_cap;
  bool notified;    // onReady called since the queue last emptied
  bool dispatching; // inside an event or timer callback: finished probes become zombies
  probe_t *zombies;
  uint32_t inflight;
  double started;
  uint8_t *rbuf;
} session_t;

struct probe_state {
  session_t *cur;
  int32_t closing; // sessions whose handles are not closed yet
  bool tearing_down;
  napi_async_cleanup_hook_handle hook;
};

// ---- time ---------------------------------------------------------------------------------

static double unix_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
}

// ---- the deadline heap --------------------------------------------------------------------

static void heap_set(session_t *s, uint32_t i, probe_t *p) {
  s->heap[i] = p;
  p->heap_index = (int32_t)i;
}

static void heap_up(session_t *s, uint32_t i) {
  probe_t *p = s->heap[i];
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (s->heap[parent]->deadline_ns <= p->deadline_ns) break;
    heap_set(s, i, s->heap[parent]);
    i = parent;
  }
  heap_set(s, i, p);
}

static void heap_down(session_t *s, uint32_t i) {
  probe_t *p = s->heap[i];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= s->heap_len) break;
    if (c + 1 < s->heap_len && s->heap[c + 1]->deadline_ns < s->heap[c]->deadline_ns) c++;
    if (s->heap[c]->deadline_ns >= p->deadline_ns) break;
    heap_set(s, i, s->heap[c]);
    i = c;
  }
  heap_set(s, i, p);
}

static bool heap_push(session_t *s, probe_t *p) {
  if (s->heap_len == s->heap_cap) {
    uint32_t cap = s->heap_cap == 0 ? 256 : s->heap_cap * 2;
    probe_t **h = realloc(s->heap, cap * sizeof *h);
    if (h == NULL) return false;
    s->heap = h;
    s->heap_cap = cap;
  }
  heap_set(s, s->heap_len++, p);
  heap_up(s, s->heap_len - 1);
  return true;
}

static void heap_remove(session_t *s, probe_t *p) {
  if (p->heap_index < 0) return;
  uint32_t i = (uint32_t)p->heap_index;
  p->heap_index = -1;
  probe_t *last = s->heap[--s->heap_len];
  if (i == s->heap_len) return;
  heap_set(s, i, last);
  heap_up(s, i);
  heap_down(s, (uint32_t)last->heap_index);
}

static void on_timer(uv_timer_t *h);

// Arms the timer for the earliest deadline unless it already fires no later than that.
static void arm(session_t *s, uint64_t now_ns) {
  if (s->heap_len == 0) return;
  uint64_t due = s->heap[0]->deadline_ns;
  if (s->armed_ns != 0 && s->armed_ns <= due) return;
  uint64_t wait_ms = due > now_ns ? (due - now_ns + 999999) / 1000000 : 0;
  s->armed_ns = due;
  uv_timer_start(&s->timer, on_timer, wait_ms, 0);
}

// ---- targets ------------------------------------------------------------------------------

static void target_unref(target_t *t) {
  if (--t->refs > 0) return;
  free(t->request);
  free(t);
}

static target_t *target_of(session_t *s, uint32_t id) {
  return id < s->targets_len ? s->targets[id] : NULL;
}

static void target_drop(session_t *s, uint32_t id) {
  target_t *t = target_of(s, id);
  if (t == NULL) return;
  s->targets[id] = NULL;
  target_unref(t);
}

// ---- finishing a probe --------------------------------------------------------------------

static void set_ref(session_t *s) {
  // Like a socket, probes in flight keep the loop alive; an idle engine does not.
  if (s->inflight > 0) {
    uv_ref((uv_handle_t *)&s->poll);
    uv_ref((uv_handle_t *)&s->timer);
  } else {
    uv_unref((uv_handle_t *)&s->poll);
    uv_unref((uv_handle_t *)&s->timer);
  }
}

// Closes the socket: an RST once connected (no TIME_WAIT), a plain close while connecting.
static void close_socket(probe_t *p) {
  if (p->fd < 0) return;
  if (p->established) {
    struct linger lg = {1, 0};
    setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  }
  close(p->fd);
  p->fd = -1;
}

// Unlinks a probe from everything and frees it, or parks it until the current dispatch ends.
static void release(session_t *s, probe_t *p) {
  close_socket(p);
  heap_remove(s, p);
  target_t *t = p->t;
  if (p->prev != NULL) p->prev->next = p->next;
  else t->inflight = p->next;
  if (p->next != NULL) p->next->prev = p->prev;
  p->prev = p->next = NULL;
  hr_free(&p->reader);
  target_unref(t);
  p->t = NULL;
  p->phase = PHASE_DONE;
  s->inflight--;
  if (s->inflight == 0) set_ref(s);
  if (s->dispatching) {
    p->next = s->zombies;
    s->zombies = p;
  } else {
    free(p);
  }
}

static bool push_record(session_t *s, const record_t *r) {
  if (s->records_len == s->records_cap) {
    uint32_t cap = s->records_cap == 0 ? 256 : s->records_cap * 2;
    record_t *n = realloc(s->records, cap * sizeof *n);
    if (n == NULL) return false;
    s->records = n;
    s->records_cap = cap;
  }
  s->records[s->records_len++] = *r;
  return true;
}

static void finish_as(session_t *s, probe_t *p, uint8_t code, uint8_t detail, int32_t arg, uint8_t reason) {
  record_t r = {
      .probe_id = p->id,
      .target_id = p->t->id,
      .at = p->at,
      .duration_ms = (float)((double)(uv_hrtime() - p->t0_ns) / 1e6),
      .arg = arg,
      .code = code,
      .detail = detail,
      .flags = reason != R_NONE ? FLAG_DISCARDED : 0,
      .reason = reason,
      .lag_ms = NAN,
  };
  // Out of memory for the record itself: the probe is dropped; the dispatcher's hang sweep
  // replaces a shard whose probes go unanswered.
  push_record(s, &r);
  release(s, p);
}

static void finish(session_t *s, probe_t *p, uint8_t code, uint8_t detail, int32_t arg) {
  finish_as(s, p, code, detail, arg, R_NONE);
}

// The shortage an errno names (localShortage in src/shared/discard-reason.ts): EADDRNOTAVAIL
// from bind is the configured source address missing, a failure; from connect, no free port.
static uint8_t shortage_of(int err, bool from_bind) {
  switch (err) {
    case EMFILE: return R_EMFILE;
    case ENFILE: return R_ENFILE;
    case ENOBUFS: return R_ENOBUFS;
    case ENOMEM: return R_ENOMEM;
    case EADDRINUSE: return R_EADDRINUSE;
    case EADDRNOTAVAIL: return from_bind ? R_NONE : R_EADDRNOTAVAIL;
    default: return R_NONE;
  }
}

// A SOCKERR before anything was sent (socket, bind, epoll), discarded when it is a shortage.
static void local_failure(session_t *s, probe_t *p, uint8_t detail, int err) {
  finish_as(s, p, C_SOCKERR, detail, err, shortage_of(err, detail == D_BIND_ERRNO));
}

static bool is_local_error(int err) {
  switch (err) {
    case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM: case EADDRNOTAVAIL:
    case EADDRINUSE: case EAFNOSUPPORT: case EACCES: case EPERM: case EINVAL:
      return true;
    default:
      return false;
  }
}

static void connect_failed(session_t *s, probe_t *p, int err) {
  finish_as(s, p, is_local_error(err) ? C_SOCKERR : C_L4CON, D_CONNECT_ERRNO, err, shortage_of(err, false));
}

// ---- JS callbacks -------------------------------------------------------------------------

// Calls a JS function from a libuv callback (no JS on the stack). Returns false when the env
// refuses JS (it is stopping) or the callback threw (reported as an uncaught exception).
static bool call_js(session_t *s, napi_ref fn_ref, size_t argc, napi_value *argv, napi_value *result) {
  napi_env env = s->env;
  napi_value fn, recv;
  napi_get_reference_value(env, fn_ref, &fn);
  napi_get_global(env, &recv);
  if (napi_make_callback(env, s->ctx, recv, fn, argc, argv, result) == napi_ok) return true;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
  return false;
}

// onBody(targetId, body): whether the target's response-regexp matches the body.
static bool body_matches(session_t *s, probe_t *p) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return false;
  napi_value argv[2], result;
  void *copy = NULL;
  napi_create_uint32(env, p->t->id, &argv[0]);
  napi_create_buffer_copy(env, p->reader.body_len, p->reader.body_len > 0 ? p->reader.body : (const void *)"", &copy, &argv[1]);
  bool matched = false;
  if (call_js(s, s->on_body, 2, argv, &result)) napi_get_value_bool(env, result, &matched);
  napi_close_handle_scope(env, scope);
  return matched;
}

// Moves queued records into the ring, as many as fit, oldest first.
static void flush_to_ring(session_t *s) {
  uint32_t written = s->ring_header[0];
  uint32_t read = __atomic_load_n(&s->ring_header[1], __ATOMIC_ACQUIRE);
  uint32_t room = s->ring_slots_len - (written - read);
  uint32_t n = s->records_len < room ? s->records_len : room;
  for (uint32_t k = 0; k < n; k++) s->ring_slots[(written + k) & (s->ring_slots_len - 1)] = s->records[k];
  __atomic_store_n(&s->ring_header[0], written + n, __ATOMIC_RELEASE);
  memmove(s->records, s->records + n, (size_t)(s->records_len - n) * sizeof(record_t));
  s->records_len -= n;
  if (s->records_len == 0) s->notified = false;
}

// Publishes finished probes; when the ring is full, onReady() asks JS to call probeFlush()
// later (once, until the queue empties).
static void notify(session_t *s, bool from_js) {
  flush_to_ring(s);
  if (s->records_len == 0 || s->notified) return;
  s->notified = true;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value result;
  if (from_js) {
    napi_value fn, recv;
    napi_get_reference_value(env, s->on_ready, &fn);
    napi_get_global(env, &recv);
    napi_call_function(env, recv, fn, 0, NULL, &result);
  } else {
    call_js(s, s->on_ready, 0, NULL, &result);
  }
  napi_close_handle_scope(env, scope);
}

// ---- the probe state machine --------------------------------------------------------------

// Returns false when the probe finished.
static bool on_step(session_t *s, probe_t *p, hr_step step) {
  target_t *t = p->t;
  switch (step.kind) {
    case HR_MORE:
      return true;
    case HR_HEAD:
      p->status = step.status;
      if (step.status < t->code_min || step.status > t->code_max) {
        finish(s, p, C_L7STS, D_HTTP_STATUS, step.status);
      } else if (!t->want_body) {
        finish(s, p, C_L7OK, D_HTTP_STATUS, step.status);
      } else {
        p->phase = PHASE_BODY;
        return on_step(s, p, hr_feed(&p->reader, NULL, 0));
      }
      return false;
    case HR_BODY: {
      bool matched = body_matches(s, p);
      if (p->phase == PHASE_DONE) return false; // cancelled from the callback
      if (matched) finish(s, p, C_L7OK, D_HTTP_STATUS, p->status);
      else finish(s, p, C_L7RSP, D_BODY_MISMATCH, 0);
      return false;
    }
    default:
      if (step.error == HR_E_NOMEM) finish(s, p, C_L7RSP, D_READ_ERRNO, ENOMEM);
      else finish(s, p, C_L7RSP, step.error, 0);
      return false;
  }
}

// Returns false when the probe finished.
static bool write_request(session_t *s, probe_t *p) {
  target_t *t = p->t;
  while (p->written < t->request_len) {
    ssize_t n = send(p->fd, t->request + p->written, t->request_len - p->written, MSG_NOSIGNAL);
    if (n > 0) {
      p->written += (uint32_t)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return true; // the next EPOLLOUT edge continues
    } else {
      finish(s, p, C_L7RSP, D_WRITE_ERRNO, n < 0 ? errno : EPIPE);
      return false;
    }
  }
  return true;
}

static void read_response(session_t *s, probe_t *p) {
  for (;;) {
    ssize_t n = recv(p->fd, s->rbuf, READ_BUFFER_BYTES, 0);
    if (n > 0) {
      if (!on_step(s, p, hr_feed(&p->reader, s->rbuf, (size_t)n))) return;
    } else if (n == 0) {
      on_step(s, p, hr_end(&p->reader));
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return;
    } else {
      finish(s, p, C_L7RSP, D_READ_ERRNO, errno);
      return;
    }
  }
}

static void on_socket(session_t *s, probe_t *p, uint32_t events) {
  if (p->phase == PHASE_DONE) return;
  if (p->phase == PHASE_CONNECT) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    // A failed connect raises EPOLLERR; only then is SO_ERROR worth a syscall.
    int err = 0;
    socklen_t len = sizeof err;
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 && getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err == 0 && (events & EPOLLOUT) == 0) err = ECONNRESET; // hung up without an error: nothing to write to
    if (err != 0) {
      connect_failed(s, p, err);
      return;
    }
    p->established = true;
    if (p->t->kind == KIND_TCP) {
      finish(s, p, C_L4OK, D_CONNECTED, 0);
      return;
    }
    p->phase = PHASE_HEADERS;
    if (!write_request(s, p)) return;
  } else if (p->written < p->t->request_len && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) {
    if (!write_request(s, p)) return;
  }
  // Edge-triggered: read now whatever this edge announced, or no later edge will.
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) read_response(s, p);
}

static void end_dispatch(session_t *s) {
  s->dispatching = false;
  while (s->zombies != NULL) {
    probe_t *z = s->zombies;
    s->zombies = z->next;
    free(z);
  }
}

static void process_events(session_t *s) {
  struct epoll_event ev[EVENTS_PER_WAIT];
  s->dispatching = true;
  for (;;) {
    int n = epoll_wait(s->epfd, ev, EVENTS_PER_WAIT, 0);
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < n; i++) on_socket(s, ev[i].data.ptr, ev[i].events);
    if (n < EVENTS_PER_WAIT) break;
  }
  end_dispatch(s);
}

static uint8_t timeout_detail(const probe_t *p, uint8_t *code) {
  if (p->phase == PHASE_CONNECT) {
    *code = C_L4TOUT;
    return D_TIMEOUT_CONNECT;
  }
  *code = C_L7TOUT;
  return p->phase == PHASE_BODY ? D_TIMEOUT_BODY : D_TIMEOUT_HEADERS;
}

static void on_poll(uv_poll_t *h, int status, int events) {
  session_t *s = h->data;
  if (s->state->tearing_down) return;
  process_events(s);
  notify(s, false);
}

static void on_timer(uv_timer_t *h) {
  session_t *s = h->data;
  if (s->state->tearing_down) return;
  s->armed_ns = 0;
  // Whatever answered while this thread was busy is read before any deadline is judged, so a
  // stall of this thread never turns an answer into a timeout.
  process_events(s);
  uint64_t now = uv_hrtime();
  s->dispatching = true;
  while (s->heap_len > 0 && s->heap[0]->deadline_ns <= now) {
    probe_t *p = s->heap[0];
    uint8_t code;
    uint8_t detail = timeout_detail(p, &code);
    finish(s, p, code, detail, (int32_t)p->t->timeout_ms);
  }
  end_dispatch(s);
  arm(s, now);
  notify(s, false);
}

// ---- starting a probe ---------------------------------------------------------------------

static void start_probe(session_t *s, target_t *t, uint32_t probe_id, double at, uint64_t now_ns) {
  probe_t *p = calloc(1, sizeof *p);
  if (p == NULL) {
    record_t r = {.probe_id = probe_id, .target_id = t->id, .at = at, .code = C_SOCKERR, .detail = D_CONNECT_ERRNO, .arg = ENOMEM, .flags = FLAG_DISCARDED, .reason = R_ENOMEM, .lag_ms = NAN};
    push_record(s, &r);
    return;
  }
  p->t = t;
  t->refs++;
  p->id = probe_id;
  p->fd = -1;
  p->heap_index = -1;
  p->at = at;
  p->t0_ns = now_ns;
  p->deadline_ns = now_ns + (uint64_t)t->timeout_ms * 1000000u;
  hr_init(&p->reader, t->want_body);
  p->next = t->inflight;
  if (t->inflight != NULL) t->inflight->prev = p;
  t->inflight = p;
  if (s->inflight++ == 0) set_ref(s);
  s->started++;

  p->fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (p->fd < 0) {
    local_failure(s, p, D_CONNECT_ERRNO, errno);
    return;
  }
  if (t->src_len > 0) {
    // The kernel picks the port at connect time, per destination: binding a source address
    // does not use up the ephemeral ports.
    int one = 1;
    setsockopt(p->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(p->fd, (struct sockaddr *)&t->src, t->src_len) < 0) {
      local_failure(s, p, D_BIND_ERRNO, errno);
      return;
    }
  }
  if (t->kind == KIND_TCP) {
    // Half-open, as HAProxy's plain tcp check: with quick ACKs off the kernel holds back the
    // handshake's final ACK, and the RST close goes first, so the backend never accept()s the
    // probe (no accept, no request to serve, no log line). http needs no such thing: its
    // request carries that ACK anyway. A refusal here only costs the saving.
    int zero = 0;
    setsockopt(p->fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero);
  }
  if (connect(p->fd, (struct sockaddr *)&t->dst, t->dst_len) < 0 && errno != EINPROGRESS) {
    connect_failed(s, p, errno);
    return;
  }
  // Both directions, edge-triggered: the connect completes with EPOLLOUT (at once if it
  // already has), the answer arrives with EPOLLIN; no epoll_ctl between the two.
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = p};
  if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, p->fd, &ev) < 0 || !heap_push(s, p)) {
    local_failure(s, p, D_CONNECT_ERRNO, errno != 0 ? errno : ENOMEM);
    return;
  }
  arm(s, now_ns);
}

// ---- sessions -----------------------------------------------------------------------------

static void finish_teardown_if_done(probe_state *st) {
  if (!st->tearing_down || st->closing > 0) return;
  napi_remove_async_cleanup_hook(st->hook);
  free(st);
}

static void on_handle_closed(uv_handle_t *h) {
  session_t *s = h->data;
  if (--s->handles_open > 0) return;
  probe_state *st = s->state;
  close(s->epfd);
  free(s);
  st->closing--;
  finish_teardown_if_done(st);
}

// Aborts every probe (no records; each one in flight sits in the deadline heap), frees the
// targets and closes the handles.
static void session_close(session_t *s) {
  s->dispatching = true;
  while (s->heap_len > 0) release(s, s->heap[0]);
  end_dispatch(s);
  for (uint32_t i = 0; i < s->targets_len; i++) target_drop(s, i);
  free(s->targets);
  free(s->heap);
  free(s->records);
  free(s->rbuf);
  s->targets = NULL;
  s->heap = NULL;
  s->records = NULL;
  s->rbuf = NULL;
  napi_delete_reference(s->env, s->on_ready);
  napi_delete_reference(s->env, s->on_body);
  napi_delete_reference(s->env, s->ring_ref);
  napi_async_destroy(s->env, s->ctx);
  if (s->state->cur == s) s->state->cur = NULL;
  uv_poll_stop(&s->poll);
  uv_timer_stop(&s->timer);
  s->handles_open = 2;
  s->state->closing++;
  uv_close((uv_handle_t *)&s->poll, on_handle_closed);
  uv_close((uv_handle_t *)&s->timer, on_handle_closed);
}

static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  probe_state *st = arg;
  st->tearing_down = true;
  if (st->cur != NULL) session_close(st->cur);
  finish_teardown_if_done(st);
}

probe_state *probe_state_new(napi_env env) {
  probe_state *st = calloc(1, sizeof *st);
  if (st == NULL) return NULL;
  if (napi_add_async_cleanup_hook(env, on_teardown, st, &st->hook) != napi_ok) {
    free(st);
    return NULL;
  }
  return st;
}

static session_t *open_session(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  probe_state *st;
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&st) != napi_ok) return NULL;
  if (argc < want) {
    throw_type(env, "missing argument");
    return NULL;
  }
  if (st->cur == NULL) throw_coded(env, "ERR_INVALID_STATE", "the native prober is not open on this thread", NULL);
  return st->cur;
}

// probeOpen(onReady, onBody, ring: Uint8Array over the result ring): opens this thread's
// native prober.
napi_value ProbeOpen(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  probe_state *st;
  size_t argc = 3;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&st) != napi_ok) return NULL;
  if (argc < 3) return throw_type(env, "missing argument");
  for (int i = 0; i < 2; i++) {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t != napi_function) return throw_type(env, "callbacks must be functions");
  }
  void *ring;
  size_t ring_len;
  if (!get_bytes(env, argv[2], &ring, &ring_len)) return NULL;
  size_t slots = ring_len < RING_HEADER_BYTES ? 0 : (ring_len - RING_HEADER_BYTES) / sizeof(record_t);
  if (slots == 0 || (slots & (slots - 1)) != 0 || slots > UINT32_MAX / 2 || ((uintptr_t)ring & 7) != 0 ||
      RING_HEADER_BYTES + slots * sizeof(record_t) != ring_len) {
    return throw_type(env, "ring: 64 header bytes and a power of two of 32-byte records, 8-byte aligned");
  }
  if (st->cur != NULL) return throw_coded(env, "ERR_INVALID_STATE", "the native prober is already open on this thread", NULL);
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_coded(env, "ENOSYS", "no event loop", NULL);
  session_t *s = calloc(1, sizeof *s);
  uint8_t *rbuf = malloc(READ_BUFFER_BYTES);
  if (s == NULL || rbuf == NULL) {
    free(s);
    free(rbuf);
    return throw_errno(env, ENOMEM, NULL);
  }
  s->rbuf = rbuf;
  s->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (s->epfd < 0) {
    int err = errno;
    free(rbuf);
    free(s);
    return throw_errno(env, err, "epoll_create1");
  }
  int rc = uv_poll_init(loop, &s->poll, s->epfd);
  if (rc < 0) {
    close(s->epfd);
    free(rbuf);
    free(s);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  uv_timer_init(loop, &s->timer);
  s->poll.data = s;
  s->timer.data = s;
  s->state = st;
  s->env = env;
  s->ring_header = ring;
  s->ring_slots = (record_t *)((uint8_t *)ring + RING_HEADER_BYTES);
  s->ring_slots_len = (uint32_t)slots;
  st->cur = s;
  napi_value name;
  napi_create_string_utf8(env, "maglev:native-prober", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->ctx);
  napi_create_reference(env, argv[0], 1, &s->on_ready);
  napi_create_reference(env, argv[1], 1, &s->on_body);
  napi_create_reference(env, argv[2], 1, &s->ring_ref); // keeps the ring's memory alive
  uv_poll_start(&s->poll, UV_READABLE, on_poll);
  set_ref(s);
  return make_undefined(env);
}

// probeClose(): aborts every probe in flight (no results) and closes the prober.
napi_value ProbeClose(napi_env env, napi_callback_info info) {
  probe_state *st;
  size_t argc = 0;
  if (napi_get_cb_info(env, info, &argc, NULL, NULL, (void **)&st) != napi_ok) return NULL;
  session_t *s = st->cur;
  if (s == NULL) return make_undefined(env);
  if (s->dispatching) return throw_coded(env, "ERR_INVALID_STATE", "cannot close the native prober from its own callback", NULL);
  session_close(s);
  return make_undefined(env);
}

static bool parse_address(napi_env env, napi_value v, int family, uint16_t port, struct sockaddr_storage *out, socklen_t *len) {
  char text[INET6_ADDRSTRLEN + 1];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, text, sizeof text, &n) != napi_ok || n + 1 >= sizeof text) return false;
  memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)out;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    *len = sizeof *a;
    return inet_pton(AF_INET, text, &a->sin_addr) == 1;
  }
  struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  *len = sizeof *a;
  return inet_pton(AF_INET6, text, &a->sin6_addr) == 1;
}

// probeRegister(targetId, kind, family, address, port, source, timeoutMs, request, codeMin,
// codeMax, wantBody) -> whether the native prober took the target (false: an address it cannot
// parse, or an id out of range; the JS probers take it then). Replaces a target of the same id.
napi_value ProbeRegister(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  session_t *s = open_session(env, info, 11, argv);
  if (s == NULL) return NULL;
  uint32_t id, kind, family, port, timeout_ms, code_min, code_max;
  bool want_body = false;
  napi_valuetype source_type;
  if (napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_value_uint32(env, argv[1], &kind) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &family) != napi_ok || napi_get_value_uint32(env, argv[4], &port) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &timeout_ms) != napi_ok || napi_get_value_uint32(env, argv[8], &code_min) != napi_ok ||
      napi_get_value_uint32(env, argv[9], &code_max) != napi_ok || napi_get_value_bool(env, argv[10], &want_body) != napi_ok) {
    return throw_type(env, "probeRegister: bad argument");
  }
  napi_typeof(env, argv[5], &source_type);
  napi_value no;
  napi_get_boolean(env, false, &no);
  if (id >= MAX_TARGET_ID || port > 65535 || (family != 4 && family != 6) || kind > KIND_HTTP) return no;
  target_t *t = calloc(1, sizeof *t);
  if (t == NULL) return throw_errno(env, ENOMEM, NULL);
  t->id = id;
  t->refs = 1;
  t->kind = (uint8_t)kind;
  t->want_body = want_body;
  t->code_min = (uint16_t)(code_min > 65535 ? 65535 : code_min);
  t->code_max = (uint16_t)(code_max > 65535 ? 65535 : code_max);
  t->timeout_ms = timeout_ms;
  t->family = family == 4 ? AF_INET : AF_INET6;
  bool ok = parse_address(env, argv[3], t->family, (uint16_t)port, &t->dst, &t->dst_len);
  if (ok && source_type == napi_string) ok = parse_address(env, argv[5], t->family, 0, &t->src, &t->src_len);
  if (ok && kind == KIND_HTTP) {
    void *data;
    size_t len;
    if (!get_bytes(env, argv[7], &data, &len)) {
      free(t);
      return NULL;
    }
    t->request = malloc(len > 0 ? len : 1);
    ok = t->request != NULL;
    if (ok) {
      memcpy(t->request, data, len);
      t->request_len = (uint32_t)len;
    }
  }
  if (!ok) {
    free(t->request);
    free(t);
    return no;
  }
  if (id >= s->targets_len) {
    uint32_t len = s->targets_len == 0 ? 64 : s->targets_len;
    while (len <= id) len *= 2;
    target_t **n = realloc(s->targets, len * sizeof *n);
    if (n == NULL) {
      free(t->request);
      free(t);
      return throw_errno(env, ENOMEM, NULL);
    }
    memset(n + s->targets_len, 0, (len - s->targets_len) * sizeof *n);
    s->targets = n;
    s->targets_len = len;
  }
  target_drop(s, id);
  s->targets[id] = t;
  napi_value yes;
  napi_get_boolean(env, true, &yes);
  return yes;
}

// probeUnregister(targetId): forgets a target; its probes in flight still finish.
napi_value ProbeUnregister(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  session_t *s = open_session(env, info, 1, argv);
  if (s == NULL) return NULL;
  uint32_t id;
  if (napi_get_value_uint32(env, argv[0], &id) != napi_ok) return throw_type(env, "targetId must be a number");
  target_drop(s, id);
  return make_undefined(env);
}

// probeStart(pairs: Uint32Array, count) -> remaining: starts the probes (probeId, targetId) of
// native targets; pairs of other targets are moved to the front, in order, for JS to run.
napi_value ProbeStart(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  session_t *s = open_session(env, info, 2, argv);
  if (s == NULL) return NULL;
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t offset;
  uint32_t count;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, &ab, &offset) != napi_ok || type != napi_uint32_array ||
      napi_get_value_uint32(env, argv[1], &count) != napi_ok) {
    return throw_type(env, "probeStart(pairs: Uint32Array, count)");
  }
  uint32_t *pairs = data;
  if ((size_t)count * 2 > length) count = (uint32_t)(length / 2);
  double at = unix_ms();
  uint64_t now = uv_hrtime();
  uint32_t left = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t probe_id = pairs[2 * i], target_id = pairs[2 * i + 1];
    target_t *t = target_of(s, target_id);
    if (t == NULL) {
      pairs[2 * left] = probe_id;
      pairs[2 * left + 1] = target_id;
      left++;
      continue;
    }
    start_probe(s, t, probe_id, at, now);
  }
  notify(s, true);
  return make_int(env, left);
}

// probeCancel(probeId, targetId) -> whether a probe was in flight. Its result never comes.
napi_value ProbeCancel(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  session_t *s = open_session(env, info, 2, argv);
  if (s == NULL) return NULL;
  uint32_t probe_id, target_id;
  if (napi_get_value_uint32(env, argv[0], &probe_id) != napi_ok || napi_get_value_uint32(env, argv[1], &target_id) != napi_ok) {
    return throw_type(env, "probeCancel(probeId, targetId)");
  }
  target_t *t = target_of(s, target_id);
  bool found = false;
  for (probe_t *p = t == NULL ? NULL : t->inflight; p != NULL; p = p->next) {
    if (p->id != probe_id) continue;
    release(s, p);
    found = true;
    break;
  }
  napi_value v;
  napi_get_boolean(env, found, &v);
  return v;
}

// probeFlush() -> records still waiting: moves queued records into the ring (after onReady).
napi_value ProbeFlush(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  session_t *s = open_session(env, info, 0, argv);
  if (s == NULL) return NULL;
  s->notified = false;
  flush_to_ring(s);
  if (s->records_len > 0) s->notified = true;
  return make_int(env, s->records_len);
}

// probeStats() -> [in flight, started since open, records waiting].
napi_value ProbeStats(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  session_t *s = open_session(env, info, 0, argv);
  if (s == NULL) return NULL;
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  napi_value v;
  napi_create_uint32(env, s->inflight, &v);
  napi_set_element(env, arr, 0, v);
  napi_create_double(env, s->started, &v);
  napi_set_element(env, arr, 1, v);
  napi_create_uint32(env, s->records_len, &v);
  napi_set_element(env, arr, 2, v);
  return arr;
}
