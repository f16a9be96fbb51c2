// Errors and argument helpers shared by every native function: errno → Error with .code
// (errno name) and a lowercase strerror message, like libuv's; typed argument readers.

#include "maglev_native.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

// ---- errors ---------------------------------------------------------------------------------

static const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOSPC: return "ENOSPC";
    case EPIPE: return "EPIPE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case EBADMSG: return "EBADMSG";
    case ENOTSOCK: return "ENOTSOCK";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNRESET: return "ECONNRESET";
    case ENOTCONN: return "ENOTCONN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    default: break;
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  return "EUNKNOWN";
}

// Throws Error(message) with .code and .syscall; returns NULL for the caller to return.
napi_value throw_coded(napi_env env, const char *code, const char *message, const char *syscall) {
  napi_value msg, code_v, err;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_v);
  napi_create_error(env, code_v, msg, &err);
  if (syscall != NULL) {
    napi_value sc;
    napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc);
    napi_set_named_property(env, err, "syscall", sc);
  }
  napi_throw(env, err);
  return NULL;
}

napi_value throw_errno(napi_env env, int err, const char *syscall) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  const char *text = strerror_r(err, buf, sizeof buf);
  char lower[256];
  snprintf(lower, sizeof lower, "%s", text);
  lower[0] = (char)tolower((unsigned char)lower[0]);
  return throw_coded(env, errno_name(err), lower, syscall);
}

napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

// ---- arguments ------------------------------------------------------------------------------

bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < want) {
    throw_type(env, "missing argument");
    return false;
  }
  return true;
}

bool get_string(napi_env env, napi_value v, char *buf, size_t size, const char *what) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) {
    throw_type(env, what);
    return false;
  }
  if (len + 1 >= size) {
    throw_errno(env, ENAMETOOLONG, NULL);
    return false;
  }
  return true;
}

bool get_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    throw_type(env, what);
    return false;
  }
  return true;
}

napi_value make_int(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

napi_value make_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

bool get_bytes(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_typed = false;
  napi_is_typedarray(env, v, &is_typed);
  if (!is_typed) {
    throw_type(env, "buffer must be a Buffer or Uint8Array");
    return false;
  }
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    throw_type(env, "buffer must be a Buffer or Uint8Array");
    return false;
  }
  return true;
}

// sendTo(fd, buffer, address) -> bytes sent. Port 0 (ICMP has none; raw IPv6 rejects others).
