// memfd_create, ftruncate, fstat and close: the simulator's stats segment and fd housekeeping.

#include "maglev_native.h"

#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

// ---- files ----------------------------------------------------------------------------------

// memfdCreate(name) -> fd (close-on-exec).
napi_value MemfdCreate(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[256];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], name, sizeof name, "name must be a string")) return NULL;
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "memfd_create");
  return make_int(env, fd);
}

// ftruncate(fd, size).
napi_value Ftruncate(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  int64_t size;
  if (!get_args(env, info, 2, argv) || !get_int(env, argv[0], &fd, "fd must be an integer")) return NULL;
  if (napi_get_value_int64(env, argv[1], &size) != napi_ok || size < 0) return throw_type(env, "size must be a non-negative integer");
  if (ftruncate(fd, (off_t)size) < 0) return throw_errno(env, errno, "ftruncate");
  return make_undefined(env);
}

// fstatSize(fd) -> st_size.
napi_value FstatSize(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &fd, "fd must be an integer")) return NULL;
  struct stat st;
  if (fstat(fd, &st) < 0) return throw_errno(env, errno, "fstat");
  return make_int(env, (int64_t)st.st_size);
}

// closeFd(fd).
napi_value CloseFd(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (!get_args(env, info, 1, argv) || !get_int(env, argv[0], &fd, "fd must be an integer")) return NULL;
  if (close(fd) < 0 && errno != EINTR) return throw_errno(env, errno, "close");
  return make_undefined(env);
}
