// What every session of a leader shares: catalog, cluster membership, dispatcher, logger.
import type { Logger } from '../common/log.ts';
import type { NodeRegistry } from '../cluster/membership/node-registry.ts';
import type { Catalog } from './catalog/catalog.ts';
import type { ClusterDispatcher } from './scheduling/cluster-dispatcher.ts';
import type { LoadErrorLog } from './session/load-error-log.ts';
import type { QueryLog } from './session/query-log.ts';
import type { LoadStates } from './session/load-state.ts';
import type { Recovery } from './scheduling/recovery.ts';

/** Colonnade's own version. */
export const COLONNADE_VERSION = '0.1.0';

/** Shared leader state handed to each session. */
export interface ServerContext {
  readonly catalog: Catalog;
  readonly registry: NodeRegistry;
  readonly dispatcher: ClusterDispatcher;
  readonly log: Logger;
  /** Text of version(). */
  readonly versionString: string;
  /** Rows rejected by loads (stl_load_errors). */
  readonly loadErrors: LoadErrorLog;
  /** Loads in progress (stv_load_state). */
  readonly loads: LoadStates;
  /** Recent statements (stl_query); it hands out query ids. */
  readonly queries: QueryLog;
  /** Catch-up of nodes that are behind (stv_nodes shows its progress). */
  readonly recovery: Recovery;
}
