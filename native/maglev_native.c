// maglev_native: the few syscalls Node cannot make, as synchronous N-API functions.
//   - setns(CLONE_NEWNET) on the calling thread (per-worker health-check namespace);
//   - ICMP echo sockets (unprivileged ping socket, else raw): bind, sendto, recvfrom and a
//     readable watcher on the thread's libuv loop (Node's dgram refuses SOCK_RAW fds);
//   - AF_UNIX SOCK_SEQPACKET + SCM_RIGHTS fd passing, both sides (VPP stats.sock and its simulator);
//   - memfd_create/ftruncate/fstat for the simulated stats segment;
//   - getrlimit/setrlimit(RLIMIT_NOFILE) for the descriptor budget.
// Plain C over N-API (no node-addon-api), so one binary loads under every Node with N-API 8.
// Failures throw an Error whose .code is the errno name ("EPERM") and whose message is the
// strerror text with a lowercase first letter ("operation not permitted"), like libuv's.
//
// One file per concern: napi-util.c, netns.c, icmp.c, fd-watch.c, fd-passing.c, files.c, rlimit.c.

#include "maglev_native.h"

NAPI_MODULE_INIT() {
  fd_watch_state *inst = fd_watch_state_new(env);
  if (inst == NULL) {
    napi_throw_error(env, "ENOMEM", "maglev_native: cannot initialise");
    return NULL;
  }
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {
      {"setnsNet", SetnsNet},
      {"openIcmpSocket", OpenIcmpSocket},
      {"bindAddress", BindAddress},
      {"sendTo", SendTo},
      {"recvFrom", RecvFrom},
      {"watchReadable", WatchReadable},
      {"unwatch", Unwatch},
      {"recvFd", RecvFd},
      {"connectSeqpacket", ConnectSeqpacket},
      {"tryRecvFd", TryRecvFd},
      {"listenSeqpacket", ListenSeqpacket},
      {"acceptSendFd", AcceptSendFd},
      {"memfdCreate", MemfdCreate},
      {"ftruncate", Ftruncate},
      {"fstatSize", FstatSize},
      {"closeFd", CloseFd},
      {"getNofileLimit", GetNofileLimit},
      {"setNofileLimit", SetNofileLimit},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, inst, &f);
    napi_set_named_property(env, exports, fns[i].name, f);
  }
  return exports;
}
