// The HTTP/1.x response reader (see http-reader.h): status line and headers (at most 16 KiB per
// head, 1xx interim responses skipped), then, only when asked, the body (Content-Length,
// chunked, or until close) capped at 64 KiB. Mirrors http-response-reader.ts rule for rule,
// including its regular expressions, its line splitting (LF, one CR stripped) and its trim set.

#include "http-reader.h"

#include <stdlib.h>
#include <string.h>

enum { PHASE_HEAD, PHASE_BODY, PHASE_DONE };
enum { FRAMING_CLOSE, FRAMING_LENGTH, FRAMING_CHUNKED };
enum { CHUNK_SIZE, CHUNK_DATA, CHUNK_CRLF };

static const hr_step step_more = {HR_MORE, HR_E_NONE, 0};

static hr_step invalid(uint8_t error) {
  hr_step s = {HR_INVALID, error, 0};
  return s;
}

void hr_init(hr_reader *r, bool want_body) {
  memset(r, 0, sizeof *r);
  r->want_body = want_body;
  r->phase = PHASE_HEAD;
  r->framing = FRAMING_CLOSE;
}

void hr_free(hr_reader *r) {
  free(r->pending);
  free(r->body);
  r->pending = r->body = NULL;
  r->pending_len = r->pending_cap = r->body_len = 0;
}

// Keeps n bytes at src as the pending bytes. src may point into the pending buffer itself.
static bool keep(hr_reader *r, const uint8_t *src, size_t n) {
  if (n == 0) {
    r->pending_len = 0;
    return true;
  }
  if (r->pending != NULL && src >= r->pending && src < r->pending + r->pending_cap) {
    memmove(r->pending, src, n);
  } else {
    if (n > r->pending_cap) {
      size_t cap = r->pending_cap == 0 ? 512 : r->pending_cap;
      while (cap < n) cap *= 2;
      uint8_t *p = realloc(r->pending, cap);
      if (p == NULL) return false;
      r->pending = p;
      r->pending_cap = cap;
    }
    memcpy(r->pending, src, n);
  }
  r->pending_len = n;
  return true;
}

// ---- head ---------------------------------------------------------------------------------

// Index just past the first LF followed by LF or CRLF at or after `from`, or 0 when none.
static size_t head_end(const uint8_t *buf, size_t n, size_t from) {
  for (size_t i = from; i < n; i++) {
    const uint8_t *lf = memchr(buf + i, '\n', n - i);
    if (lf == NULL) return 0;
    i = (size_t)(lf - buf);
    if (i + 1 < n && buf[i + 1] == '\n') return i + 2;
    if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n') return i + 3;
  }
  return 0;
}

static bool is_digit(uint8_t c) {
  return c >= '0' && c <= '9';
}

// ^HTTP/1\.[01] ([1-9][0-9][0-9])(?:[ \t][^\r\n]*)?$
static bool status_line(const uint8_t *s, size_t n, uint16_t *status) {
  if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ') return false;
  if (s[9] < '1' || s[9] > '9' || !is_digit(s[10]) || !is_digit(s[11])) return false;
  if (n > 12) {
    if (s[12] != ' ' && s[12] != '\t') return false;
    for (size_t i = 13; i < n; i++) {
      if (s[i] == '\r' || s[i] == '\n') return false;
    }
  }
  *status = (uint16_t)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
  return true;
}

// [!#$%&'*+.^_`|~0-9A-Za-z-]
static bool is_tchar(uint8_t c) {
  if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
  return c != 0 && strchr("!#$%&'*+.^_`|~-", c) != NULL;
}

// String.prototype.trim's whitespace among latin1 bytes (LF cannot occur inside a line).
static bool is_js_space(uint8_t c) {
  return c == '\t' || c == 0x0b || c == 0x0c || c == '\r' || c == ' ' || c == 0xa0;
}

static void trim(const uint8_t **s, size_t *n) {
  while (*n > 0 && is_js_space((*s)[0])) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && is_js_space((*s)[*n - 1])) (*n)--;
}

// ASCII case-insensitive equality with a lowercase literal.
static bool equals_lower(const uint8_t *s, size_t n, const char *lit) {
  size_t m = strlen(lit);
  if (n != m) return false;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
    if (c != (uint8_t)lit[i]) return false;
  }
  return true;
}

// A string (pointer and length) inside the buffer being parsed; `set` tells undefined from ''.
typedef struct {
  const uint8_t *p;
  size_t n;
  bool set;
} span;

