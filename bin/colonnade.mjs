#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  // A startup failure (a port in use, an unreadable data directory) is a message, not a stack trace.
  const e = /** @type {NodeJS.ErrnoException} */ (err);
  const what = e.code === 'EADDRINUSE' ? `address ${e.address ?? ''}:${e.port ?? ''} is already in use` : e.message ?? String(err);
  process.stderr.write(`colonnade: ${what}\n`);
  if (process.env.COLONNADE_LOG_LEVEL === 'debug') process.stderr.write(`${e.stack ?? ''}\n`);
  process.exitCode = 1;
}
// Everything is closed by now; a handle some library left open must not keep the process alive.
setTimeout(() => process.exit(), 2000).unref();
