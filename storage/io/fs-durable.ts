// Durable file-system steps: fsync a file or directory, write a file atomically (temp, fsync, rename, fsync dir).
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Suffix of temporary files; the store deletes any it finds on open. */
export const TEMP_SUFFIX = '.tmp';

/** fsyncs a file by path. */
export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** fsyncs a directory, so renames and new names in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Writes `bytes` to `path` atomically: temp file, fsync, rename over, fsync the directory. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = path + TEMP_SUFFIX;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** Deletes a file, ignoring "does not exist". */
export async function unlinkQuiet(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
