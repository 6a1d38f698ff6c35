// Progress of long work (snapshot exports and imports, config preloads, garbage collection, scans): on a terminal one
// line redrawn in place (`export 1234/5678 files 21%`), elsewhere a plain line at each tenth (`export: 20%
// (1136/5678 files)`), so a CI log gets at most eleven lines per task. Work that runs in the background (GC, scans)
// asks for `afterMs`: nothing is written unless it is still running then, so quick runs stay silent. The library
// reports through a sink it is given; the CLI passes stderr.
export interface ProgressSink {
  write(text: string): void;
  /** a terminal: redraw one line with \r */
  tty: boolean;
}

export interface Progress {
  /** `n` more units done */
  tick(n?: number): void;
  done(): void;
}

export interface ProgressOptions {
  /** write nothing until the task has run this long (background work: only long runs show) */
  afterMs?: number;
}

export type ProgressFactory = (task: string, total: number, unit: string, opts?: ProgressOptions) => Progress;

export const noProgress: ProgressFactory = () => ({ tick() {}, done() {} });

export function progressTo(sink: ProgressSink): ProgressFactory {
  return (task, total, unit, opts = {}) => {
    const started = Date.now();
    const quietUntil = started + (opts.afterMs ?? 0);
    let done = 0;
    let lastTenth = -1;
    let lastDraw = 0;
    const pct = () => (total > 0 ? Math.floor((done / total) * 100) : 100);
    const draw = (final: boolean) => {
      if (Date.now() < quietUntil) return;
      if (sink.tty) {
        const now = Date.now();
        if (!final && now - lastDraw < 100) return;
        lastDraw = now;
        sink.write(`\r${task} ${done}/${total} ${unit} ${pct()}%${final ? '\n' : ''}`);
        return;
      }
      const tenth = Math.floor(pct() / 10);
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      sink.write(`${task}: ${pct()}% (${done}/${total} ${unit})\n`);
    };
    draw(false);
    return {
      tick(n = 1) {
        done = Math.min(total, done + n);
        draw(false);
      },
      done() {
        done = total;
        draw(true);
      },
    };
  };
}
