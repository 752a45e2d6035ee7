// A TCP proxy that can cut the network between two processes without closing anything: while cut,
// bytes in both directions are held (as a partition or a dead switch would), and a heal lets them
// through again. Connections opened while cut wait until the heal.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A proxy from a local port to `target`. */
export class FaultProxy {
  private readonly pairs = new Set<{ a: Socket; b: Socket }>();
  private isCut = false;
  private readonly waiting: { socket: Socket; open: () => void }[] = [];

  private constructor(private readonly server: Server, readonly port: number) {}

  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    let proxy: FaultProxy | null = null;
    const server = createServer((a) => proxy!.accept(a, targetHost, targetPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    proxy = new FaultProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  private accept(a: Socket, host: string, port: number): void {
    const open = (): void => {
      const b = connect(port, host);
      const pair = { a, b };
      this.pairs.add(pair);
      const drop = (): void => { a.destroy(); b.destroy(); this.pairs.delete(pair); };
      a.on('error', drop); b.on('error', drop);
      a.on('close', drop); b.on('close', drop);
      if (!this.isCut) { a.pipe(b); b.pipe(a); }
    };
    if (this.isCut) { a.pause(); this.waiting.push({ socket: a, open }); } else open();
  }

  /** Holds every byte in both directions from now on. */
  cut(): void {
    this.isCut = true;
    // Unpiped and paused: nothing is read, so the kernel buffers fill and the senders stall.
    for (const { a, b } of this.pairs) { a.unpipe(b); b.unpipe(a); a.pause(); b.pause(); }
  }

  /** Lets held and new bytes through again. */
  heal(): void {
    this.isCut = false;
    for (const { a, b } of this.pairs) { a.pipe(b); b.pipe(a); }
    for (const w of this.waiting.splice(0)) w.open();
  }

  async close(): Promise<void> {
    for (const { a, b } of this.pairs) { a.destroy(); b.destroy(); }
    for (const w of this.waiting.splice(0)) w.socket.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
