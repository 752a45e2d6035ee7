// Test helper process: appends to a FileStableStore forever, printing each index once save() resolved.
// Usage: node --import tsx cluster/raft/testing/store-writer-process.ts <dir>
import { silentLogger } from '../../../common/log.ts';
import { FileStableStore } from '../file-stable-store.ts';
import { EntryType, type LogEntry } from '../raft-types.ts';
import { payloadFor } from './writer-payload.ts';

async function main(dir: string): Promise<void> {
  const store = await FileStableStore.open({ dir, log: silentLogger(), segmentBytes: 8192 });
  const st = await store.load();
  let next = st.entries.length > 0 ? st.entries[st.entries.length - 1]!.index + 1 : (st.snapshot?.meta.index ?? 0) + 1;
  for (;;) {
    const e: LogEntry = { index: next, term: next, type: EntryType.Command, data: payloadFor(next) };
    // Hard state first, then the entry: the order RaftServer uses.
    await store.save({ hardState: { term: next, votedFor: null }, log: { from: next, entries: [e] } });
    if (next % 40 === 0) {
      const at = next - 10;
      await store.save({ snapshot: { meta: { index: at, term: at, config: { voters: [] } }, data: new TextEncoder().encode(`snap ${at}`) } });
    }
    process.stdout.write(`${next}\n`);
    next++;
  }
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: store-writer-process.ts <dir>');
await main(dir);
