import { Presets, SingleBar } from 'cli-progress';
import type { BenchProgress } from '../loadtest/bench.js';
import { stepRow } from '../loadtest/table.js';

/** A progress bar on stderr (TTY only); without a TTY one line per finished step, unless disabled (--json). */
export function benchProgress(enabled: boolean): BenchProgress & { stop(): void } {
  const tty = enabled && process.stderr.isTTY === true;
  const bar = tty
    ? new SingleBar(
        { format: 'bench [{bar}] {percentage}% | {label} | {step}', stream: process.stderr, hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  let started = false;
  let done = 0;
  let total = 1;
  return {
    begin(label, steps) {
      total = Math.max(1, steps);
      done = 0;
      if (bar) {
        if (started) bar.stop();
        bar.start(total * 100, 0, { label, step: 'starting' });
        started = true;
      } else if (enabled) process.stderr.write(`bench: ${label}\n`);
    },
    status(desc) {
      bar?.update(done * 100, { step: desc });
    },
    tick(fraction) {
      bar?.update(Math.min(total, done + fraction) * 100);
    },
    end(step) {
      done++;
      if (done > total) {
        total = done;
        bar?.setTotal(total * 100);
      }
      bar?.update(done * 100);
      if (!bar && enabled) process.stderr.write(`  ${stepRow(step).join('  ')}\n`);
    },
    stop() {
      if (bar && started) bar.stop();
      started = false;
    },
  };
}
