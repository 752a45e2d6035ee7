// CLI: run many simulation seeds (or replay one with a trace). `npx tsx cluster/raft/sim/run-seeds.ts --seeds 100000`
import { explainFailure, runRandomScenario } from './random-scenario.ts';

interface Args {
  seeds: number;
  start: number;
  seed: number | null;
  trace: boolean;
  faultMs: number | undefined;
  stopOnFailure: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { seeds: 1000, start: 1, seed: null, trace: false, faultMs: undefined, stopOnFailure: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${k} needs a non-negative integer`);
      i++;
      return n;
    };
    switch (k) {
      case '--seeds': a.seeds = num(); break;
      case '--start': a.start = num(); break;
      case '--seed': a.seed = num(); break;
      case '--fault-ms': a.faultMs = num(); break;
      case '--trace': a.trace = true; break;
      case '--keep-going': a.stopOnFailure = false; break;
      default: throw new Error(`unknown argument ${String(k)} (use --seeds N [--start S] [--seed S --trace] [--fault-ms MS] [--keep-going])`);
    }
  }
  return a;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const opts = args.faultMs === undefined ? {} : { faultMs: args.faultMs };
  if (args.seed !== null) {
    const r = runRandomScenario(args.seed, { ...opts, trace: args.trace });
    if (args.trace) for (const line of r.trace) process.stdout.write(`${line}\n`);
    process.stdout.write(`seed ${r.seed}: ${r.ok ? 'ok' : 'FAILED'}\nsetup: ${r.setup}\n`);
    process.stdout.write(`events=${r.events} simMs=${r.simMs} faults=${r.faults} leaderTerms=${r.leaderTerms} committed=${r.committed} ops=${JSON.stringify(r.ops)}\n`);
    if (!r.ok) process.stdout.write(`${r.failure ?? ''}\n`);
    process.exitCode = r.ok ? 0 : 1;
    return;
  }
  const started = performance.now();
  let failed = 0;
  let events = 0;
  for (let s = args.start; s < args.start + args.seeds; s++) {
    const r = runRandomScenario(s, opts);
    events += r.events;
    if (!r.ok) {
      failed++;
      process.stdout.write(`${explainFailure(s, opts, 80)}\n\n`);
      if (args.stopOnFailure) break;
    }
    const done = s - args.start + 1;
    if (done % 1000 === 0) {
      const secs = (performance.now() - started) / 1000;
      process.stdout.write(`${done} seeds, ${failed} failed, ${(done / secs).toFixed(0)} seeds/s, ${(events / secs / 1000).toFixed(0)}k events/s\n`);
    }
  }
  const secs = (performance.now() - started) / 1000;
  process.stdout.write(`done: ${failed} failed; ${secs.toFixed(1)} s\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
