/** The neuron tables of a run as export tables: per-neuron statistics, and every stored example (one row each). */
import { Prisma } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/db/client';
import { unpackActs } from '@/lib/db/neurons';
import type { ExportRow, ExportTable } from './types';

type NeuronKey = { corpus: string; layer: number; site: string; neuron: number };

/** Rows strictly after `after` in primary-key order: a range scan, one page per read. */
function afterNeuron(after: NeuronKey | undefined): Prisma.Sql {
  return after
    ? Prisma.sql`AND ("corpusSlug", "layer", "site", "neuron") > (${after.corpus}::text, ${after.layer}::int, ${after.site}::text, ${after.neuron}::int)`
    : Prisma.empty;
}

const keyColumns = [
  { name: 'corpus', description: "Corpus the statistics were computed on (the run's corpus, or a comparison corpus)." },
  { name: 'layer', description: 'Layer, 0-based.' },
  { name: 'site', description: 'post (mlp.hook_post), pre or mid.' },
  { name: 'neuron', description: 'Neuron, 0-based.' },
];

const neuronKeyOf = (row: ExportRow): NeuronKey => ({
  corpus: row.corpus as string,
  layer: row.layer as number,
  site: row.site as string,
  neuron: row.neuron as number,
});

interface StatsRow {
  corpusSlug: string;
  layer: number;
  site: string;
  neuron: number;
  count: number;
  maxAct: number;
  minAct: number;
  mean: number;
  variance: number;
  skewness: number;
  kurtosis: number;
  density: number;
  topTokenShare: number;
  minimalRate: number | null;
  histLo: number;
  histHi: number;
  histogram: number[];
  quantileLevels: number[];
  quantiles: number[];
  effects: unknown;
  comparison: unknown;
  warning: string | null;
}

export const neuronStatsExport: ExportTable<NeuronKey> = {
  id: 'neuron-stats',
  title: 'Neuron statistics',
  description: "Every MLP neuron's activation statistics on each corpus of the run, with its histogram, quantiles and weight effects.",
  columns: [
    ...keyColumns,
    { name: 'count', description: 'Tokens seen.' },
    { name: 'max_act', description: 'Largest activation.' },
    { name: 'min_act', description: 'Smallest activation.' },
    { name: 'mean', description: 'Mean activation.' },
    { name: 'variance', description: 'Variance.' },
    { name: 'skewness', description: 'Skewness.' },
    { name: 'kurtosis', description: 'Kurtosis (not excess).' },
    { name: 'density', description: 'Share of tokens with activation > 0.' },
    { name: 'top_token_share', description: 'Share of top examples whose max token is the most common one.' },
    {
      name: 'minimal_rate',
      description: 'Share of top examples with a shorter suffix keeping ≥ 50 % of the activation (empty: not computed).',
    },
    { name: 'quantile_levels', description: 'Quantile levels (JSON).' },
    { name: 'quantiles', description: 'Activation at each level (JSON).' },
    { name: 'hist_lo', description: 'Histogram lower edge.' },
    { name: 'hist_hi', description: 'Histogram upper edge.' },
    { name: 'histogram', description: '[underflow, equal bins…, overflow] counts (JSON).' },
    { name: 'effects', description: 'Weight effects: logitTop, logitBottom, inputTop (token, piece, score) (JSON).' },
    { name: 'comparison', description: 'Comparison with another corpus (JSON, empty without one).' },
    { name: 'warning', description: 'Monosemanticity warning from the comparison.' },
  ],
  pageSize: 2000,
  count: (runId) => getPrisma().neuronStats.count({ where: { runId } }),
  async readPage(runId, after, take) {
    const rows = await getPrisma().$queryRaw<StatsRow[]>`
      SELECT "corpusSlug", "layer", "site", "neuron", "count", "maxAct", "minAct", "mean", "variance", "skewness", "kurtosis", "density",
             "topTokenShare", "minimalRate", "histLo", "histHi", "histogram", "quantileLevels", "quantiles", "effects", "comparison", "warning"
      FROM "NeuronStats" WHERE "runId" = ${runId} ${afterNeuron(after)}
      ORDER BY "corpusSlug", "layer", "site", "neuron" LIMIT ${take}`;
    return rows.map((r) => ({
      corpus: r.corpusSlug,
      layer: r.layer,
      site: r.site,
      neuron: r.neuron,
      count: r.count,
      max_act: r.maxAct,
      min_act: r.minAct,
      mean: r.mean,
      variance: r.variance,
      skewness: r.skewness,
      kurtosis: r.kurtosis,
      density: r.density,
      top_token_share: r.topTokenShare,
      minimal_rate: r.minimalRate,
      quantile_levels: r.quantileLevels,
      quantiles: r.quantiles,
      hist_lo: r.histLo,
      hist_hi: r.histHi,
      histogram: r.histogram,
      effects: r.effects as Record<string, unknown>,
      comparison: (r.comparison ?? null) as Record<string, unknown> | null,
      warning: r.warning,
    }));
  },
  keyOf: neuronKeyOf,
};

