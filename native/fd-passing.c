// AF_UNIX SOCK_SEQPACKET fd passing with SCM_RIGHTS, both sides: the client of VPP's stats.sock
// (blocking recvFd, or a non-blocking connect + tryRecvFd pair) and the simulator's server.

#include "maglev_native.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static bool fill_unix_addr(napi_env env, const char *path, struct sockaddr_un *addr) {
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr->sun_path) {
    throw_errno(env, ENAMETOOLONG, NULL);
    return false;
  }
  strcpy(addr->sun_path, path);
  return true;
}

// ---- SEQPACKET fd passing: client side ------------------------------------------------------

// One recvmsg for a message carrying an SCM_RIGHTS fd. Returns the fd, or -errno.
static int recv_one_fd(int sock, int flags) {
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return -EBADMSG;
}

static napi_value throw_recv(napi_env env, int negerr) {
  if (negerr == -EBADMSG) return throw_coded(env, "EBADMSG", "no file descriptor received", "recvmsg");
  return throw_errno(env, -negerr, "recvmsg");
}

static int connect_seqpacket(napi_env env, const char *path, int extra_flags) {
  struct sockaddr_un addr;
  if (!fill_unix_addr(env, path, &addr)) return -1;
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | extra_flags, 0);
  if (s < 0) {
    throw_errno(env, errno, "socket");
    return -1;
  }
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) {
    int err = errno;
    close(s);
    throw_errno(env, err, "connect");
    return -1;
  }
  return s;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// recvFd(socketPath, timeoutMs) -> fd: connect, wait for one SCM_RIGHTS message, close.
// Blocks the calling thread; the peer must live in another thread or process.
napi_value RecvFd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  char path[MAX_PATH_ARG];
  int32_t timeout;
  if (!get_args(env, info, 2, argv) || !get_string(env, argv[0], path, sizeof path, "socketPath must be a string") ||
      !get_int(env, argv[1], &timeout, "timeoutMs must be an integer"))
    return NULL;
  int s = connect_seqpacket(env, path, 0);
  if (s < 0) return NULL;
  int64_t deadline = now_ms() + (timeout < 0 ? 0 : timeout);
  for (;;) {
    struct pollfd p = {.fd = s, .events = POLLIN};
    int64_t left = deadline - now_ms();
    int rc = poll(&p, 1, left < 0 ? 0 : (int)left);
    if (rc > 0) break;
    if (rc == 0) {
      close(s);
      return throw_errno(env, ETIMEDOUT, "poll");
    }
    if (errno != EINTR) {
      int err = errno;
      close(s);
      return throw_errno(env, err, "poll");
    }
  }
  int fd = recv_one_fd(s, 0);
  close(s);
  if (fd < 0) return throw_recv(env, fd);
  return make_int(env, fd);
}

// connectSeqpacket(socketPath) -> socket fd (non-blocking); pair with tryRecvFd.
napi_value ConnectSeqpacket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[MAX_PATH_ARG];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "socketPath must be a string")) return NULL;
  int s = connect_seqpacket(env, path, SOCK_NONBLOCK);
  if (s < 0) return NULL;
  return make_int(env, s);
}

// tryRecvFd(sockFd) -> received fd, or -1 when nothing has arrived yet.
napi_value TryRecvFd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t s;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &s, "fd must be an integer")) return NULL;
  int fd = recv_one_fd(s, MSG_DONTWAIT);
  if (fd == -EAGAIN || fd == -EWOULDBLOCK) return make_int(env, -1);
  if (fd < 0) return throw_recv(env, fd);
  return make_int(env, fd);
}

// ---- SEQPACKET fd passing: server side (simulator) ------------------------------------------

// listenSeqpacket(path) -> non-blocking listening fd; a stale socket file at path is removed.
napi_value ListenSeqpacket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[MAX_PATH_ARG];
  struct sockaddr_un addr;
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path must be a string") ||
      !fill_unix_addr(env, path, &addr))
    return NULL;
  if (unlink(path) < 0 && errno != ENOENT) return throw_errno(env, errno, "unlink");
  int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) return throw_errno(env, errno, "socket");
  if (bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 64) < 0) {
    int err = errno;
    close(s);
    return throw_errno(env, err, "bind");
  }
  return make_int(env, s);
}

// acceptSendFd(listenFd, fdToSend) -> 1 if a pending client got the fd (then closed), 0 if none.
// Like VPP: a zero-length message with one SCM_RIGHTS fd, then close.
napi_value AcceptSendFd(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t lfd, send_fd;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &lfd, "listenFd must be an integer") ||
      !get_int(env, argv[1], &send_fd, "fdToSend must be an integer"))
    return NULL;
  int c;
  do {
    c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
  } while (c < 0 && errno == EINTR);
  if (c < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED) return make_int(env, 0);
    return throw_errno(env, errno, "accept4");
  }
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &send_fd, sizeof send_fd);
  ssize_t n;
  do {
    n = sendmsg(c, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  int err = errno;
  close(c);
  // A client that already went away is its own problem, not the server's.
  if (n < 0 && err != EPIPE && err != ECONNRESET && err != EAGAIN) return throw_errno(env, err, "sendmsg");
  return make_int(env, 1);
}
