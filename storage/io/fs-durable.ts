// Durable file-system steps: fsync a file or directory, write a file atomically (temp, fsync, rename, fsync dir).
import { open, unlink } from 'node:fs/promises';

/** Suffix of temporary files; the store deletes any it finds on open. */
export const TEMP_SUFFIX = '.tmp';

/** fsyncs a file by path. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try { await fh.sync(); } finally { await fh.close(); }
}

// Directory fsync and atomic replacement are the project's one implementation in common/.
export { fsyncDir, writeFileAtomic } from '../../common/atomic-file.ts';

/** Deletes a file, ignoring "does not exist". */
export async function unlinkQuiet(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
