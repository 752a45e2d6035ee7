// The on-disk StableStore: append-only log segments with CRC'd records, atomic hard-state and snapshot files.
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from '../../common/atomic-file.ts';
import { dataCorrupted, internalError } from '../../common/errors/index.ts';
import type { Logger } from '../../common/log.ts';
import { encodeRecords, recordBytes, scanRecords } from './log-record.ts';
import type { RaftInitialState } from './raft-node.ts';
import type { LogEntry, HardState, Snapshot } from './raft-types.ts';
import { decodeSnapshotFile, encodeSnapshotFile } from './snapshot-file.ts';
import type { PersistUpdate, StableStore } from './stable-store.ts';

const HARD_STATE_FILE = 'hardstate.json';
const SNAPSHOT_FILE = 'snapshot.bin';
const LOG_DIR = 'log';
const SEGMENT_SUFFIX = '.seg';

/** Options for {@link FileStableStore.open}. */
export interface FileStableStoreOptions {
  readonly dir: string;
  readonly log: Logger;
  /** Start a new segment once the current one reaches this size. Default 8 MiB. */
  readonly segmentBytes?: number;
}

/** One log segment file: entries firstIndex .. firstIndex + offsets.length - 1. */
interface Segment {
  readonly firstIndex: number;
  readonly path: string;
  /** Byte offset of each entry's record. */
  offsets: number[];
  size: number;
  /** Term of each entry (to answer "does the entry at the snapshot index match?"). */
  terms: number[];
}

