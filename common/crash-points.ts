// Named crash points for fault-injection tests: with COLONNADE_CRASH_AT=name[,name...] set, a
// process that reaches one of those points kills itself with SIGKILL, as a power cut would, at a
// moment no outside timer can hit reliably (e.g. between the commit messages of one write).
const points = new Set((process.env.COLONNADE_CRASH_AT ?? '').split(',').filter((p) => p !== ''));

/** Dies here when the environment names this point. */
export function crashPoint(name: string): void {
  if (points.has(name)) process.kill(process.pid, 'SIGKILL');
}
