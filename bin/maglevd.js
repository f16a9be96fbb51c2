#!/usr/bin/env node
// Node's default heap sizing, on purpose. V8's memory mode (`node --max-semi-space-size=2
// --heap-growing-percent=20`) takes the RSS at 10 000 http backends checked every second from
// ~270 MB to ~150 MB, but its frequent collections cost ~18 % more CPU per check, a schedule
// lateness p99 of ~74 ms instead of ~49 ms, and a detection -> VPP write p99 of ~70 ms instead
// of ~5 ms (bench/RESULTS.md, "Heap sizing"). A host short of memory can opt in (docs/install.md).
import process from 'node:process';
import { main } from '../dist/daemon/maglevd.js';

process.exitCode = await main(process.argv.slice(2), process.env);
