// getrlimit/setrlimit for RLIMIT_NOFILE: maglevd raises its soft descriptor limit to the hard
// one at start and sizes its listeners so that probes keep a reserve (src/daemon/fd-budget.ts).

#include "maglev_native.h"

#include <errno.h>
#include <math.h>
#include <sys/resource.h>

// RLIM_INFINITY travels as Infinity.
static napi_value make_limit(napi_env env, rlim_t v) {
  napi_value out;
  napi_create_double(env, v == RLIM_INFINITY ? INFINITY : (double)v, &out);
  return out;
}

// getNofileLimit() -> { soft, hard }.
napi_value GetNofileLimit(napi_env env, napi_callback_info info) {
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return throw_errno(env, errno, "getrlimit");
  napi_value out;
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "soft", make_limit(env, lim.rlim_cur));
  napi_set_named_property(env, out, "hard", make_limit(env, lim.rlim_max));
  return out;
}

// setNofileLimit(soft): the hard limit is kept; Infinity means RLIM_INFINITY.
napi_value SetNofileLimit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  double soft;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_double(env, argv[0], &soft) != napi_ok || !(soft >= 0)) return throw_type(env, "soft must be a non-negative number");
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return throw_errno(env, errno, "getrlimit");
  lim.rlim_cur = isinf(soft) ? RLIM_INFINITY : (rlim_t)soft;
  if (setrlimit(RLIMIT_NOFILE, &lim) < 0) return throw_errno(env, errno, "setrlimit");
  return make_undefined(env);
}
