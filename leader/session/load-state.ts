// Loads in progress, for stv_load_state and progress NOTICEs.

/** One running COPY. */
export interface LoadState {
  readonly query: number;
  readonly pid: number;
  readonly table: string;
  readonly startedMicros: bigint;
  bytes: number;
  rows: number;
  files: number;
  filesDone: number;
  currentFile: string;
}

/** The loads running on this leader. */
export class LoadStates {
  private readonly running = new Map<number, LoadState>();

  begin(state: LoadState): void {
    this.running.set(state.query, state);
  }

  end(query: number): void {
    this.running.delete(query);
  }

  all(): LoadState[] {
    return [...this.running.values()];
  }
}
