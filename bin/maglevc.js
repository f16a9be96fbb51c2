#!/usr/bin/env node
import { main } from '../dist/maglevc/maglevc.js';

process.exitCode = await main(process.argv.slice(2), process.env);
