// Kills a process writing to the on-disk Raft store at random moments; every acknowledged entry must survive.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { FileStableStore } from './file-stable-store.ts';
import { payloadFor } from './testing/writer-payload.ts';

const WRITER = fileURLToPath(new URL('./testing/store-writer-process.ts', import.meta.url));

/** Runs the writer until it has acknowledged `target` more entries, then SIGKILLs it; returns the last acknowledged index. */
function runAndKill(dir: string, target: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = 0;
    let seen = 0;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        last = Number(l);
        if (++seen === target) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited with ${String(code)}: ${stderr}`));
    });
  });
}

describe('FileStableStore under SIGKILL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps every acknowledged entry, hard state and snapshot across repeated kills', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'raft-crash-'));
    dirs.push(dir);
    for (const target of [23, 47, 31]) {
      const acked = await runAndKill(dir, target);
      const store = await FileStableStore.open({ dir, log: silentLogger(), segmentBytes: 8192 });
      const st = await store.load();
      await store.close();
      const first = (st.snapshot?.meta.index ?? 0) + 1;
      const lastIndex = st.entries.length > 0 ? st.entries[st.entries.length - 1]!.index : first - 1;
      expect(lastIndex).toBeGreaterThanOrEqual(acked);
      expect(st.hardState.term).toBeGreaterThanOrEqual(acked);
      st.entries.forEach((e, i) => {
        expect(e.index).toBe(first + i);
        expect(e.term).toBe(e.index);
        expect(Buffer.from(e.data).equals(Buffer.from(payloadFor(e.index)))).toBe(true);
      });
      if (acked >= 40) expect(st.snapshot).not.toBeNull();
    }
  }, 60_000);
});
