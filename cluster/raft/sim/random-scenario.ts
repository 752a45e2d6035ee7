// One randomized simulation run per seed: faults, clients, then a liveness check and a linearizability check.
import { Prng } from '../prng.ts';
import type { NodeId } from '../raft-types.ts';
import { isVoter } from '../raft-types.ts';
import { KvWorkload } from './kv-workload.ts';
import { SafetyViolation } from './safety-checker.ts';
import { SimCluster, type SimConfig } from './sim-cluster.ts';

/** Knobs of a randomized run. */
export interface ScenarioOptions {
  /** Simulated ms of faults and client load. Default 1500. */
  readonly faultMs?: number;
  /** After faults stop, a leader must commit a new write everywhere within this many ms. Default 5000. */
  readonly livenessMs?: number;
  readonly trace?: boolean;
}

/** What a run did, and the first property it broke if any. */
export interface ScenarioResult {
  readonly seed: number;
  readonly ok: boolean;
  /** The broken property and details. */
  readonly failure?: string;
  /** The run's parameters, for reproducing it. */
  readonly setup: string;
  readonly events: number;
  readonly simMs: number;
  readonly faults: number;
  readonly leaderTerms: number;
  readonly committed: number;
  readonly ops: { ok: number; fail: number; unknown: number };
  /** Trace lines when tracing was on. */
  readonly trace: readonly string[];
}

/** Builds the simulation parameters a seed stands for. */
export function scenarioConfig(seed: number, trace: boolean): { config: SimConfig; membership: boolean } {
  const rng = new Prng(seed ^ 0x5bd1e995);
  const voters = rng.chance(0.6) ? 3 : 5;
  const membership = rng.chance(0.3);
  const total = membership ? voters + 2 : voters;
  const nodeIds: NodeId[] = [];
  for (let i = 1; i <= total; i++) nodeIds.push(`n${i}`);
  let preVote = rng.chance(0.8);
  const checkQuorum = rng.chance(0.8);
  // Without either, a removed server can disrupt the cluster forever (thesis 4.2.3).
  if (membership && !checkQuorum) preVote = true;
  const config: SimConfig = {
    seed,
    nodeIds,
    initialVoters: nodeIds.slice(0, voters),
    tickMs: 10,
    raft: {
      electionTicks: 10,
      heartbeatTicks: 2,
      maxEntriesPerAppend: rng.pick([1, 3, 64]),
      maxInflightEntries: rng.pick([2, 8, 256]),
      snapshotChunkBytes: rng.pick([8, 32, 4096]),
      preVote,
      checkQuorum,
    },
    snapshotEvery: rng.pick([0, 4, 10, 25]),
    net: {
      minDelay: 1,
      maxDelay: rng.pick([3, 10, 30]),
      dropRate: rng.pick([0, 0.02, 0.1, 0.25]),
      dupRate: rng.pick([0, 0.02, 0.1]),
    },
    fsyncMaxMs: rng.pick([0, 2, 8]),
    trace,
  };
  return { config, membership };
}

function describeSetup(c: SimConfig, membership: boolean): string {
  const r = c.raft;
  return `voters=${c.initialVoters.length} servers=${c.nodeIds.length} membership=${membership} preVote=${String(r.preVote)} `
    + `checkQuorum=${String(r.checkQuorum)} maxEntries=${String(r.maxEntriesPerAppend)} inflight=${String(r.maxInflightEntries)} `
    + `chunk=${String(r.snapshotChunkBytes)} snapshotEvery=${c.snapshotEvery} delay=${c.net.minDelay}-${c.net.maxDelay} `
    + `drop=${c.net.dropRate} dup=${c.net.dupRate} fsync<=${c.fsyncMaxMs}`;
}