export const neuronExamplesExport: ExportTable<NeuronKey> = {
  id: 'neuron-examples',
  title: 'Neuron examples',
  description: 'Every stored example of every neuron (top, diverse, quantile, random): its token window and the activation on every token.',
  columns: [
    ...keyColumns,
    { name: 'kind', description: 'top, diverse, quantile or random.' },
    { name: 'rank', description: "Rank within the kind (0 = best); for quantile samples, the quantile's index." },
    { name: 'quantile', description: 'Quantile samples: which quantile (empty otherwise).' },
    { name: 'value', description: "Activation at the example's token." },
    { name: 'doc_index', description: 'Document index in the corpus.' },
    { name: 'chunk', description: 'Context (chunk) of the document.' },
    { name: 'position', description: 'Token position in its context (0 = BOS).' },
    { name: 'window_start', description: 'Context position of the first window token.' },
    { name: 'token_ids', description: 'Window token ids (JSON).' },
    { name: 'tokens', description: 'Window token pieces as the tokenizer writes them (JSON).' },
    { name: 'acts', description: 'Activation on every window token, int16-quantised (JSON).' },
  ],
  // Neurons per read (each holds ~20 examples).
  pageSize: 100,
  groupedRows: true,
  count: async (runId) => {
    // Examples are packed per neuron: count the elements of each neuron's JSON array in the database.
    const [r] = await getPrisma().$queryRaw<{ n: bigint | null }[]>`
      SELECT sum(jsonb_array_length("examples"))::bigint AS n FROM "NeuronExamples" WHERE "runId" = ${runId}`;
    return Number(r?.n ?? 0);
  },
  async readPage(runId, after, take) {
    // An empty result must mean the end (groupedRows): skip over neurons that kept no examples.
    let from = after;
    for (;;) {
      const rows = await getPrisma().$queryRaw<
        { corpusSlug: string; layer: number; site: string; neuron: number; examples: unknown; acts: Uint8Array }[]
      >`
        SELECT "corpusSlug", "layer", "site", "neuron", "examples", "acts" FROM "NeuronExamples"
        WHERE "runId" = ${runId} ${afterNeuron(from)}
        ORDER BY "corpusSlug", "layer", "site", "neuron" LIMIT ${take}`;
      const out: ExportRow[] = [];
      for (const r of rows) {
        for (const e of unpackActs(r.examples as Parameters<typeof unpackActs>[0], r.acts)) {
          out.push({
            corpus: r.corpusSlug,
            layer: r.layer,
            site: r.site,
            neuron: r.neuron,
            kind: e.kind,
            rank: e.rank,
            quantile: e.quantile ?? null,
            value: e.value,
            doc_index: e.docIndex,
            chunk: e.chunk,
            position: e.position,
            window_start: e.windowStart,
            token_ids: e.tokenIds,
            tokens: e.tokens,
            acts: e.acts,
          });
        }
      }
      if (out.length > 0 || rows.length < take) return out;
      const last = rows[rows.length - 1];
      from = { corpus: last.corpusSlug, layer: last.layer, site: last.site, neuron: last.neuron };
    }
  },
  keyOf: neuronKeyOf,
};