function segmentName(firstIndex: number): string {
  return `${String(firstIndex).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

function parseHardState(raw: unknown, path: string): HardState {
  if (typeof raw !== 'object' || raw === null) throw dataCorrupted(`${path} is malformed`);
  const { term, votedFor } = raw as { term?: unknown; votedFor?: unknown };
  if (typeof term !== 'number' || !(votedFor === null || typeof votedFor === 'string')) throw dataCorrupted(`${path} is malformed`);
  return { term, votedFor };
}

/**
 * Raft's durable state in a directory:
 * - `hardstate.json`: term and vote, replaced atomically (temp, fsync, rename, fsync dir);
 * - `snapshot.bin`: the latest snapshot, replaced atomically (see snapshot-file.ts);
 * - `log/<first index>.seg`: append-only segments of CRC'd records (see log-record.ts).
 *
 * Appends are fsynced (fdatasync) before `save` resolves. On open, a torn tail of the last
 * segment (a crash mid-append) is cut off; damage anywhere else is reported as XX001. A
 * snapshot logically drops the entries it covers; whole segments below it are deleted.
 */
export class FileStableStore implements StableStore {
  private segments: Segment[] = [];
  private fh: FileHandle | null = null;
  private snapshot: Snapshot | null = null;
  private hardState: HardState = { term: 0, votedFor: null };
  private readonly logDir: string;
  private readonly segmentBytes: number;
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();
  /** Entries read by recovery, handed out once by load(). */
  private recoveredEntries: LogEntry[] = [];

  private constructor(private readonly dir: string, opts: FileStableStoreOptions) {
    this.logDir = join(dir, LOG_DIR);
    this.segmentBytes = opts.segmentBytes ?? 8 * 1024 * 1024;
    this.log = opts.log.child({ component: 'cluster.raft.store' });
  }

  /** Opens (creating if needed) the store in `opts.dir`, repairing a torn log tail. */
  static async open(opts: FileStableStoreOptions): Promise<FileStableStore> {
    const s = new FileStableStore(opts.dir, opts);
    await mkdir(s.logDir, { recursive: true });
    await s.recover();
    return s;
  }

  /** Index of the last entry physically in the log (0 if none). */
  private get physicalLast(): number {
    const seg = this.segments[this.segments.length - 1];
    return seg ? seg.firstIndex + seg.offsets.length - 1 : 0;
  }

  private get snapshotIndex(): number {
    return this.snapshot ? this.snapshot.meta.index : 0;
  }

  private termAt(index: number): number | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const seg = this.segments[i]!;
      if (index >= seg.firstIndex) return seg.terms[index - seg.firstIndex];
    }
    return undefined;
  }

  private async recover(): Promise<void> {
    const hsPath = join(this.dir, HARD_STATE_FILE);
    try {
      this.hardState = parseHardState(JSON.parse(await readFile(hsPath, 'utf8')), hsPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const snapPath = join(this.dir, SNAPSHOT_FILE);
    try {
      this.snapshot = decodeSnapshotFile(await readFile(snapPath), snapPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const names = (await readdir(this.logDir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    const entries: LogEntry[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const firstIndex = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      const path = join(this.logDir, name);
      if (!Number.isSafeInteger(firstIndex) || firstIndex < 1) throw dataCorrupted(`unexpected file ${path} in the Raft log`);
      const expected = entries.length === 0 ? firstIndex : entries[entries.length - 1]!.index + 1;
      if (firstIndex !== expected) throw dataCorrupted(`Raft log segment ${path} starts at ${firstIndex}, expected ${expected}`);
      const buf = await readFile(path);
      const scan = scanRecords(buf, firstIndex);
      const isLast = i === names.length - 1;
      if (scan.problem !== null) {
        if (!isLast) throw dataCorrupted(`Raft log segment ${path} is damaged at byte ${scan.validBytes}: ${scan.problem}`);
        // Only the last append can be incomplete: it was never acknowledged, so cut it off.
        this.log.warn({ path, keptBytes: scan.validBytes, droppedBytes: buf.length - scan.validBytes, problem: scan.problem }, 'truncating torn tail of the Raft log');
        const fh = await open(path, 'r+');
        try {
          await fh.truncate(scan.validBytes);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }
      if (scan.entries.length === 0 && isLast) {
        // An empty last segment (crash right after it was created): remove it.
        await unlink(path);
        await fsyncDir(this.logDir);
        continue;
      }
      this.segments.push({ firstIndex, path, offsets: scan.offsets, size: scan.validBytes, terms: scan.entries.map((e) => e.term) });
      for (const e of scan.entries) entries.push(e);
    }
    // Entries the snapshot covers are gone logically; a log from another history is dropped.
    const snapIndex = this.snapshotIndex;
    let kept = entries;
    if (this.snapshot && entries.length > 0) {
      const t = this.termAt(snapIndex);
      const first = entries[0]!.index;
      if (t !== undefined && t !== this.snapshot.meta.term) {
        // The log belongs to another history than the snapshot (crash while installing it).
        await this.dropAllSegments();
        kept = [];
      } else if (t === undefined && first <= snapIndex) {
        // The log ends before the snapshot: nothing in it is still needed.
        await this.dropAllSegments();
        kept = [];
      } else if (t === undefined && first > snapIndex + 1) {
        throw dataCorrupted(`Raft log starts at ${first} but the snapshot ends at ${snapIndex}`);
      } else {
        kept = entries.filter((e) => e.index > snapIndex);
      }
    }
    this.recoveredEntries = kept;
    const last = this.segments[this.segments.length - 1];
    if (last) this.fh = await open(last.path, 'r+');
  }

  load(): Promise<RaftInitialState> {
    const entries = this.recoveredEntries;
    this.recoveredEntries = [];
    return Promise.resolve({ hardState: this.hardState, snapshot: this.snapshot, entries });
  }

  save(update: PersistUpdate): Promise<void> {
    const p = this.chain.then(() => this.apply(update));
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async apply(u: PersistUpdate): Promise<void> {
    if (u.hardState) {
      await writeFileAtomic(join(this.dir, HARD_STATE_FILE), JSON.stringify(u.hardState));
      this.hardState = u.hardState;
    }
    if (u.snapshot) await this.saveSnapshot(u.snapshot);
    if (u.log) {
      await this.truncateFrom(Math.max(u.log.from, this.snapshotIndex + 1));
      const fresh = u.log.entries.filter((e) => e.index > this.snapshotIndex);
      if (fresh.length > 0) await this.append(fresh);
    }
  }

  private async saveSnapshot(snap: Snapshot): Promise<void> {
    if (snap.meta.index <= this.snapshotIndex) return;
    await writeFileAtomic(join(this.dir, SNAPSHOT_FILE), encodeSnapshotFile(snap));
    const t = this.termAt(snap.meta.index);
    this.snapshot = snap;
    if (t !== snap.meta.term) {
      // The log does not continue this snapshot (a follower installing a leader's snapshot).
      await this.dropAllSegments();
      return;
    }
    // Delete whole segments that the snapshot covers, oldest first, so a crash leaves a contiguous log.
    while (this.segments.length > 1 && this.segments[1]!.firstIndex <= snap.meta.index + 1) {
      const seg = this.segments.shift()!;
      await unlink(seg.path);
    }
    await fsyncDir(this.logDir);
  }

  private async dropAllSegments(): Promise<void> {
    await this.fh?.close();
    this.fh = null;
    // Newest first: a crash midway leaves a shorter, still contiguous log.
    while (this.segments.length > 0) await unlink(this.segments.pop()!.path);
    await fsyncDir(this.logDir);
  }

  private async truncateFrom(index: number): Promise<void> {
    if (index > this.physicalLast) return;
    let removed = false;
    while (this.segments.length > 0 && this.segments[this.segments.length - 1]!.firstIndex >= index) {
      const seg = this.segments.pop()!;
      if (this.fh) {
        await this.fh.close();
        this.fh = null;
      }
      await unlink(seg.path);
      removed = true;
    }
    if (removed) await fsyncDir(this.logDir);
    const seg = this.segments[this.segments.length - 1];
    if (!seg) return;
    const keep = index - seg.firstIndex;
    if (keep < seg.offsets.length) {
      const size = seg.offsets[keep]!;
      this.fh ??= await open(seg.path, 'r+');
      await this.fh.truncate(size);
      await this.fh.datasync();
      seg.offsets.length = keep;
      seg.terms.length = keep;
      seg.size = size;
    }
  }

  private async append(entries: readonly LogEntry[]): Promise<void> {
    const first = entries[0]!.index;
    let seg = this.segments[this.segments.length - 1];
    if (seg && first !== this.physicalLast + 1) throw internalError(`Raft log append at ${first} after ${this.physicalLast}`);
    if (!seg || seg.size >= this.segmentBytes) {
      await this.fh?.close();
      const path = join(this.logDir, segmentName(first));
      this.fh = await open(path, 'w+');
      await fsyncDir(this.logDir);
      seg = { firstIndex: first, path, offsets: [], size: 0, terms: [] };
      this.segments.push(seg);
    }
    this.fh ??= await open(seg.path, 'r+');
    const buf = encodeRecords(entries);
    let at = 0;
    while (at < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, at, buf.length - at, seg.size + at);
      at += bytesWritten;
    }
    await this.fh.datasync();
    let off = seg.size;
    for (const e of entries) {
      seg.offsets.push(off);
      seg.terms.push(e.term);
      off += recordBytes(e);
    }
    seg.size += buf.length;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh?.close();
    this.fh = null;
  }
}