/** Runs the scenario of one seed. Deterministic: the same seed gives the same run and trace. */
export function runRandomScenario(seed: number, opts: ScenarioOptions = {}): ScenarioResult {
  const faultMs = opts.faultMs ?? 1500;
  const livenessMs = opts.livenessMs ?? 5000;
  const { config, membership } = scenarioConfig(seed, opts.trace ?? false);
  const sim = new SimCluster(config);
  const rng = new Prng(seed ^ 0x27d4eb2f);
  const workload = new KvWorkload(sim, rng.fork(), { clients: 4, keys: 3, maxThinkMs: 20, timeoutMs: 800 });
  let faults = 0;
  let failure: string | undefined;
  let requestId = 1;

  const nemesis = (): void => {
    if (sim.now >= faultMs) return;
    faults++;
    const ids = sim.ids;
    const roll = rng.next();
    const leaderNow = sim.leader();
    if (roll < 0.15 && leaderNow) {
      // Cut the leader off (alone, or with one follower in a five-server cluster) while clients still talk to it.
      const others = ids.filter((id) => id !== leaderNow);
      const side = ids.length >= 5 && rng.chance(0.5) ? [leaderNow, rng.pick(others)] : [leaderNow];
      sim.net.partition([side]);
      sim.trace(`nemesis: isolate leader side [${side.join(',')}]`);
    } else if (roll < 0.27) {
      if (rng.chance(0.5)) {
        const lonely = rng.pick(ids);
        sim.net.partition([[lonely]]);
        sim.trace(`nemesis: isolate ${lonely}`);
      } else {
        const side = ids.filter(() => rng.chance(0.5));
        sim.net.partition([side]);
        sim.trace(`nemesis: partition [${side.join(',')}] | rest`);
      }
    } else if (roll < 0.42) {
      sim.net.heal();
      sim.trace('nemesis: heal');
    } else if (roll < 0.57) {
      const up = ids.filter((id) => sim.isUp(id));
      const victim = leaderNow && rng.chance(0.5) ? leaderNow : up.length > 0 ? rng.pick(up) : null;
      if (victim) sim.crash(victim);
    } else if (roll < 0.75) {
      const down = ids.filter((id) => !sim.isUp(id));
      if (down.length > 0) sim.restart(rng.pick(down));
    } else if (roll < 0.82) {
      // Crash and come straight back: loses unsynced writes (votes, entries) mid-election.
      const up = ids.filter((id) => sim.isUp(id));
      if (up.length > 0) {
        const victim = rng.pick(up);
        sim.crash(victim);
        sim.schedule(rng.range(1, 40), () => sim.restart(victim));
      }
    } else if (roll < 0.85) {
      // Two servers start elections at once: competing candidates in one term.
      const up = ids.filter((id) => sim.isUp(id));
      const a = up.length > 0 ? rng.pick(up) : null;
      const b = up.length > 1 ? rng.pick(up.filter((x) => x !== a)) : null;
      if (a) sim.campaign(a);
      if (b) sim.schedule(rng.int(5), () => sim.campaign(b));
      sim.trace(`nemesis: ${String(a)} and ${String(b)} campaign`);
    } else if (roll < 0.9) {
      const leader = leaderNow;
      if (leader) {
        const voters = sim.node(leader)!.config.voters.filter((m) => m.id !== leader);
        if (voters.length > 0) {
          const to = rng.pick(voters).id;
          const r = sim.transfer(leader, to);
          sim.trace(`nemesis: transfer ${leader} -> ${to}: ${r.ok ? 'started' : r.reason}`);
        }
      }
    } else if (membership) {
      const leader = sim.leader();
      if (leader) {
        const cfg = sim.node(leader)!.config;
        const outsiders = ids.filter((id) => !isVoter(cfg, id));
        const add = outsiders.length > 0 && (cfg.voters.length <= 3 || rng.chance(0.5));
        if (add) {
          const id = rng.pick(outsiders);
          const r = sim.confChange(leader, { kind: 'AddServer', member: { id, address: '' } }, requestId++);
          sim.trace(`nemesis: add ${id} via ${leader}: ${r.ok ? 'started' : r.reason}`);
        } else if (cfg.voters.length > 2) {
          const id = rng.pick(cfg.voters).id;
          const r = sim.confChange(leader, { kind: 'RemoveServer', id }, requestId++);
          sim.trace(`nemesis: remove ${id} via ${leader}: ${r.ok ? 'started' : r.reason}`);
        }
      }
    }
    sim.schedule(rng.range(30, 300), nemesis);
  };

  // Strike right after a vote or an acknowledgement left a server: a crash then loses whatever
  // that server wrote next but had not synced, which is where persistence bugs hide.
  sim.onRelease = (id, ready) => {
    if (sim.now >= faultMs) return;
    // Votes are rare, so strike often after one; acknowledgements are constant, so seldom.
    let p = 0;
    for (const m of ready.messages) {
      if (m.kind === 'RequestVoteReply' && m.granted && !m.preVote) p = 0.25;
      else if (m.kind === 'AppendEntriesReply' && p === 0) p = 0.02;
    }
    if (p === 0 || !rng.chance(p)) return;
    faults++;
    sim.schedule(rng.int(3), () => {
      sim.crash(id);
      sim.schedule(rng.range(1, 20), () => sim.restart(id));
    });
  };

  try {
    workload.start(faultMs + 300);
    sim.schedule(rng.range(50, 250), nemesis);
    sim.runUntil(faultMs);

    // Faults stop: heal everything, restart everyone, no more loss.
    sim.net.heal();
    sim.net.config.dropRate = 0;
    sim.net.config.dupRate = 0;
    for (const id of sim.ids) sim.restart(id);
    sim.trace('nemesis: stop; healed and restarted everything');
    const deadline = sim.now + livenessMs;
    // Liveness: PROBES writes, one after another, must commit, and every voter must apply them.
    const PROBES = 3;
    let probe: { index: number; leader: NodeId } | null = null;
    let committedProbes = 0;
    let probing = false;
    let probeValue = 1_000_000;
    const live = (): boolean => {
      const leader = sim.leader();
      if (!leader) return false;
      if (committedProbes < PROBES && !probing) {
        // One probe write at a time; a probe stuck on a deposed leader is retried after a timeout.
        probing = true;
        let settled = false;
        const settle = (index: number): void => {
          if (settled) return;
          settled = true;
          probing = false;
          if (index > 0) {
            probe = { index, leader };
            committedProbes++;
          }
        };
        sim.write(leader, 65_000, probeValue++, (o) => settle(o.status === 'ok' ? o.index : 0));
        sim.schedule(500, () => settle(0));
        return false;
      }
      if (!probe || committedProbes < PROBES) return false;
      const node = sim.node(leader);
      if (!node) return false;
      for (const m of node.config.voters) {
        if (sim.stateMachine(m.id).appliedIndex < probe.index || !sim.isUp(m.id)) return false;
      }
      return true;
    };
    if (!sim.runUntilTrue(live, deadline)) {
      failure = `Liveness: ${committedProbes} of ${PROBES} writes committed and replicated within ${livenessMs} ms after faults stopped\n${sim.describe()}`;
    } else {
      workload.stop();
      sim.runUntilTrue(() => workload.pending === 0, sim.now + 2000);
      sim.checker.checkLogMatching(sim.liveNodes());
      const lin = workload.check();
      if (lin) failure = `Linearizability: ${lin}`;
    }
  } catch (err) {
    if (!(err instanceof SafetyViolation)) {
      failure = `Crash: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    } else {
      failure = err.message;
    }
  }
  return {
    seed,
    ok: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
    setup: describeSetup(config, membership),
    events: sim.events,
    simMs: sim.now,
    faults,
    leaderTerms: sim.checker.leaderTerms,
    committed: sim.checker.highestCommitted,
    ops: { ...workload.counts },
    trace: sim.traceLines,
  };
}

/** A failing run, replayed with tracing, as text: seed, setup, failure and the trace's tail. */
export function explainFailure(seed: number, opts: ScenarioOptions = {}, tail = 200): string {
  const r = runRandomScenario(seed, { ...opts, trace: true });
  const lines = r.trace.slice(-tail);
  return [
    `seed ${seed} ${r.ok ? 'passed when replayed (nondeterminism!)' : 'FAILED'}`,
    `setup: ${r.setup}`,
    `failure: ${r.failure ?? '-'}`,
    `replay: npx tsx cluster/raft/sim/run-seeds.ts --seed ${seed} --trace`,
    `last ${lines.length} of ${r.trace.length} trace lines:`,
    ...lines,
  ].join('\n');
}
