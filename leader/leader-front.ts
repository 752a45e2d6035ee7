// The front of a local cluster with several leader processes (`colonnade start --leaders 3`): it
// holds the client and cluster ports and forwards each new connection to the leader process that
// serves now. Each serving leader says where in `<its data dir>/serving.json` with its Raft term;
// the highest term wins, so a leader that hangs (SIGSTOP) without dying, and so keeps its own
// ports, is passed over as soon as a standby is elected. On separate hosts each leader binds the
// ports itself and clients list every host; the front is for one host, where ports cannot be shared.
import { readFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '../common/log.ts';
import { SERVING_FILE } from './leader.ts';

interface Serving { term: number; host: string; port: number; clusterPort: number; pid: number }

/** A running front. */
export interface LeaderFront {
  stop(): Promise<void>;
}

/** Listens on `port` (clients) and `clusterPort` (compute nodes) and forwards to the serving leader among `dirs`. */
export async function startLeaderFront(host: string, port: number, clusterPort: number, dirs: readonly string[], log: Logger): Promise<LeaderFront> {
  let current: Serving | null = null;
  const poll = async (): Promise<void> => {
    let best: Serving | null = null;
    for (const d of dirs) {
      try {
        const s = JSON.parse(await readFile(join(d, SERVING_FILE), 'utf8')) as Serving;
        if (best === null || s.term > best.term) best = s;
      } catch {
        // not serving (or the file is being replaced)
      }
    }
    if (best !== null && (current === null || best.term !== current.term || best.port !== current.port)) {
      log.info({ term: best.term, port: best.port, pid: best.pid }, 'forwarding to the serving leader');
      current = best;
    }
  };
  const timer = setInterval(() => { void poll(); }, 100);
  timer.unref();
  await poll();
  const sockets = new Set<Socket>();
  const forward = (which: 'port' | 'clusterPort') => (down: Socket): void => {
    sockets.add(down);
    down.on('close', () => sockets.delete(down));
    const target = current;
    if (target === null) { down.destroy(); return; }
    const up = connect(target[which], target.host);
    sockets.add(up);
    up.on('close', () => sockets.delete(up));
    const drop = (): void => { down.destroy(); up.destroy(); };
    down.on('error', drop); up.on('error', drop);
    down.on('close', drop); up.on('close', drop);
    down.pipe(up);
    up.pipe(down);
  };
  const listen = (server: Server, p: number): Promise<void> => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, host, () => resolve());
  });
  const clients = createServer(forward('port'));
  const nodes = createServer(forward('clusterPort'));
  await listen(clients, port);
  await listen(nodes, clusterPort);
  return {
    async stop() {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      await Promise.all([clients, nodes].map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    },
  };
}
