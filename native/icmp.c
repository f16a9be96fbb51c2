// ICMP echo sockets: an unprivileged ping socket when ping_group_range allows it, else a raw
// socket filtered to echo replies and unreachables; bind, sendto and recvfrom, all non-blocking.

#include "maglev_native.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

// ---- ICMP -----------------------------------------------------------------------------------

// Raw ICMP sockets see every ICMP packet of the namespace: keep only echo replies and
// destination-unreachable messages (the two things an echo probe acts on).
static int filter_raw(int fd, int family) {
  if (family == 6) {
    struct icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
    return setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
  }
  struct icmp_filter f;
  f.data = ~((1U << ICMP_ECHOREPLY) | (1U << ICMP_DEST_UNREACH));
  return setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f);
}

// openIcmpSocket(family 4|6) -> { fd, raw }: ping socket if allowed, else raw; non-blocking.
napi_value OpenIcmpSocket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t family;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &family, "family must be 4 or 6")) return NULL;
  if (family != 4 && family != 6) return throw_type(env, "family must be 4 or 6");
  int domain = family == 6 ? AF_INET6 : AF_INET;
  int proto = family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
  bool raw = false;
  int fd = socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    raw = true;
    fd = socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  }
  if (fd < 0) return throw_errno(env, errno, "socket");
  if (raw && filter_raw(fd, family) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "setsockopt");
  }
  napi_value obj, raw_v;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "fd", make_int(env, fd));
  napi_get_boolean(env, raw, &raw_v);
  napi_set_named_property(env, obj, "raw", raw_v);
  return obj;
}

// bindAddress(fd, family, address): bind() to a literal source address, port 0.
napi_value BindAddress(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd, family;
  char addr[INET6_ADDRSTRLEN + 1];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd, "fd must be an integer") ||
      !get_int(env, argv[1], &family, "family must be 4 or 6") ||
      !get_string(env, argv[2], addr, sizeof addr, "address must be a string"))
    return NULL;
  int rc;
  if (family == 4) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) return throw_errno(env, EINVAL, "inet_pton");
    rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  } else if (family == 6) {
    struct sockaddr_in6 sa;
    memset(&sa, 0, sizeof sa);
    sa.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1) return throw_errno(env, EINVAL, "inet_pton");
    rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
  } else {
    return throw_type(env, "family must be 4 or 6");
  }
  if (rc < 0) return throw_errno(env, errno, "bind");
  return make_undefined(env);
}

static bool parse_ip(const char *text, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    *len = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    *len = sizeof *v6;
    return true;
  }
  return false;
}

napi_value SendTo(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd;
  void *data;
  size_t len;
  char addr[INET6_ADDRSTRLEN + 1];
  if (!get_args(env, info, 3, argv) || !get_int(env, argv[0], &fd, "fd must be an integer") ||
      !get_bytes(env, argv[1], &data, &len) || !get_string(env, argv[2], addr, sizeof addr, "address must be a string"))
    return NULL;
  struct sockaddr_storage ss;
  socklen_t sl;
  if (!parse_ip(addr, &ss, &sl)) return throw_errno(env, EINVAL, "inet_pton");
  ssize_t n;
  do {
    n = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return throw_errno(env, errno, "sendto");
  return make_int(env, n);
}

// recvFrom(fd, buffer) -> { bytes, address } for one datagram, or null when none is queued.
napi_value RecvFrom(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd, "fd must be an integer") ||
      !get_bytes(env, argv[1], &data, &len))
    return NULL;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  ssize_t n;
  do {
    n = recvfrom(fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      napi_value nul;
      napi_get_null(env, &nul);
      return nul;
    }
    return throw_errno(env, errno, "recvfrom");
  }
  char text[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof text);
  if (ss.ss_family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, text, sizeof text);
  napi_value obj, addr_v;
  napi_create_object(env, &obj);
  napi_set_named_property(env, obj, "bytes", make_int(env, n));
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &addr_v);
  napi_set_named_property(env, obj, "address", addr_v);
  return obj;
}
