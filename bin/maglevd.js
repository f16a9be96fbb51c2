#!/usr/bin/env node
// Node's default heap sizing, on purpose. V8's memory mode (`node --max-semi-space-size=2
// --heap-growing-percent=20`) takes the RSS at 10 000 http backends checked every second from
// ~180 MB to ~150 MB, but its frequent collections pause the main thread: a schedule lateness
// p99 of 75-150 ms instead of ~50 ms, and a longer detection -> VPP write tail
// (bench/RESULTS.md, "Heap sizing"). A host short of memory can opt in (docs/install.md).
import process from 'node:process';
import { main } from '../dist/daemon/maglevd.js';

process.exitCode = await main(process.argv.slice(2), process.env);
