// The HTTP/1.x response reader of the native prober: the C twin of
// src/workers/probes/http-response-reader.ts, step for step (a differential fuzz test holds them
// equal). Pure: no I/O, no N-API; every byte it reads comes from the network, so it is small,
// bounded (16 KiB of headers, 64 KiB of body, 1 KiB of chunk-size line) and fuzzed.
#ifndef MAGLEV_HTTP_READER_H
#define MAGLEV_HTTP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_MAX_HEADER_BYTES 16384
#define HR_MAX_BODY_BYTES 65536
#define HR_MAX_CHUNK_LINE 1024

enum hr_kind { HR_MORE = 0, HR_HEAD = 1, HR_BODY = 2, HR_INVALID = 3 };

// Why a response is invalid. The values are the probe detail kinds of
// src/shared/probe-detail.ts (the native prober reports them as they are).
enum hr_error {
  HR_E_NONE = 0,
  HR_E_STATUS_LINE = 12,
  HR_E_HEADER = 13,
  HR_E_HEADERS_TOO_LARGE = 14,
  HR_E_CLOSED_BEFORE_HEADERS = 15,
  HR_E_CLOSED_DURING_BODY = 16,
  HR_E_CONTENT_LENGTH = 17,
  HR_E_CHUNKED = 18,
  HR_E_NOMEM = 255, // not a response verdict: the reader could not allocate
};

typedef struct {
  uint8_t kind;   // enum hr_kind
  uint8_t error;  // enum hr_error, for HR_INVALID
  uint16_t status; // for HR_HEAD
} hr_step;

typedef struct {
  uint8_t *pending; // bytes kept between feeds (≤ 16 KiB + one chunk)
  size_t pending_len, pending_cap;
  uint8_t *body; // the body read so far (≤ 64 KiB), when wanted
  size_t body_len;
  uint64_t remaining; // content-length or chunk bytes still to read
  uint8_t phase, framing, chunk_state;
  bool want_body;
} hr_reader;

void hr_init(hr_reader *r, bool want_body);
// Feeds the next chunk; an empty chunk processes the bytes left after HR_HEAD.
hr_step hr_feed(hr_reader *r, const uint8_t *chunk, size_t len);
// The peer closed the connection.
hr_step hr_end(hr_reader *r);
void hr_free(hr_reader *r);

#endif
