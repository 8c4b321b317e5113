#!/usr/bin/env node
// Entry point for the `mia` command: registers tsx so the TypeScript sources run as-is
// on Node 20 (no build step, no stale output), then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
