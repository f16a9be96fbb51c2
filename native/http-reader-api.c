// The N-API face of http-reader.c for tests: runs a response, chunk by chunk, through the C
// reader the way the native prober drives it, so a differential fuzz test can hold it equal to
// the TypeScript reader (test/workers/probes/http-reader-differential.ts).

#include "maglev_native.h"
#include "http-reader.h"

// readHttpResponse(chunks: Uint8Array[], wantBody, eof) -> [kind, error, status, body?]: feeds
// the chunks until a step is not `more` (after the head, with wantBody, the rest is read as
// the body, like the prober does), then ends the stream when eof and still `more`. status is
// the final head's status (0 before it); body is set for a `body` step.
napi_value ReadHttpResponse(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  bool is_array = false, want_body = false, eof = false;
  napi_is_array(env, argv[0], &is_array);
  if (!is_array || napi_get_value_bool(env, argv[1], &want_body) != napi_ok || napi_get_value_bool(env, argv[2], &eof) != napi_ok) {
    return throw_type(env, "readHttpResponse(chunks: Uint8Array[], wantBody: boolean, eof: boolean)");
  }
  uint32_t count = 0;
  napi_get_array_length(env, argv[0], &count);
  hr_reader r;
  hr_init(&r, want_body);
  hr_step step = {HR_MORE, HR_E_NONE, 0};
  uint16_t status = 0;
  for (uint32_t i = 0; i < count && step.kind == HR_MORE; i++) {
    napi_value chunk;
    void *data;
    size_t len;
    if (napi_get_element(env, argv[0], i, &chunk) != napi_ok || !get_bytes(env, chunk, &data, &len)) {
      hr_free(&r);
      return NULL;
    }
    step = hr_feed(&r, data, len);
    if (step.kind == HR_HEAD) {
      status = step.status;
      if (want_body) step = hr_feed(&r, NULL, 0);
    }
  }
  if (step.kind == HR_MORE && eof) step = hr_end(&r);
  napi_value out, v;
  napi_create_array_with_length(env, 4, &out);
  napi_create_uint32(env, step.kind, &v);
  napi_set_element(env, out, 0, v);
  napi_create_uint32(env, step.error, &v);
  napi_set_element(env, out, 1, v);
  napi_create_uint32(env, status, &v);
  napi_set_element(env, out, 2, v);
  if (step.kind == HR_BODY) {
    void *copy;
    napi_create_buffer_copy(env, r.body_len, r.body_len > 0 ? r.body : (const void *)"", &copy, &v);
    napi_set_element(env, out, 3, v);
  }
  hr_free(&r);
  return out;
}
