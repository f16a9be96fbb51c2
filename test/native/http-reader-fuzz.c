// Test harness (not shipped): runs native/http-reader.c over seeded random responses under
// AddressSanitizer and UndefinedBehaviorSanitizer (test/native/http-reader.ts builds and runs
// it with gcc). Inputs are a small corpus mutated byte-wise and cut into random chunks, plus
// pure noise; every step must respect the reader's bounds. Exits non-zero on the first broken
// bound; a sanitizer aborts on any out-of-bounds access, leak or undefined behaviour.
//
//   usage: http-reader-fuzz <seed> <iterations>

#include "../../native/http-reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint32_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (uint32_t)(state >> 11);
}

static uint32_t below(uint32_t n) {
  return n == 0 ? 0 : next() % n;
}

static const char *corpus[] = {
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 204 No\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n",
    "HTTP/1.1 200 OK\nServer: x\n\nuntil close",
    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 01\r\n\r\nx",
    "HTTP/1.1 503 Busy\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 9\r\n\r\n1\r\nz\r\n0\r\n\r\n",
    "HTTP/1.1 103 Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 101 Up\r\n\r\n",
};

static void check(bool ok, const char *what, uint32_t iteration) {
  if (ok) return;
  fprintf(stderr, "iteration %u: %s\n", iteration, what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  state = strtoull(argv[1], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
  uint32_t iterations = (uint32_t)strtoul(argv[2], NULL, 10);
  static uint8_t input[200000];
  uint32_t verdicts[4] = {0};
  for (uint32_t it = 0; it < iterations; it++) {
    size_t len = 0;
    if (below(10) == 0) {
      len = below(sizeof input);
      for (size_t i = 0; i < len; i++) input[i] = (uint8_t)next();
    } else {
      const char *base = corpus[below(sizeof corpus / sizeof corpus[0])];
      len = strlen(base);
      memcpy(input, base, len);
      // Sometimes pad a header or the body to cross the 16 KiB and 64 KiB limits.
      if (below(4) == 0) {
        size_t pad = below(2) == 0 ? 16370 + below(30) : 65530 + below(20);
        size_t at = below((uint32_t)len + 1);
        memmove(input + at + pad, input + at, len - at);
        memset(input + at, below(2) == 0 ? 'a' : '1', pad);
        len += pad;
      }
      for (uint32_t m = below(6); m > 0 && len > 0; m--) {
        size_t at = below((uint32_t)len);
        switch (below(4)) {
          case 0: input[at] = (uint8_t)next(); break;
          case 1: input[at] = "\r\n:; 0\t\xa0"[below(8)]; break;
          case 2: len = at; break;
          default:
            if (len + 1 < sizeof input) {
              memmove(input + at + 1, input + at, len - at);
              input[at] = "\r\n;0"[below(4)];
              len++;
            }
        }
      }
    }
    hr_reader r;
    hr_init(&r, below(2) == 0);
    hr_step step = {HR_MORE, 0, 0};
    size_t pos = 0;
    while (pos < len && step.kind == HR_MORE) {
      size_t n = below(3) == 0 ? below(5) : below(70000);
      if (n > len - pos) n = len - pos;
      // The reader must not read past the chunk: hand it an exact heap copy.
      uint8_t *chunk = malloc(n > 0 ? n : 1);
      memcpy(chunk, input + pos, n);
      step = hr_feed(&r, chunk, n);
      free(chunk);
      pos += n;
      if (step.kind == HR_HEAD && r.want_body) step = hr_feed(&r, NULL, 0);
      check(r.body_len <= HR_MAX_BODY_BYTES, "body over the cap", it);
    }
    if (step.kind == HR_MORE && below(4) != 0) step = hr_end(&r);
    check(step.kind <= HR_INVALID, "bad step kind", it);
    check(step.kind != HR_INVALID || (step.error >= 12 && step.error <= 18), "bad error", it);
    check(step.kind != HR_HEAD || (step.status >= 100 && step.status <= 999), "bad status", it);
    verdicts[step.kind]++;
    hr_free(&r);
  }
  printf("more %u head %u body %u invalid %u\n", verdicts[0], verdicts[1], verdicts[2], verdicts[3]);
  return 0;
}
