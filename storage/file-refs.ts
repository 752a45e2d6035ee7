// Reference counts on segment and delete-vector files held by open scans, so a file replaced by a
// commit or VACUUM is deleted only when the last scan reading its snapshot has finished.
import type { Logger } from '../common/log.ts';
import { unlinkQuiet } from './io/fs-durable.ts';

/** Tracks which files (slice-relative names) open snapshots still read, and deletes obsolete ones when free. */
export class FileRefs {
  private readonly counts = new Map<string, number>();
  private readonly obsolete = new Set<string>();

  /**
   * @param resolve turns a slice-relative file name into a path to delete
   * @param onDelete called with the relative name when a file is deleted (to evict caches)
   */
  constructor(private readonly log: Logger, private readonly resolve: (file: string) => string, private readonly onDelete: (file: string) => void) {}

  /** Marks files as in use by one more reader. */
  acquire(paths: readonly string[]): void {
    for (const p of paths) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
  }

  /** Drops one reader's hold; deletes files that are obsolete and no longer read. */
  release(paths: readonly string[]): void {
    for (const p of paths) {
      const c = (this.counts.get(p) ?? 1) - 1;
      if (c > 0) { this.counts.set(p, c); continue; }
      this.counts.delete(p);
      if (this.obsolete.has(p)) this.remove(p);
    }
  }

  /** Files no longer in the committed state: delete now, or when their last reader releases them. */
  retire(paths: readonly string[]): void {
    for (const p of paths) {
      if ((this.counts.get(p) ?? 0) > 0) this.obsolete.add(p);
      else this.remove(p);
    }
  }

  private remove(path: string): void {
    this.obsolete.delete(path);
    this.onDelete(path);
    unlinkQuiet(this.resolve(path)).catch((err: unknown) => this.log.warn({ err, path }, 'could not delete obsolete file'));
  }
}
