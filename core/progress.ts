/**
 * Progress for long loads: a redrawn bar on a terminal, plain lines otherwise, nothing with --json.
 */
export interface Progress {
  /** A new step, e.g. "validating worker_month.csv". `total` rows when known. */
  step(message: string, done?: number, total?: number): void;
  done(): void;
}

export const silentProgress: Progress = { step() {}, done() {} };

export function createProgress(opts: { json?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.json) return silentProgress;
  if (!stream.isTTY) {
    return {
      step(message) {
        stream.write(`${message}\n`);
      },
      done() {},
    };
  }
  let steps = 0;
  return {
    step(message, done, total) {
      steps++;
      const width = 24;
      const frac = total ? Math.min(1, (done ?? 0) / total) : (steps % 10) / 10;
      const filled = Math.round(frac * width);
      const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
      const count = total ? ` ${(done ?? 0).toLocaleString("en-GB")}/${total.toLocaleString("en-GB")}` : "";
      const line = `${bar}${count} ${message}`;
      stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
    },
    done() {
      stream.write("\r\x1b[2K");
    },
  };
}