// The header lines of one head (between the status line and the blank line) and the framing
// they declare. Returns HR_E_NONE or why the head is invalid.
static uint8_t read_headers(hr_reader *r, const uint8_t *buf, size_t first_line_end, size_t last_lf, span *content_length,
                            span *transfer_encoding) {
  for (size_t start = first_line_end + 1; start <= last_lf;) {
    const uint8_t *lf = memchr(buf + start, '\n', last_lf + 1 - start);
    size_t end = (size_t)(lf - buf);
    size_t n = end - start;
    const uint8_t *line = buf + start;
    start = end + 1;
    if (n > 0 && line[n - 1] == '\r') n--;
    const uint8_t *colon = memchr(line, ':', n);
    if (colon == NULL || colon == line) return HR_E_HEADER;
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++) {
      if (!is_tchar(line[i])) return HR_E_HEADER;
    }
    if (!r->want_body) continue;
    const uint8_t *value = colon + 1;
    size_t value_len = n - name_len - 1;
    trim(&value, &value_len);
    if (equals_lower(line, name_len, "content-length")) {
      if (value_len < 1 || value_len > 15) return HR_E_CONTENT_LENGTH;
      for (size_t i = 0; i < value_len; i++) {
        if (!is_digit(value[i])) return HR_E_CONTENT_LENGTH;
      }
      if (content_length->set && (content_length->n != value_len || memcmp(content_length->p, value, value_len) != 0)) {
        return HR_E_CONTENT_LENGTH;
      }
      content_length->p = value;
      content_length->n = value_len;
      content_length->set = true;
    } else if (equals_lower(line, name_len, "transfer-encoding")) {
      // Only the last comma-separated coding of all the values decides, and it lies in the last value.
      transfer_encoding->p = value;
      transfer_encoding->n = value_len;
      transfer_encoding->set = true;
    }
  }
  return HR_E_NONE;
}

static void set_framing(hr_reader *r, uint16_t status, span content_length, span transfer_encoding) {
  r->framing = FRAMING_CLOSE;
  if (status == 204 || status == 304 || (status >= 100 && status < 200)) {
    r->framing = FRAMING_LENGTH;
    r->remaining = 0;
  } else if (transfer_encoding.set) {
    const uint8_t *last = transfer_encoding.p;
    size_t n = transfer_encoding.n;
    for (size_t i = n; i > 0; i--) {
      if (transfer_encoding.p[i - 1] == ',') {
        last = transfer_encoding.p + i;
        n = transfer_encoding.n - i;
        break;
      }
    }
    trim(&last, &n);
    if (equals_lower(last, n, "chunked")) {
      r->framing = FRAMING_CHUNKED;
      r->chunk_state = CHUNK_SIZE;
      r->remaining = 0;
    }
  } else if (content_length.set) {
    r->framing = FRAMING_LENGTH;
    r->remaining = 0;
    for (size_t i = 0; i < content_length.n; i++) r->remaining = r->remaining * 10 + (uint64_t)(content_length.p[i] - '0');
  }
}

static hr_step read_head(hr_reader *r, const uint8_t *buf, size_t n, size_t from) {
  for (;;) {
    size_t end = head_end(buf, n, from);
    if (end == 0) {
      if (n > HR_MAX_HEADER_BYTES) return invalid(HR_E_HEADERS_TOO_LARGE);
      return keep(r, buf, n) ? step_more : invalid(HR_E_NOMEM);
    }
    if (end > HR_MAX_HEADER_BYTES) return invalid(HR_E_HEADERS_TOO_LARGE);
    // The terminator is LF LF or LF CR LF; last_lf is its first LF (the end of the last line).
    size_t last_lf = buf[end - 2] == '\n' ? end - 2 : end - 3;
    const uint8_t *lf = memchr(buf, '\n', end);
    size_t first_line_end = (size_t)(lf - buf);
    size_t status_len = first_line_end;
    if (status_len > 0 && buf[status_len - 1] == '\r') status_len--;
    uint16_t status = 0;
    if (!status_line(buf, status_len, &status)) return invalid(HR_E_STATUS_LINE);
    span content_length = {NULL, 0, false}, transfer_encoding = {NULL, 0, false};
    if (first_line_end < last_lf) {
      uint8_t err = read_headers(r, buf, first_line_end, last_lf, &content_length, &transfer_encoding);
      if (err != HR_E_NONE) return invalid(err);
    }
    if (status >= 100 && status < 200 && status != 101) {
      buf += end;
      n -= end;
      from = 0;
      continue;
    }
    // Framing spans point into buf: decide before `keep` may move the bytes.
    set_framing(r, status, content_length, transfer_encoding);
    if (!keep(r, buf + end, r->want_body ? n - end : 0)) return invalid(HR_E_NOMEM);
    r->phase = PHASE_BODY;
    hr_step s = {HR_HEAD, HR_E_NONE, status};
    return s;
  }
}

// ---- body ---------------------------------------------------------------------------------

// Keeps up to `limit` bytes of data (never past the body cap); returns the bytes consumed.
static bool take(hr_reader *r, const uint8_t *data, size_t n, uint64_t limit, size_t *consumed) {
  size_t c = (uint64_t)n < limit ? n : (size_t)limit;
  size_t room = HR_MAX_BODY_BYTES - r->body_len;
  size_t k = c < room ? c : room;
  if (k > 0) {
    if (r->body == NULL) {
      r->body = malloc(HR_MAX_BODY_BYTES);
      if (r->body == NULL) return false;
    }
    memcpy(r->body + r->body_len, data, k);
    r->body_len += k;
  }
  *consumed = c;
  return true;
}

