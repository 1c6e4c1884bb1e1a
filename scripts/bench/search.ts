/**
 * Search latency per kind of query, against a baseline measured in the same run.
 *   npx tsx scripts/bench/search.ts [layers=12] [heads=12] [neurons=1024]
 * Seeds a throw-away embedded Postgres with one published run of a gpt2-small-sized model (by default 12 × 12
 * heads, 1024 neurons per layer): two metrics per head, 20 top examples of 64 tokens per head and kind, and 12
 * top examples of 32 tokens per neuron. Then times `runSearch` (what /search and /api/v1/search run) for each
 * query form, median of 15 after a warm-up, and divides by the baseline: `listModels()`, the one read every
 * search makes whatever it asks. Text search scans every top example of the latest runs (no text index).
 */
import { startTestDatabase } from '../db/test-database';

const L = Number(process.argv[2] ?? 12);
const H = Number(process.argv[3] ?? 12);
const N = Number(process.argv[4] ?? 1024);
const ROUNDS = 15;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const db = await startTestDatabase();
process.env.DATABASE_URL = db.url;
try {
  const { upsertModel, listModels } = await import('../../lib/db/models');
  const { createRun, publishRun } = await import('../../lib/db/runs');
  const { saveHeadMetrics } = await import('../../lib/db/head-metrics');
  const { saveHeadExamples } = await import('../../lib/db/head-examples');
  const { saveNeuronCorpus } = await import('../../lib/db/neurons');
  const { fixtureModel, plantedValues } = await import('../../lib/api/openapi/contract-fixtures');
  const { runSearch } = await import('../../lib/search/search');
  const { closePrisma } = await import('../../lib/db/client');

  const model = { ...fixtureModel('bench-search', L, H), dMlp: N, nKvHeads: H };
  await upsertModel(model);
  const run = await createRun({ modelSlug: model.slug, options: {}, codeVersion: 'bench', seed: 1, metricVersions: { previous_token: 1, induction: 1 } });
  await saveHeadMetrics(run.id, plantedValues(L, H));
  // Words w0..w999 spread over examples; "w7 w926" (a phrase: consecutive words step by 919) occurs in some windows.
  const word = (i: number) => `▁w${(i * 7919) % 1000}`;
  const heads = [];
  for (let layer = 0; layer < L; layer++) {
    for (let head = 0; head < H; head++) {
      const examples = (['top_norm', 'top_attention'] as const).flatMap((kind) =>
        Array.from({ length: 20 }, (_, rank) => {
          const tokens = Array.from({ length: 64 }, (_, i) => word(layer * 1e5 + head * 1e3 + rank * 64 + i));
          return { kind, rank, value: 20 - rank, quantile: null, contextId: rank, docIndex: rank, position: 63, windowStart: 0, tokenIds: tokens.map((_, i) => i), tokens, acts: tokens.map(() => 1), attention: tokens.map((_, i): [number, number][] => [[i, 1]]) };
        }),
      );
      heads.push({ layer, head, examples, stats: { tokens: 100, mean: 1, std: 1, min: 0, max: 2, quantiles: [], normLo: 0, normHi: 2, normCounts: [0, 1, 0], attentionCounts: [0, 1, 0] } });
    }
  }
  await saveHeadExamples(run.id, heads, 1);
  const stat = { values: [1], mean: 1, std: 0 };
  for (let layer = 0; layer < L; layer++) {
    const neurons = Array.from({ length: N }, (_, neuron) => ({
      stats: {
        corpusSlug: 'bench', layer, site: 'post', neuron, count: 1e5, maxAct: 1, minAct: 0, mean: 0.1, variance: 0.2, skewness: 1, kurtosis: 4, density: 0.1,
        topTokenShare: 0.3, histLo: 0, histHi: 1, histogram: [0, 1, 0], quantileLevels: [0.5], quantiles: [0.1], minimalRate: null, comparison: null, warning: null,
        effects: { logitTop: [], logitBottom: [], inputTop: [] },
      },
      examples: Array.from({ length: 12 }, (_, rank) => {
        const tokens = Array.from({ length: 32 }, (_, i) => word(layer * 1e6 + neuron * 500 + rank * 32 + i + 7));
        return { kind: 'top' as const, rank, value: 1, contextId: rank, docIndex: rank, chunk: 0, position: 31, windowStart: 0, tokenIds: tokens.map((_, i) => i), tokens, acts: tokens.map(() => 0.5) };
      }),
    }));
    await saveNeuronCorpus(run.id, [{ corpusSlug: 'bench', layer, site: 'post', nNeurons: N, contexts: 100, tokens: 1e5, baseline: { directions: 1, stats: { max: stat } }, options: {} }], neurons);
  }
  await publishRun(run.id, 1);

  async function time(fn: () => Promise<unknown>): Promise<number> {
    await fn();
    const ts: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await fn();
      ts.push(performance.now() - t0);
    }
    return median(ts);
  }

  const baseline = await time(() => listModels());
  const queries = ['bench-search', 'L9H6', '9.6', 'L3N123', 'induction > 0.5', 'induction > 0.5 previous_token < 0.5', 'w7', '"w7 w926"', 'model:bench-search w999'];
  console.log(JSON.stringify({ model: `${L}x${H} heads, ${N} neurons/layer`, headExamples: L * H * 40, neuronExamples: L * N * 12, baselineMs: +baseline.toFixed(2) }));
  for (const q of queries) {
    const out = await runSearch(q);
    const ms = await time(() => runSearch(q));
    console.log(JSON.stringify({ q, results: out.results.length, ms: +ms.toFixed(1), ratioToBaseline: +(ms / baseline).toFixed(1) }));
  }
  await closePrisma();
} finally {
  await db.stop();
}
