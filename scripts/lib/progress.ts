import cliProgress from 'cli-progress';

/** What a step's done/total count (the steps of the in-process run report different units). */
export function stepUnit(step: string): string {
  if (step.startsWith('neuron scan') || step.startsWith('calibrat')) return 'docs';
  if (step.startsWith('head examples')) return 'contexts';
  return 'steps';
}

/**
 * Rate since the step began and the time left at that rate ('' until measurable). `doneAtStart`: the count when the
 * step began — steps that share one count (each head metric is a step of the metrics' 18) are timed on their own part.
 */
export function rateAndEta(done: number, total: number, seconds: number, unit: string, doneAtStart = 0): string {
  if (!(done > doneAtStart && seconds > 0)) return '';
  const rate = (done - doneAtStart) / seconds;
  const left = Math.max(0, (total - done) / rate);
  const fmt = (s: number) =>
    s < 60 ? `${Math.round(s)} s` : s < 3600 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${(s / 3600).toFixed(1)} h`;
  return `${rate >= 10 ? Math.round(rate) : rate.toFixed(2)} ${unit}/s, ETA ${fmt(left)}`;
}

/**
 * One progress bar per named step, with its rate and time left, redrawn in place on a terminal and printed as
 * plain lines when stdout is not a TTY (CI logs, Playwright's webServer).
 */
export function makeProgressReporter() {
  const tty = Boolean(process.stdout.isTTY);
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  let lastLogged = -1;
  let stepStart = 0;
  let doneAtStart = 0;

  function report(p: { step: string; done: number; total: number }) {
    if (p.step !== current) {
      bar?.stop();
      bar = null;
      current = p.step;
      lastLogged = -1;
      stepStart = performance.now();
      doneAtStart = p.done;
      if (tty) {
        bar = new cliProgress.SingleBar(
          { format: `  ${p.step.padEnd(28)} [{bar}] {value}/{total} {rate}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, 0, { rate: '' });
      }
    }
    const rate = rateAndEta(p.done, p.total, (performance.now() - stepStart) / 1000, stepUnit(p.step), doneAtStart);
    if (bar) {
      bar.setTotal(p.total);
      bar.update(p.done, { rate });
    } else {
      const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
      if (pct >= lastLogged + 25 || p.done === p.total) {
        console.log(`  ${p.step}: ${p.done}/${p.total} (${pct}%)${rate ? ` ${rate}` : ''}`);
        lastLogged = pct;
      }
    }
  }
  function finish() {
    bar?.stop();
    bar = null;
    current = '';
  }
  return { report, finish };
}