static hr_step finish(hr_reader *r) {
  r->phase = PHASE_DONE;
  r->pending_len = 0;
  hr_step s = {HR_BODY, HR_E_NONE, 0};
  return s;
}

static bool is_hex(uint8_t c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// ^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$ on a line whose one trailing CR is already stripped.
static bool chunk_size_line(const uint8_t *s, size_t n, uint64_t *size) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < n && i < 9 && is_hex(s[i])) {
    uint8_t c = s[i];
    v = v * 16 + (uint64_t)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    i++;
  }
  if (i == 0 || i > 8) return false;
  while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
  if (i < n) {
    if (s[i] != ';') return false;
    for (i++; i < n; i++) {
      if (s[i] == '\r' || s[i] == '\n') return false;
    }
  }
  *size = v;
  return true;
}

static hr_step read_chunked(hr_reader *r, const uint8_t *buf, size_t n) {
  size_t pos = 0;
  while (pos < n) {
    if (r->chunk_state == CHUNK_SIZE || r->chunk_state == CHUNK_CRLF) {
      const uint8_t *lf = memchr(buf + pos, '\n', n - pos);
      if (lf == NULL) {
        if (!keep(r, buf + pos, n - pos)) return invalid(HR_E_NOMEM);
        return r->pending_len > HR_MAX_CHUNK_LINE ? invalid(HR_E_CHUNKED) : step_more;
      }
      size_t nl = (size_t)(lf - buf);
      const uint8_t *line = buf + pos;
      size_t len = nl - pos;
      if (len > 0 && line[len - 1] == '\r') len--;
      pos = nl + 1;
      if (r->chunk_state == CHUNK_CRLF) {
        if (len != 0) return invalid(HR_E_CHUNKED);
        r->chunk_state = CHUNK_SIZE;
        continue;
      }
      if (!chunk_size_line(line, len, &r->remaining)) return invalid(HR_E_CHUNKED);
      if (r->remaining == 0) return finish(r);
      r->chunk_state = CHUNK_DATA;
    } else {
      size_t c;
      if (!take(r, buf + pos, n - pos, r->remaining, &c)) return invalid(HR_E_NOMEM);
      pos += c;
      r->remaining -= c;
      if (r->body_len >= HR_MAX_BODY_BYTES) return finish(r);
      if (r->remaining == 0) r->chunk_state = CHUNK_CRLF;
      else break;
    }
  }
  return step_more;
}

static hr_step read_body(hr_reader *r, const uint8_t *buf, size_t n) {
  size_t c;
  if (r->framing == FRAMING_CLOSE) {
    if (!take(r, buf, n, n, &c)) return invalid(HR_E_NOMEM);
    return r->body_len >= HR_MAX_BODY_BYTES ? finish(r) : step_more;
  }
  if (r->framing == FRAMING_LENGTH) {
    if (!take(r, buf, n, r->remaining, &c)) return invalid(HR_E_NOMEM);
    r->remaining -= c;
    return r->remaining == 0 || r->body_len >= HR_MAX_BODY_BYTES ? finish(r) : step_more;
  }
  return read_chunked(r, buf, n);
}

// ---- feed and end -------------------------------------------------------------------------

hr_step hr_feed(hr_reader *r, const uint8_t *chunk, size_t len) {
  const uint8_t *buf = chunk;
  size_t n = len;
  if (r->pending_len > 0 && len == 0) {
    buf = r->pending;
    n = r->pending_len;
  } else if (r->pending_len > 0) {
    // pending + chunk, like Buffer.concat; the pending buffer grows to hold both.
    size_t total = r->pending_len + len;
    if (total > r->pending_cap) {
      size_t cap = r->pending_cap;
      while (cap < total) cap *= 2;
      uint8_t *p = realloc(r->pending, cap);
      if (p == NULL) return invalid(HR_E_NOMEM);
      r->pending = p;
      r->pending_cap = cap;
    }
    memcpy(r->pending + r->pending_len, chunk, len);
    buf = r->pending;
    n = total;
  }
  r->pending_len = 0;
  if (r->phase == PHASE_HEAD) return read_head(r, buf, n, n > len + 3 ? n - len - 3 : 0);
  if (r->phase == PHASE_BODY) return read_body(r, buf, n);
  return step_more;
}

hr_step hr_end(hr_reader *r) {
  if (r->phase == PHASE_HEAD) return invalid(HR_E_CLOSED_BEFORE_HEADERS);
  if (r->phase == PHASE_BODY && r->framing == FRAMING_CLOSE) return finish(r);
  if (r->phase == PHASE_BODY) return invalid(HR_E_CLOSED_DURING_BODY);
  return step_more;
}
