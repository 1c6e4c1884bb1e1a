/**
 * Search latency per kind of query, against a baseline measured in the same run.
 *   npx tsx scripts/bench/search.ts [layers=12] [heads=12] [neurons=1024]
 * Seeds a throw-away embedded Postgres with one published run of a gpt2-small-sized model (by default 12 × 12
 * heads, 1024 neurons per layer): two metrics per head, 20 top examples of 64 tokens per head and kind, and 12
 * top examples of 32 tokens per neuron. Then times `runSearch` (what /search and /api/v1/search run) for each
 * query form, median of 15 after a warm-up, and divides by the baseline: `listModels()`, the one read every
 * search makes whatever it asks. Text search reads the ExampleSearchText table (pg_trgm index); for text queries
 * the script also times, in the same run, the scan it replaced (decoding every stored top example per query:
 * `scanMs`, SQL kept below) and checks both find the same units in the same order.
 */
import { startTestDatabase } from '../../lib/postgres/test-database';

const L = Number(process.argv[2] ?? 12);
const H = Number(process.argv[3] ?? 12);
const N = Number(process.argv[4] ?? 1024);
const ROUNDS = 15;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// SEARCH_BENCH_DATABASE_URL: time text search on an existing database (e.g. `npm start`'s, with the bundled
// stories260K run) instead of seeding a synthetic one; only the text queries, on its first model with a run.
const existing = process.env.SEARCH_BENCH_DATABASE_URL;
const db = existing ? { url: existing, stop: async () => {} } : await startTestDatabase();
process.env.DATABASE_URL = db.url;
try {
  const { upsertModel, listModels } = await import('../../lib/db/models');
  const { createRun, publishRun } = await import('../../lib/db/runs');
  const { saveHeadMetrics } = await import('../../lib/db/head-metrics');
  const { saveHeadExamples } = await import('../../lib/db/head-examples');
  const { saveNeuronCorpus } = await import('../../lib/db/neurons');
  const { fixtureModel, plantedValues } = await import('../../lib/api/openapi/contract-fixtures');
  const { runSearch, MAX_RESULTS } = await import('../../lib/search/search');
  const { parseSearchQuery } = await import('../../lib/search/parse');
  const { likePattern } = await import('../../lib/search/like-pattern');
  const { closePrisma, getPrisma } = await import('../../lib/db/client');
  const { insertSearchTexts, searchTextRows } = await import('../../lib/db/example-search-text');
  const { LONG_TRANSACTION } = await import('../../lib/db/run-lock');

  const model = existing ? (await listModels()).find((x) => x.latestRun)! : { ...fixtureModel('bench-search', L, H), dMlp: N, nKvHeads: H };
  if (!existing) await seed();
  async function seed() {
    await upsertModel(model as ReturnType<typeof fixtureModel>);
    const run = await createRun({
      modelSlug: model.slug,
      options: {},
      codeVersion: 'bench',
      seed: 1,
      metricVersions: { previous_token: 1, induction: 1 },
    });
    await saveHeadMetrics(run.id, plantedValues(L, H));
    // Words w0..w999 spread over examples; "w7 w926" (a phrase: consecutive words step by 919) occurs in some windows.
    const word = (i: number) => `▁w${(i * 7919) % 1000}`;
    const heads = [];
    for (let layer = 0; layer < L; layer++) {
      for (let head = 0; head < H; head++) {
        const examples = (['top_norm', 'top_attention'] as const).flatMap((kind) =>
          Array.from({ length: 20 }, (_, rank) => {
            const tokens = Array.from({ length: 64 }, (_, i) => word(layer * 1e5 + head * 1e3 + rank * 64 + i));
            return {
              kind,
              rank,
              value: 20 - rank,
              quantile: null,
              contextId: rank,
              docIndex: rank,
              position: 63,
              windowStart: 0,
              tokenIds: tokens.map((_, i) => i),
              tokens,
              acts: tokens.map(() => 1),
              attention: tokens.map((_, i): [number, number][] => [[i, 1]]),
            };
          }),
        );
        heads.push({
          layer,
          head,
          examples,
          stats: {
            tokens: 100,
            mean: 1,
            std: 1,
            min: 0,
            max: 2,
            quantiles: [],
            normLo: 0,
            normHi: 2,
            normCounts: [0, 1, 0],
            attentionCounts: [0, 1, 0],
          },
        });
      }
    }
    await saveHeadExamples(run.id, heads, 1);
    const stat = { values: [1], mean: 1, std: 0 };
    const textRun = await createRun({ modelSlug: model.slug, options: {}, codeVersion: 'bench-text', seed: 2, metricVersions: {} });
    let saveMs = 0;
    let searchTextMs = 0;
    for (let layer = 0; layer < L; layer++) {
      const neurons = Array.from({ length: N }, (_, neuron) => ({
        stats: {
          corpusSlug: 'bench',
          layer,
          site: 'post',
          neuron,
          count: 1e5,
          maxAct: 1,
          minAct: 0,
          mean: 0.1,
          variance: 0.2,
          skewness: 1,
          kurtosis: 4,
          density: 0.1,
          topTokenShare: 0.3,
          histLo: 0,
          histHi: 1,
          histogram: [0, 1, 0],
          quantileLevels: [0.5],
          quantiles: [0.1],
          minimalRate: null,
          comparison: null,
          warning: null,
          effects: { logitTop: [], logitBottom: [], inputTop: [] },
        },
        examples: Array.from({ length: 12 }, (_, rank) => {
          const tokens = Array.from({ length: 32 }, (_, i) => word(layer * 1e6 + neuron * 500 + rank * 32 + i + 7));
          // A rare word: three neurons of layer 5 saw "dragon" (a selective query, where the index narrows most).
          if (layer === 5 && neuron % 400 === 7 && rank === 3) tokens[10] = '▁dragon';
          return {
            kind: 'top' as const,
            rank,
            value: 1,
            contextId: rank,
            docIndex: rank,
            chunk: 0,
            position: 31,
            windowStart: 0,
            tokenIds: tokens.map((_, i) => i),
            tokens,
            acts: tokens.map(() => 0.5),
          };
        }),
      }));
      let t0 = performance.now();
      await saveNeuronCorpus(
        run.id,
        [
          {
            corpusSlug: 'bench',
            layer,
            site: 'post',
            nNeurons: N,
            contexts: 100,
            tokens: 1e5,
            baseline: { directions: 1, stats: { max: stat } },
            options: {},
          },
        ],
        neurons,
      );
      saveMs += performance.now() - t0;
      // What the search text adds to that save: the same rows built and inserted alone (into a second, unpublished run).
      t0 = performance.now();
      await getPrisma().$transaction(
        (tx) =>
          insertSearchTexts(
            tx,
            neurons.flatMap((n) =>
              searchTextRows(
                textRun.id,
                { unitKind: 'neuron', layer, site: 'post', unit: n.stats.neuron, corpusSlug: 'bench' },
                n.examples,
              ),
            ),
          ),
        LONG_TRANSACTION,
      );
      searchTextMs += performance.now() - t0;
    }
    await publishRun(run.id, 1);
    console.log(
      JSON.stringify({
        neuronSaveMs: Math.round(saveMs),
        ofWhichSearchTextMs: Math.round(searchTextMs),
        share: +(searchTextMs / saveMs).toFixed(2),
      }),
    );
  }

  async function time(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<number> {
    await fn();
    const ts: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await fn();
      ts.push(performance.now() - t0);
    }
    return median(ts);
  }

  const baseline = await time(() => listModels());
  const queries = existing ? [] : ['bench-search', 'L9H6', '9.6', 'L3N123', 'induction > 0.5', 'induction > 0.5 previous_token < 0.5'];
  // Text: common (thousands of units match), a phrase, a scoped word, a rare word, and a phrase found nowhere.
  const textQueries = existing
    ? ['little', '"little girl"', `model:${model.slug} Lily`, 'dragon', '"girl robot zebra"']
    : ['w7', '"w7 w926"', 'model:bench-search w999', 'dragon', '"w7 w927"'];
  console.log(
    JSON.stringify(
      existing
        ? { model: model.slug, run: 'latestRun' in model ? model.latestRun?.id : null, baselineMs: +baseline.toFixed(2) }
        : {
            model: `${L}x${H} heads, ${N} neurons/layer`,
            headExamples: L * H * 40,
            neuronExamples: L * N * 12,
            baselineMs: +baseline.toFixed(2),
          },
    ),
  );
  for (const q of queries) {
    const out = await runSearch(q);
    const ms = await time(() => runSearch(q));
    console.log(JSON.stringify({ q, results: out.results.length, ms: +ms.toFixed(1), ratioToBaseline: +(ms / baseline).toFixed(1) }));
  }
  const [m] = (await listModels()).filter((x) => x.slug === model.slug);
  for (const q of textQueries) {
    const out = await runSearch(q);
    const ms = await time(() => runSearch(q));
    // The replaced scan, same phrase and limit: one head and one neuron query per phrase, as runSearch made them.
    const phrases = parseSearchQuery(q).text.filter((w) => w !== model.slug);
    const scan = async () => {
      const urls: string[] = [];
      for (const p of phrases)
        urls.push(...(await scanSearch(getPrisma(), m.latestRun!.id, m.latestRun!.corpusSlug ?? null, likePattern(p), MAX_RESULTS)));
      return urls;
    };
    const scanned = await scan();
    const scanMs = await time(scan, 3);
    const indexed = out.results.filter((r) => r.kind === 'example').map((r) => r.url.replace(/^\/models\/[^/]+/, ''));
    const same =
      JSON.stringify(indexed) === JSON.stringify(scanned.slice(0, indexed.length)) &&
      (indexed.length === MAX_RESULTS || indexed.length === scanned.length);
    console.log(
      JSON.stringify({
        q,
        results: out.results.length,
        ms: +ms.toFixed(1),
        ratioToBaseline: +(ms / baseline).toFixed(1),
        scanMs: +scanMs.toFixed(1),
        scanRatioToBaseline: +(scanMs / baseline).toFixed(1),
        speedup: +(scanMs / ms).toFixed(1),
        sameResults: same,
      }),
    );
  }
  await closePrisma();
} finally {
  await db.stop();
}

