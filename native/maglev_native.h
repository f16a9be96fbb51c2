// Shared declarations of the maglev_native addon: N-API helpers (napi-util.c) and the exported
// functions, one group per source file. Every exported function is an N-API callback.
#ifndef MAGLEV_NATIVE_H
#define MAGLEV_NATIVE_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_PATH_ARG 4096

// napi-util.c: errors are thrown and NULL is returned for the caller to return.
napi_value throw_coded(napi_env env, const char *code, const char *message, const char *syscall);
napi_value throw_errno(napi_env env, int err, const char *syscall);
napi_value throw_type(napi_env env, const char *message);
bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
bool get_string(napi_env env, napi_value v, char *buf, size_t size, const char *what);
bool get_int(napi_env env, napi_value v, int32_t *out, const char *what);
bool get_bytes(napi_env env, napi_value v, void **data, size_t *len);
napi_value make_int(napi_env env, int64_t n);
napi_value make_undefined(napi_env env);

// netns.c
napi_value SetnsNet(napi_env env, napi_callback_info info);

// icmp.c
napi_value OpenIcmpSocket(napi_env env, napi_callback_info info);
napi_value BindAddress(napi_env env, napi_callback_info info);
napi_value SendTo(napi_env env, napi_callback_info info);
napi_value RecvFrom(napi_env env, napi_callback_info info);

// fd-watch.c: per-env state, passed as the callback data of every function.
typedef struct fd_watch_state fd_watch_state;
fd_watch_state *fd_watch_state_new(napi_env env);
napi_value WatchReadable(napi_env env, napi_callback_info info);
napi_value Unwatch(napi_env env, napi_callback_info info);

// probe-engine.c: per-env state, passed as the callback data of its functions.
typedef struct probe_state probe_state;
probe_state *probe_state_new(napi_env env);
napi_value ProbeOpen(napi_env env, napi_callback_info info);
napi_value ProbeClose(napi_env env, napi_callback_info info);
napi_value ProbeRegister(napi_env env, napi_callback_info info);
napi_value ProbeUnregister(napi_env env, napi_callback_info info);
napi_value ProbeStart(napi_env env, napi_callback_info info);
napi_value ProbeCancel(napi_env env, napi_callback_info info);
napi_value ProbeFlush(napi_env env, napi_callback_info info);
napi_value ProbeStats(napi_env env, napi_callback_info info);

// http-reader-api.c
napi_value ReadHttpResponse(napi_env env, napi_callback_info info);

// fd-passing.c
napi_value RecvFd(napi_env env, napi_callback_info info);
napi_value ConnectSeqpacket(napi_env env, napi_callback_info info);
napi_value TryRecvFd(napi_env env, napi_callback_info info);
napi_value ListenSeqpacket(napi_env env, napi_callback_info info);
napi_value AcceptSendFd(napi_env env, napi_callback_info info);

// files.c
napi_value MemfdCreate(napi_env env, napi_callback_info info);
napi_value Ftruncate(napi_env env, napi_callback_info info);
napi_value FstatSize(napi_env env, napi_callback_info info);
napi_value CloseFd(napi_env env, napi_callback_info info);

// rlimit.c
napi_value GetNofileLimit(napi_env env, napi_callback_info info);
napi_value SetNofileLimit(napi_env env, napi_callback_info info);

#endif
