import { describe, expect, it } from 'vitest';
import { stageOf, summarizeStages, type StageJob } from './run-stages';

const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const job = (jobKey: string, kind: string, status: string, extra: Partial<StageJob> = {}): StageJob => ({
  jobKey,
  kind,
  status,
  tokensDone: 0,
  tokensTotal: 0,
  startedAt: null,
  finishedAt: null,
  ...extra,
});

describe('run progress per stage', () => {
  it('names stages from job keys: scans per corpus, finalize parts, publish', () => {
    expect(stageOf({ jobKey: 'head-metrics:texts', kind: 'head-metrics' })).toBe('head metrics');
    expect(stageOf({ jobKey: 'neurons@python-stdlib-sample:0001/4', kind: 'corpus-shard' })).toBe('neurons@python-stdlib-sample');
    expect(stageOf({ jobKey: 'neurons:calibrate', kind: 'calibrate' })).toBe('neurons');
    expect(stageOf({ jobKey: 'finalize-layer:0003/12', kind: 'finalize-layer' })).toBe('finalize (per layer)');
    expect(stageOf({ jobKey: 'finalize', kind: 'finalize' })).toBe('publish');
  });

  it('tokens/s over the stage’s wall-clock time (all workers together) and the time left from the tokens to read', () => {
    const jobs = [
      job('neurons:calibrate', 'calibrate', 'done', { startedAt: t(0), finishedAt: t(2) }),
      job('neurons:0000/2', 'corpus-shard', 'done', { tokensDone: 600, tokensTotal: 600, startedAt: t(2), finishedAt: t(8) }),
      job('neurons:0001/2', 'corpus-shard', 'active', { tokensDone: 400, tokensTotal: 1000, startedAt: t(2) }),
      job('head-metrics:texts', 'head-metrics', 'done', { startedAt: t(0), finishedAt: t(4) }),
      job('finalize', 'finalize', 'queued'),
    ];
    const [head, neurons, publish] = summarizeStages(jobs, t(10));
    expect(head).toMatchObject({ stage: 'head metrics', seconds: 4, etaSeconds: 0, jobs: { total: 1, done: 1, active: 0 } });
    // 1,000 tokens in 10 s: 100 tokens/s; 600 left → 6 s.
    expect(neurons).toMatchObject({
      stage: 'neurons',
      seconds: 10,
      tokensPerSecond: 100,
      etaSeconds: 6,
      tokens: { done: 1000, total: 1600 },
    });
    expect(publish).toMatchObject({ stage: 'publish', seconds: 0, tokensPerSecond: null, etaSeconds: null });
  });

  it('without token counts, the time left comes from finished jobs; unknown before any finishes', () => {
    const jobs = [
      job('finalize-layer:0000/4', 'finalize-layer', 'done', { startedAt: t(0), finishedAt: t(3) }),
      job('finalize-layer:0001/4', 'finalize-layer', 'active', { startedAt: t(0) }),
      job('finalize-layer:0002/4', 'finalize-layer', 'queued'),
      job('finalize-layer:0003/4', 'finalize-layer', 'queued'),
    ];
    // 1 of 4 done after 4 s → 3 more × 4 s.
    expect(summarizeStages(jobs, t(4))[0]).toMatchObject({ seconds: 4, etaSeconds: 12, tokensPerSecond: null });
    expect(
      summarizeStages(
        jobs.map((j) => ({ ...j, status: 'queued', finishedAt: null })),
        t(4),
      )[0].etaSeconds,
    ).toBeNull();
  });
});
