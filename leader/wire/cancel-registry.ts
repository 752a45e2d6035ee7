// Maps BackendKeyData (process id + secret key) to live connections so a CancelRequest can reach them.
import { randomInt } from 'node:crypto';

/** What a CancelRequest can do to a connection: abort its running statement, if any. */
export interface Cancellable {
  cancelRunningStatement(): void;
}

/**
 * Hands out process ids (unique per server, counting up from a random start) with random 32-bit
 * secret keys, and routes cancel requests that quote both correctly. A wrong key is ignored
 * silently, as PostgreSQL does, so the key cannot be probed.
 */
export class CancelRegistry {
  private nextPid = randomInt(10_000, 1_000_000);
  private readonly live = new Map<number, { secretKey: number; target: Cancellable }>();

  /** Registers a connection; returns its process id and secret key for BackendKeyData. */
  register(target: Cancellable): { processId: number; secretKey: number } {
    const processId = this.nextPid;
    this.nextPid = this.nextPid >= 0x7fffffff ? 10_000 : this.nextPid + 1;
    const secretKey = randomInt(-0x80000000, 0x7fffffff);
    this.live.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(processId: number): void {
    this.live.delete(processId);
  }

  /** Cancels the running statement of `processId` when `secretKey` matches; returns whether it did. */
  cancel(processId: number, secretKey: number): boolean {
    const entry = this.live.get(processId);
    if (entry === undefined || entry.secretKey !== secretKey) return false;
    entry.target.cancelRunningStatement();
    return true;
  }
}
