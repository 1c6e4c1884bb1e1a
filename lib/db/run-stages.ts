/**
 * A queued run's progress per stage (issue 15): head metrics, each corpus scan (its calibration and shards; a
 * comparison corpus is its own stage), finalize's per-layer jobs, publishing. Per stage: jobs, tokens, wall-clock
 * seconds since its first job started, tokens/s over that time (every worker together) and the time left.
 */
export interface StageProgress {
  stage: string;
  jobs: { total: number; done: number; active: number };
  tokens: { done: number; total: number };
  /** From the stage's first start to its last finish, or to now while it runs; 0 before it starts. */
  seconds: number;
  tokensPerSecond: number | null;
  /** Seconds left: by tokens when the stage counts them, else by finished jobs; 0 when done; null when unknown. */
  etaSeconds: number | null;
}

export interface StageJob {
  jobKey: string;
  kind: string;
  status: string;
  tokensDone: number;
  tokensTotal: number;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The stage a job belongs to: `head metrics`, a scan key (`neurons`, `neurons@python-stdlib-sample`), `finalize (per layer)`, `publish`. */
export function stageOf(job: { jobKey: string; kind: string }): string {
  if (job.kind === 'head-metrics') return 'head metrics';
  if (job.kind === 'calibrate' || job.kind === 'corpus-shard') return job.jobKey.slice(0, job.jobKey.indexOf(':'));
  if (job.kind === 'finalize-layer') return 'finalize (per layer)';
  if (job.kind === 'finalize') return 'publish';
  return job.kind;
}

export function summarizeStages(jobs: StageJob[], now: Date): StageProgress[] {
  const byStage = new Map<string, StageJob[]>();
  for (const j of jobs) byStage.set(stageOf(j), [...(byStage.get(stageOf(j)) ?? []), j]);
  const order = (s: string) => (s === 'head metrics' ? 0 : s === 'finalize (per layer)' ? 2 : s === 'publish' ? 3 : 1);
  return [...byStage]
    .sort(([a], [b]) => order(a) - order(b) || (a < b ? -1 : 1))
    .map(([stage, list]) => {
      const done = list.filter((j) => j.status === 'done').length;
      const tokensDone = list.reduce((a, j) => a + j.tokensDone, 0);
      const tokensTotal = list.reduce((a, j) => a + j.tokensTotal, 0);
      const starts = list.flatMap((j) => (j.startedAt ? [j.startedAt.getTime()] : []));
      const finished = done === list.length;
      const end = finished ? Math.max(...list.map((j) => j.finishedAt?.getTime() ?? 0)) : now.getTime();
      const seconds = starts.length > 0 ? Math.max(0, (end - Math.min(...starts)) / 1000) : 0;
      const tokensPerSecond = tokensDone > 0 && seconds > 0 ? tokensDone / seconds : null;
      // Tokens are known once every shard has counted its own (a shard reports its total when it starts).
      const tokensKnown = tokensTotal > 0 && list.every((j) => j.kind !== 'corpus-shard' || j.tokensTotal > 0);
      let etaSeconds: number | null = null;
      if (finished) etaSeconds = 0;
      else if (tokensKnown && tokensPerSecond) etaSeconds = (tokensTotal - tokensDone) / tokensPerSecond;
      else if (done > 0 && seconds > 0) etaSeconds = (seconds * (list.length - done)) / done;
      return {
        stage,
        jobs: { total: list.length, done, active: list.filter((j) => j.status === 'active').length },
        tokens: { done: tokensDone, total: tokensTotal },
        seconds,
        tokensPerSecond,
        etaSeconds,
      };
    });
}
