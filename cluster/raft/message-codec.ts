// JSON wire form of Raft messages (bytes as base64) and its validating decoder for untrusted input.
import { protocolViolation } from '../../common/errors/index.ts';
import type { RaftMessage } from './raft-message.ts';
import { parseConfig, type EntryTypeCode, type LogEntry } from './raft-types.ts';

/** A message as plain JSON: the same fields, with byte arrays as base64 strings. */
export type WireMessage = Record<string, unknown>;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function fromB64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/** Encodes a message for a JSON transport. */
export function encodeMessage(m: RaftMessage): WireMessage {
  switch (m.kind) {
    case 'AppendEntries':
      return { ...m, entries: m.entries.map((e) => ({ i: e.index, t: e.term, y: e.type, d: b64(e.data) })) };
    case 'InstallSnapshot':
      return { ...m, data: b64(m.data) };
    default:
      return { ...m };
  }
}

class Reader {
  constructor(private readonly o: Record<string, unknown>) {}

  num(k: string): number {
    const v = this.o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw protocolViolation(`raft message field ${k} must be a non-negative integer`);
    return v;
  }

  str(k: string): string {
    const v = this.o[k];
    if (typeof v !== 'string') throw protocolViolation(`raft message field ${k} must be a string`);
    return v;
  }

  bool(k: string): boolean {
    const v = this.o[k];
    if (typeof v !== 'boolean') throw protocolViolation(`raft message field ${k} must be a boolean`);
    return v;
  }

  raw(k: string): unknown {
    return this.o[k];
  }
}

function decodeEntries(v: unknown, prevLogIndex: number): LogEntry[] {
  if (!Array.isArray(v)) throw protocolViolation('raft message field entries must be an array');
  const out: LogEntry[] = [];
  for (const x of v) {
    if (typeof x !== 'object' || x === null) throw protocolViolation('malformed raft log entry');
    const r = new Reader(x as Record<string, unknown>);
    const index = r.num('i');
    const type = r.num('y');
    if (index !== prevLogIndex + 1 + out.length) throw protocolViolation('raft log entries are not contiguous');
    if (type > 3) throw protocolViolation(`unknown raft entry type ${type}`);
    out.push({ index, term: r.num('t'), type: type as EntryTypeCode, data: fromB64(r.str('d')) });
  }
  return out;
}

/** Validates and decodes a message from the wire; throws 08P01 on any malformed field. */
export function decodeMessage(v: unknown): RaftMessage {
  if (typeof v !== 'object' || v === null) throw protocolViolation('raft message must be an object');
  const r = new Reader(v as Record<string, unknown>);
  const kind = r.str('kind');
  const from = r.str('from');
  const to = r.str('to');
  const term = r.num('term');
  switch (kind) {
    case 'RequestVote':
      return {
        kind, from, to, term, lastLogIndex: r.num('lastLogIndex'), lastLogTerm: r.num('lastLogTerm'),
        preVote: r.bool('preVote'), transfer: r.bool('transfer'),
      };
    case 'RequestVoteReply':
      return { kind, from, to, term, granted: r.bool('granted'), preVote: r.bool('preVote') };
    case 'AppendEntries': {
      const prevLogIndex = r.num('prevLogIndex');
      return {
        kind, from, to, term, prevLogIndex, prevLogTerm: r.num('prevLogTerm'), entries: decodeEntries(r.raw('entries'), prevLogIndex),
        leaderCommit: r.num('leaderCommit'), readSeq: r.num('readSeq'),
      };
    }
    case 'AppendEntriesReply':
      return {
        kind, from, to, term, success: r.bool('success'), matchIndex: r.num('matchIndex'), rejectIndex: r.num('rejectIndex'),
        conflictTerm: r.num('conflictTerm'), conflictIndex: r.num('conflictIndex'), readSeq: r.num('readSeq'),
      };
    case 'InstallSnapshot': {
      let config;
      try {
        config = parseConfig(r.raw('config'));
      } catch {
        throw protocolViolation('malformed cluster configuration in InstallSnapshot');
      }
      return {
        kind, from, to, term, lastIndex: r.num('lastIndex'), lastTerm: r.num('lastTerm'), config, offset: r.num('offset'),
        totalBytes: r.num('totalBytes'), data: fromB64(r.str('data')), done: r.bool('done'), readSeq: r.num('readSeq'),
      };
    }
    case 'InstallSnapshotReply':
      return {
        kind, from, to, term, lastIndex: r.num('lastIndex'), nextOffset: r.num('nextOffset'), done: r.bool('done'), readSeq: r.num('readSeq'),
      };
    case 'TimeoutNow':
      return { kind, from, to, term };
    default:
      throw protocolViolation(`unknown raft message kind ${kind}`);
  }
}
