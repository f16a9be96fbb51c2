#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=20
// V8 heap sizing for every isolate of the daemon (main thread, probe worker, config parser):
// maglevd keeps a large long-lived heap (per-backend state and metrics series) and allocates
// little per probe, so Node 20's defaults (16 MiB semi-spaces, old space grown to up to twice
// the live heap after a /metrics scrape's garbage) were mostly empty committed pages. With a
// 2 MiB semi-space and old-space limits 20 % above the live heap, the RSS at 10 000 http backends
// checked every second fell from 230–298 MB to ~182 MB at the same CPU per check and lateness
// within this box's noise; the costs: ~180 cheap scavenges per 30 s instead of ~22, a first
// /metrics scrape ~50 % dearer, and a 50 000-backend config parse ~30 % slower (off the main
// thread). --optimize-for-size saved 20 MB more but doubled the first scrape and the parse.
// Figures: bench/RESULTS.md, "RSS at 10 000 and 50 000 backends". The benches start
// `node bin/maglevd.js` with this line's flags (bench/soak-process.ts binArgs).
import process from 'node:process';
import { main } from '../dist/daemon/maglevd.js';

process.exitCode = await main(process.argv.slice(2), process.env);
