// Crash test: a child process writes, deletes and vacuums in a loop and is SIGKILLed at random
// moments; each time, the reopened store must hold exactly the last committed state.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../common/log.ts';
import { SegmentStore } from './segment-store.ts';
import { CRASH_TABLE, expectedIds } from './testing/crash-workload.ts';
import { rng } from './testing/vector-fixtures.ts';
import { readManifest, filesOf } from './manifest.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const ROUNDS = 10;

/** Runs the writer until `killAfterMs` past its "ready" line, SIGKILLs it, returns the last committed txn reported (−1 if none). */
function runAndKill(dir: string, killAfterMs: number): Promise<{ lastReported: number; started: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'testing', 'crash-writer.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let started = -1;
    let timer: NodeJS.Timeout | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m !== null && timer === null) {
        started = Number(m[1]);
        timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('exit', (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      if (signal !== 'SIGKILL') { reject(new Error(`writer exited with ${code}: ${err}`)); return; }
      const nums = [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
      resolve({ lastReported: nums.length > 0 ? nums[nums.length - 1]! : started - 1, started });
    });
  });
}

describe('crash recovery', () => {
  it('leaves the table at its last committed state after SIGKILL at random points', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colonnade-crash-'));
    const r = rng(2024);
    let progressed = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const { lastReported, started } = await runAndKill(dir, 50 + Math.floor(r() * 900));
        const store = await SegmentStore.open({ dir, log: silentLogger(), blockRows: 256, segmentRows: 1500 });
        try {
          const ids: number[] = [];
          let maxTxn = -1;
          for await (const b of store.scan(CRASH_TABLE.tableId, { columns: [0, 1] })) {
            const id = b.columns[0]!;
            const tx = b.columns[1]!;
            if (id.kind !== 'int32' || tx.kind !== 'int64') throw new Error('kinds');
            const sel = b.selection;
            const n = sel === null ? b.length : sel.length;
            for (let k = 0; k < n; k++) {
              const i = sel === null ? k : sel[k]!;
              ids.push(id.values[i]!);
              maxTxn = Math.max(maxTxn, Number(tx.values[i]!));
            }
          }
          const committed = maxTxn + 1;
          // The kill may land between the manifest rename and the "committed" line.
          expect(committed === lastReported + 1 || committed === lastReported + 2).toBe(true);
          expect(committed).toBeGreaterThanOrEqual(started);
          ids.sort((a, b) => a - b);
          expect(ids).toEqual(expectedIds(committed));
          expect(store.rowCount(CRASH_TABLE.tableId)).toBe(ids.length);
          await store.verify(CRASH_TABLE.tableId);
          // Nothing but referenced files remain after the orphan sweep.
          const m = await readManifest(dir);
          const live = new Set(filesOf(m.tables[0]!).map((f) => f.split('/')[1]));
          expect((await readdir(join(dir, 't1'))).filter((f) => !live.has(f))).toEqual([]);
          progressed = committed;
          if (process.env.CRASH_DEBUG) console.log({ round, started, lastReported, committed, rows: ids.length });
        } finally {
          await store.close();
        }
      }
      expect(progressed).toBeGreaterThan(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
