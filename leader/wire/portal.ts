// A bound statement (portal) of the extended protocol: parameters, result formats and its running execution.
import type { Datum } from '../../sql/types/datum.ts';
import type { Execution, PreparedStatement } from '../session/backend-session.ts';

/** A prepared statement as the wire keeps it: empty query strings never reach the session. */
export interface WireStatement {
  readonly name: string;
  /** null for an empty query string (Execute answers EmptyQueryResponse). */
  readonly prepared: PreparedStatement | null;
}

/** A portal: created by Bind, run (possibly in several row-limited steps) by Execute, dropped by Close/Sync. */
export interface Portal {
  readonly name: string;
  readonly statement: WireStatement;
  readonly params: readonly Datum[];
  /** 0 text / 1 binary per result column. */
  readonly formats: Uint8Array;
  /** Started by the first Execute. */
  execution: Execution | null;
  /** Aborted by CancelRequest while this portal runs. */
  controller: AbortController | null;
  /** All rows sent and CommandComplete written; a further Execute repeats the tag. */
  finished: boolean;
  finalTag: string;
}

/** Stops a portal's cursor (rows cursors only; COPY runs to completion inside one Execute). */
export async function closePortal(p: Portal): Promise<void> {
  const exec = p.execution;
  p.execution = null;
  if (exec !== null && exec.kind === 'rows') await exec.close();
}
