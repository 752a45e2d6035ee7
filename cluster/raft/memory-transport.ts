// An in-process RaftTransport for tests: a shared hub that delivers asynchronously and can cut links.
import type { RaftMessage } from './raft-message.ts';
import type { RaftTransport } from './raft-transport.ts';
import type { NodeId, RaftMember } from './raft-types.ts';

/** Connects in-process transports; messages arrive on a later macrotask, like a network's. */
export class MemoryNetwork {
  private readonly handlers = new Map<NodeId, (m: RaftMessage) => void>();
  private readonly isolated = new Set<NodeId>();

  /** The transport of server `id`. */
  transport(id: NodeId): MemoryTransport {
    return new MemoryTransport(id, this);
  }

  /** Cuts every link to and from `id` until {@link heal}. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.isolated.clear();
  }

  /** @internal Used by MemoryTransport. */
  register(id: NodeId, handler: ((m: RaftMessage) => void) | null): void {
    if (handler) this.handlers.set(id, handler);
    else this.handlers.delete(id);
  }

  /** @internal Used by MemoryTransport. */
  deliver(from: NodeId, to: NodeId, m: RaftMessage): void {
    if (this.isolated.has(from) || this.isolated.has(to)) return;
    setImmediate(() => {
      if (this.isolated.has(from) || this.isolated.has(to)) return;
      this.handlers.get(to)?.(m);
    });
  }
}

/** One server's end of a {@link MemoryNetwork}. */
export class MemoryTransport implements RaftTransport {
  constructor(private readonly id: NodeId, private readonly network: MemoryNetwork) {}

  send(to: NodeId, message: RaftMessage): void {
    this.network.deliver(this.id, to, message);
  }

  onMessage(handler: (message: RaftMessage) => void): void {
    this.network.register(this.id, handler);
  }

  updatePeers(_members: readonly RaftMember[]): void {
    // Every server on the hub is reachable by id.
  }

  close(): Promise<void> {
    this.network.register(this.id, null);
    return Promise.resolve();
  }
}
