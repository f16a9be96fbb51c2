// Readable watchers on the calling thread's libuv loop (uv_poll), because Node's dgram refuses
// SOCK_RAW fds. Each env (thread) keeps its own list. Teardown goes through an *async* env
// cleanup hook: uv_close() every handle in the hook and release the hook only from the last
// close callback, so Node keeps spinning the loop until our callbacks ran. (A sync hook let the
// worker free its env and dlclose this addon first; the pending close callback then jumped into
// unmapped code and the whole process died with SIGSEGV.) A fd still watched at teardown is
// closed with its handle: its owner's thread is gone, so nobody else could close it.

#include "maglev_native.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

// ---- readable watchers on the calling thread's libuv loop -----------------------------------

typedef struct watcher watcher_t;

// Per-env (per-thread) state. `closing` counts uv_close() calls whose callback has not run yet
// (from unwatch or from teardown): the hook may only be released once it is zero.
struct fd_watch_state {
  watcher_t *head;
  int32_t next_id;
  int32_t closing;
  bool tearing_down;
  napi_async_cleanup_hook_handle hook;
};
typedef struct fd_watch_state instance_t;

struct watcher {
  uv_poll_t poll; // first member: the uv handle pointer is the watcher pointer
  instance_t *inst;
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
  int32_t id;
  int fd;
  bool close_fd; // set at teardown: close fd once the handle is closed
  watcher_t *next;
};

// Teardown is over when it began and no close callback is outstanding: release the hook (Node
// then goes on freeing the env) and our state. Called from the hook and every close callback.
static void finish_if_done(instance_t *inst) {
  if (!inst->tearing_down || inst->closing > 0) return;
  napi_remove_async_cleanup_hook(inst->hook);
  free(inst);
}

static void on_closed(uv_handle_t *h) {
  watcher_t *w = (watcher_t *)h;
  instance_t *inst = w->inst;
  if (w->close_fd) close(w->fd);
  free(w);
  inst->closing--;
  finish_if_done(inst);
}

static void close_watcher(watcher_t *w) {
  uv_poll_stop(&w->poll);
  w->inst->closing++;
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

// The JS side of a watcher: its callback reference and async context.
static void release_js(watcher_t *w) {
  napi_delete_reference(w->env, w->cb);
  napi_async_destroy(w->env, w->ctx);
}

// Async env cleanup hook: runs while the env is being freed (JS can no longer run) on the
// env's own thread, with its loop still turning.
static void on_teardown(napi_async_cleanup_hook_handle handle, void *arg) {
  instance_t *inst = arg;
  inst->tearing_down = true;
  for (watcher_t *w = inst->head, *next; w != NULL; w = next) {
    next = w->next;
    // The unwatch-before-close contract means a watched fd is still open; watched twice, it is
    // closed once (by its last watcher in the list).
    w->close_fd = true;
    for (watcher_t *o = next; o != NULL; o = o->next) w->close_fd = w->close_fd && o->fd != w->fd;
    release_js(w);
    close_watcher(w);
  }
  inst->head = NULL;
  finish_if_done(inst);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  watcher_t *w = (watcher_t *)h;
  napi_env env = w->env;
  if (w->inst->tearing_down) return;
  if (status < 0) uv_poll_stop(h); // the callback's recvFrom reports the error
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, result;
  napi_get_reference_value(env, w->cb, &cb);
  napi_get_global(env, &recv); // MakeCallback needs an object receiver
  napi_status st = napi_make_callback(env, w->ctx, recv, cb, 0, NULL, &result);
  if (st != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (pending) {
      napi_value e;
      napi_get_and_clear_last_exception(env, &e);
      napi_fatal_exception(env, e);
    } else {
      // The env refuses JS without an exception: it is stopping (worker terminate(), exit)
      // before our hook ran. Go quiet; the hook closes the handle.
      uv_poll_stop(h);
    }
  }
  napi_close_handle_scope(env, scope);
}

// watchReadable(fd, onReadable) -> id: calls onReadable() whenever fd is readable, on this
// thread's event loop, until unwatch(id). Keeps the loop alive like a socket does. A watcher
// still live when the thread's env is torn down closes its fd.
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
  w->inst = inst;
  w->fd = fd;
  int rc = uv_poll_init(loop, &w->poll, fd);
  if (rc < 0) {
    free(w);
    return throw_errno(env, -rc, "uv_poll_init");
  }
  rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc < 0) {
    close_watcher(w);
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
    release_js(w);
    close_watcher(w);
    break;
  }
  return make_undefined(env);
}

fd_watch_state *fd_watch_state_new(napi_env env) {
  instance_t *inst = calloc(1, sizeof *inst);
  if (inst == NULL) return NULL;
  if (napi_add_async_cleanup_hook(env, on_teardown, inst, &inst->hook) != napi_ok) {
    free(inst);
    return NULL;
  }
  return inst;
}
