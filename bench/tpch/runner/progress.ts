// Progress on stderr: a redrawn bar on a TTY, plain periodic lines otherwise (logs, CI).

/** Where progress goes; stderr by default. */
export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

const BAR_WIDTH = 30;
const TTY_REDRAW_MS = 100;
const PLAIN_EVERY_MS = 5000;

/** One task's progress: `update(done)` as work completes, `finish()` at the end. */
export class Progress {
  private lastDraw = 0;
  private readonly started = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly sink: ProgressSink = process.stderr,
  ) {
    this.tty = sink.isTTY === true;
  }

  /** Changes the total (when it becomes known late). */
  setTotal(total: number): void {
    this.total = total;
  }

  /** Reports `done` of total units; `detail` is shown after the percentage. */
  update(done: number, detail = ''): void {
    const now = performance.now();
    if (now - this.lastDraw < (this.tty ? TTY_REDRAW_MS : PLAIN_EVERY_MS)) return;
    this.lastDraw = now;
    this.draw(done, detail, false);
  }

  /** Draws the final state and ends the line. */
  finish(detail = ''): void {
    this.draw(this.total, detail, true);
  }

  private draw(done: number, detail: string, final: boolean): void {
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const pct = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const secs = ((performance.now() - this.started) / 1000).toFixed(1);
    if (this.tty) {
      const filled = Math.round(fraction * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      this.sink.write(`\r\x1b[2K${this.label} [${bar}] ${pct} ${secs}s ${detail}${final ? '\n' : ''}`);
    } else if (final) {
      this.sink.write(`${this.label}: done in ${secs}s ${detail}\n`);
    } else {
      this.sink.write(`${this.label}: ${pct} (${done}/${this.total}) ${secs}s ${detail}\n`);
    }
  }
}