/**
 * The text search this replaced: decode every top example's tokens on every query (head examples, then neuron
 * examples), ranked like ExampleSearchText's search. Kept here as the "before" measured in the same run. Returns
 * unit paths without the model prefix.
 */
async function scanSearch(
  prisma: { $queryRaw: <T>(q: TemplateStringsArray, ...v: unknown[]) => Promise<T> },
  runId: string,
  corpus: string | null,
  pattern: string,
  limit: number,
): Promise<string[]> {
  const heads = await prisma.$queryRaw<{ layer: number; head: number }[]>`
    SELECT "layer", "head", count(*) AS hits FROM "HeadExample"
    WHERE "runId" = ${runId} AND "kind" IN ('top_norm', 'top_attention')
      AND translate(array_to_string("tokens", ''), '▁Ġ', '  ') ILIKE ${pattern}
    GROUP BY "runId", "layer", "head" ORDER BY hits DESC, "runId", "layer", "head" LIMIT ${limit}`;
  const neurons = await prisma.$queryRaw<{ layer: number; site: string; neuron: number }[]>`
    SELECT n."layer", n."site", n."neuron", count(*) AS hits
    FROM "NeuronExamples" n CROSS JOIN LATERAL jsonb_array_elements(n."examples") AS e
    WHERE n."runId" = ${runId} AND (${corpus}::text IS NULL OR n."corpusSlug" = ${corpus}) AND e->>'kind' = 'top'
      AND translate((SELECT string_agg(t, '') FROM jsonb_array_elements_text(e->'tokens') AS t), '▁Ġ', '  ') ILIKE ${pattern}
    GROUP BY n."runId", n."layer", n."site", n."neuron" ORDER BY hits DESC, n."runId", n."layer", n."neuron", n."site" LIMIT ${limit}`;
  return [
    ...heads.map((h) => `/heads/${h.layer}.${h.head}`),
    ...neurons.map((n) => `/neurons/${n.layer}/${n.neuron}${n.site === 'post' ? '' : `?site=${n.site}`}`),
  ];
}
