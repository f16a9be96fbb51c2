# The one native addon: setns per thread, ICMP sockets, SEQPACKET fd passing, memfd for the
# VPP stats segment, the RLIMIT_NOFILE pair, and the native tcp/http prober. Plain C over N-API
# only, so one build loads under Node 20 and Node 24.
{
  "targets": [
    {
      "target_name": "maglev_native",
      "sources": [
        "native/maglev_native.c",
        "native/napi-util.c",
        "native/netns.c",
        "native/icmp.c",
        "native/fd-watch.c",
        "native/fd-passing.c",
        "native/files.c",
        "native/probe-engine.c",
        "native/http-reader.c",
        "native/http-reader-api.c",
        "native/rlimit.c"
      ],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2", "-fvisibility=hidden"]
    }
  ]
}
