// Readable watchers on the calling thread's libuv loop (uv_poll), because Node's dgram refuses
// SOCK_RAW fds. Each env (thread) keeps its own list, closed by an env cleanup hook so a
// terminated worker leaves no open handle behind.

#include "maglev_native.h"

#include <errno.h>
#include <stdlib.h>
#include <uv.h>

// ---- readable watchers on the calling thread's libuv loop -----------------------------------

typedef struct watcher {
  uv_poll_t poll; // first member: the uv handle pointer is the watcher pointer
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
  int32_t id;
  struct watcher *next;
} watcher_t;

// Per-env (per-thread) state: live watchers, closed by an env cleanup hook so a terminated
// worker leaves no open handle on its loop.
struct fd_watch_state {
  watcher_t *head;
  int32_t next_id;
};
typedef struct fd_watch_state instance_t;

static void free_watcher(uv_handle_t *h) { free(h); }

static void close_watcher(watcher_t *w) {
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, free_watcher);
}

static void cleanup_instance(void *arg) {
  instance_t *inst = arg;
  for (watcher_t *w = inst->head, *next; w != NULL; w = next) {
    next = w->next;
    close_watcher(w);
  }
  free(inst);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  watcher_t *w = (watcher_t *)h;
  napi_env env = w->env;
  if (status < 0) uv_poll_stop(h); // the callback's recvFrom reports the error
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, result;
  napi_get_reference_value(env, w->cb, &cb);
  napi_get_global(env, &recv); // MakeCallback needs an object receiver
  if (napi_make_callback(env, w->ctx, recv, cb, 0, NULL, &result) == napi_pending_exception) {
    napi_value e;
    napi_get_and_clear_last_exception(env, &e);
    napi_fatal_exception(env, e);
  }
  napi_close_handle_scope(env, scope);
}

// watchReadable(fd, onReadable) -> id: calls onReadable() whenever fd is readable, on this
// thread's event loop, until unwatch(id). Keeps the loop alive like a socket does.
napi_value WatchReadable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  instance_t *inst;
  size_t argc = 2;
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&inst) != napi_ok) return NULL;
  if (argc < 2) return throw_type(env, "missing argument");
  if (!get_int(env, argv[0], &fd, "fd must be an integer")) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) return throw_type(env, "onReadable must be a function");
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return throw_coded(env, "ENOSYS", "no event loop", NULL);
  watcher_t *w = calloc(1, sizeof *w);
  if (w == NULL) return throw_errno(env, ENOMEM, NULL);
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc < 0) {
    free(w);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc < 0) {
    uv_close((uv_handle_t *)&w->poll, free_watcher);
    return throw_errno(env, -rc, "uv_poll_start");
  }
  napi_value name;
  napi_create_string_utf8(env, "maglev:fd-watch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  napi_create_reference(env, argv[1], 1, &w->cb);
  w->env = env;
  w->id = ++inst->next_id;
  w->next = inst->head;
  inst->head = w;
  return make_int(env, w->id);
}

// unwatch(id): stops a watcher; unknown ids are ignored. Call it before closing the fd.
napi_value Unwatch(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  instance_t *inst;
  size_t argc = 1;
  int32_t id;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, (void **)&inst) != napi_ok) return NULL;
  if (argc < 1) return throw_type(env, "missing argument");
  if (!get_int(env, argv[0], &id, "id must be an integer")) return NULL;
  for (watcher_t **p = &inst->head; *p != NULL; p = &(*p)->next) {
    watcher_t *w = *p;
    if (w->id != id) continue;
    *p = w->next;
    napi_delete_reference(env, w->cb);
    napi_async_destroy(env, w->ctx);
    close_watcher(w);
    break;
  }
  return make_undefined(env);
}

fd_watch_state *fd_watch_state_new(napi_env env) {
  instance_t *inst = calloc(1, sizeof *inst);
  if (inst == NULL) return NULL;
  if (napi_add_env_cleanup_hook(env, cleanup_instance, inst) != napi_ok) {
    free(inst);
    return NULL;
  }
  return inst;
}
