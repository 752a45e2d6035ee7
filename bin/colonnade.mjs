#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now; a handle some library left open must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
