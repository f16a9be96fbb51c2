#!/usr/bin/env -S node --optimize-for-size
// --optimize-for-size: V8's memory mode for every isolate of the daemon (main thread and probe
// workers): a 1 MiB semi-space instead of Node 20's 16 MiB and a tight old-space growth limit.
// maglevd keeps a large, long-lived heap (per-backend state and metrics series) and allocates
// little per probe, so the default headroom was mostly empty pages: at 10 000 http backends
// checked every second the daemon's RSS fell from 230–295 MB to ~163 MB (main-thread heap
// 133–195 MB → 80 MB committed) at the same CPU per check within this box's noise, and shorter
// scavenges (bench/RESULTS.md, "RSS at 10 000 and 50 000 backends"). The benches start
// `node bin/maglevd.js` with this line's flags (bench/soak-process.ts binArgs).
import process from 'node:process';
import { main } from '../dist/daemon/maglevd.js';

process.exitCode = await main(process.argv.slice(2), process.env);
