// setns(CLONE_NEWNET) for the calling thread only: the per-worker health-check namespace.

#include "maglev_native.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

// ---- network namespace ----------------------------------------------------------------------

// setnsNet(path): moves the calling thread (only) into the network namespace at path.
napi_value SetnsNet(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char path[MAX_PATH_ARG];
  if (!get_args(env, info, 1, argv) || !get_string(env, argv[0], path, sizeof path, "path must be a string")) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, errno, "open");
  if (setns(fd, CLONE_NEWNET) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, err, "setns");
  }
  close(fd);
  return make_undefined(env);
}
