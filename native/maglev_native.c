// maglev_native: the few syscalls Node cannot make, as synchronous N-API functions.
//   - setns(CLONE_NEWNET) on the calling thread (per-worker health-check namespace);
//   - ICMP echo sockets (unprivileged ping socket, else raw): bind, sendto, recvfrom and a
//     readable watcher on the thread's libuv loop (Node's dgram refuses SOCK_RAW fds);
//   - AF_UNIX SOCK_SEQPACKET + SCM_RIGHTS fd passing, both sides (VPP stats.sock and its simulator);
//   - memfd_create/ftruncate/fstat for the simulated stats segment;
//   - the native prober: plain tcp and http probes on the thread's own loop (probe-engine.c,
//     reading responses with http-reader.c);
//   - getrlimit/setrlimit(RLIMIT_NOFILE) for the descriptor budget.
// Plain C over N-API (no node-addon-api), so one binary loads under every Node with N-API 8.
// Failures throw an Error whose .code is the errno name ("EPERM") and whose message is the
// strerror text with a lowercase first letter ("operation not permitted"), like libuv's.
//
// One file per concern: napi-util.c, netns.c, icmp.c, fd-watch.c, fd-passing.c, files.c, rlimit.c,
// probe-engine.c, http-reader.c (+ http-reader-api.c, its face for tests).

#include "maglev_native.h"

NAPI_MODULE_INIT() {
  fd_watch_state *watch = fd_watch_state_new(env);
  probe_state *probes = watch == NULL ? NULL : probe_state_new(env);
  if (probes == NULL) {
    napi_throw_error(env, "ENOMEM", "maglev_native: cannot initialise");
    return NULL;
  }
  const struct {
    const char *name;
    napi_callback fn;
    void *data;
  } fns[] = {
      {"setnsNet", SetnsNet, NULL},
      {"openIcmpSocket", OpenIcmpSocket, NULL},
      {"bindAddress", BindAddress, NULL},
      {"sendTo", SendTo, NULL},
      {"recvFrom", RecvFrom, NULL},
      {"watchReadable", WatchReadable, watch},
      {"unwatch", Unwatch, watch},
      {"probeOpen", ProbeOpen, probes},
      {"probeClose", ProbeClose, probes},
      {"probeRegister", ProbeRegister, probes},
      {"probeUnregister", ProbeUnregister, probes},
      {"probeStart", ProbeStart, probes},
      {"probeCancel", ProbeCancel, probes},
      {"probeFlush", ProbeFlush, probes},
      {"probeStats", ProbeStats, probes},
      {"readHttpResponse", ReadHttpResponse, NULL},
      {"recvFd", RecvFd, NULL},
      {"connectSeqpacket", ConnectSeqpacket, NULL},
      {"tryRecvFd", TryRecvFd, NULL},
      {"listenSeqpacket", ListenSeqpacket, NULL},
      {"acceptSendFd", AcceptSendFd, NULL},
      {"memfdCreate", MemfdCreate, NULL},
      {"ftruncate", Ftruncate, NULL},
      {"fstatSize", FstatSize, NULL},
      {"closeFd", CloseFd, NULL},
      {"getNofileLimit", GetNofileLimit, NULL},
      {"setNofileLimit", SetNofileLimit, NULL},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, fns[i].data, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
