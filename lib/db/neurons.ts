/**
 * The neuron explorer's tables (per run, per corpus, per layer and site): layer summaries with the
 * random-direction baseline, per-neuron statistics, and per-neuron examples packed compactly (int16
 * activations with a per-example scale). Written while the run is running, read by neuron pages and the API.
 */
import { getPrisma } from './client';
import { LONG_TRANSACTION, lockRunForWriting } from './run-lock';
import { insertSearchTexts, searchTextRows } from './example-search-text';
import { parseInput, runIdSchema } from './validate';

export const NEURON_EXAMPLE_KINDS = ['top', 'diverse', 'quantile', 'random'] as const;
export type NeuronExampleKind = (typeof NEURON_EXAMPLE_KINDS)[number];

export interface TokenScoreRow {
  token: number;
  piece: string;
  score: number;
}

export interface NeuronEffects {
  logitTop: TokenScoreRow[];
  logitBottom: TokenScoreRow[];
  inputTop: TokenScoreRow[];
  gateTop?: TokenScoreRow[];
}

export interface StoredNeuronExample {
  kind: NeuronExampleKind;
  rank: number;
  /** Quantile samples: which quantile. */
  quantile?: number;
  value: number;
  contextId: number;
  docIndex: number;
  chunk: number;
  /** Max (or sampled) token's position in its context (0 = BOS); context position of tokenIds[0]. */
  position: number;
  windowStart: number;
  tokenIds: number[];
  tokens: string[];
  /** Activation on every window token (dequantised from int16). */
  acts: number[];
  /** Top examples: shortest suffix (tokens after BOS) keeping ≥ 50 % of the activation, null if none. */
  minimal?: { length: number | null; value: number | null; available: number };
}

export interface NeuronStatsRow {
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
  histLo: number;
  histHi: number;
  /** [underflow, bins…, overflow]. */
  histogram: number[];
  quantileLevels: number[];
  quantiles: number[];
  effects: NeuronEffects;
  minimalRate: number | null;
  comparison: { otherCorpus: string; otherMax: number; otherDensity: number; topTokenOverlap: number; warning: string | null } | null;
  warning: string | null;
}

export interface BaselineJson {
  directions: number;
  stats: Record<string, { values: number[]; mean: number; std: number }>;
}

export interface NeuronLayerRow {
  corpusSlug: string;
  layer: number;
  site: string;
  nNeurons: number;
  contexts: number;
  tokens: number;
  baseline: BaselineJson;
  options: Record<string, unknown>;
}

export interface NeuronToSave {
  stats: NeuronStatsRow;
  examples: StoredNeuronExample[];
}

/** int16 little-endian with one scale per example: |error| ≤ scale / 2 = max|act| / 65534. */
export function packActs(examples: StoredNeuronExample[]): {
  meta: (Omit<StoredNeuronExample, 'acts'> & { scale: number; n: number })[];
  bytes: Uint8Array<ArrayBuffer>;
} {
  const total = examples.reduce((a, e) => a + e.acts.length, 0);
  const bytes = new Uint8Array(total * 2);
  const view = new DataView(bytes.buffer);
  let at = 0;
  const meta = examples.map(({ acts, ...rest }) => {
    const maxAbs = acts.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const scale = maxAbs > 0 ? maxAbs / 32767 : 1;
    for (const v of acts) {
      view.setInt16(at, Math.round(v / scale), true);
      at += 2;
    }
    return { ...rest, scale, n: acts.length };
  });
  return { meta, bytes };
}

export function unpackActs(
  meta: (Omit<StoredNeuronExample, 'acts'> & { scale: number; n: number })[],
  bytes: Uint8Array,
): StoredNeuronExample[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  return meta.map(({ scale, n, ...rest }) => {
    const acts = new Array<number>(n);
    for (let i = 0; i < n; i++, at += 2) acts[i] = view.getInt16(at, true) * scale;
    return { ...rest, acts };
  });
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/** Saves one corpus' neuron layers of a running run, in one transaction. */
export async function saveNeuronCorpus(runId: string, layers: NeuronLayerRow[], neurons: NeuronToSave[]): Promise<void> {
  parseInput(runIdSchema, runId, 'saveNeuronCorpus');
  await getPrisma().$transaction(async (tx) => {
    const dims = await lockRunForWriting(tx, runId, 'saveNeuronCorpus');
    for (const l of layers) {
      if (!Number.isInteger(l.layer) || l.layer < 0 || l.layer >= dims.nLayers)
        throw new Error(`saveNeuronCorpus: layer ${l.layer} is outside the model (${dims.nLayers} layers)`);
    }
    // A retried job (finalize's per-layer parts) replaces the rows of the corpus' layers it saves.
    for (const corpusSlug of new Set(layers.map((l) => l.corpusSlug))) {
      const where = {
        runId,
        corpusSlug,
        layer: { in: [...new Set(layers.filter((l) => l.corpusSlug === corpusSlug).map((l) => l.layer))] },
      };
      await tx.neuronExamples.deleteMany({ where });
      await tx.neuronStats.deleteMany({ where });
      await tx.neuronLayerStats.deleteMany({ where });
      await tx.exampleSearchText.deleteMany({ where: { ...where, unitKind: 'neuron' } });
    }
    await tx.neuronLayerStats.createMany({
      data: layers.map((l) => ({
        ...l,
        runId,
        baseline: JSON.parse(JSON.stringify(l.baseline)),
        options: JSON.parse(JSON.stringify(l.options)),
      })),
    });
    for (let i = 0; i < neurons.length; i += 1000) {
      const chunk = neurons.slice(i, i + 1000);
      await tx.neuronStats.createMany({
        data: chunk.map(({ stats: s }) => ({
          ...s,
          runId,
          count: finite(s.count),
          maxAct: finite(s.maxAct),
          minAct: finite(s.minAct),
          mean: finite(s.mean),
          variance: finite(s.variance),
          skewness: finite(s.skewness),
          kurtosis: finite(s.kurtosis),
          density: finite(s.density),
          quantiles: s.quantiles.map(finite),
          effects: JSON.parse(JSON.stringify(s.effects)),
          comparison: s.comparison ? JSON.parse(JSON.stringify(s.comparison)) : undefined,
        })),
      });
      await tx.neuronExamples.createMany({
        data: chunk.map(({ stats: s, examples }) => {
          for (const e of examples) {
            if (e.tokens.some((t) => t.includes('\u0000')))
              throw new Error(`saveNeuronCorpus: L${s.layer}N${s.neuron}: a token piece contains a NUL character`);
          }
          const { meta, bytes } = packActs(examples);
          return {
            runId,
            corpusSlug: s.corpusSlug,
            layer: s.layer,
            site: s.site,
            neuron: s.neuron,
            examples: JSON.parse(JSON.stringify(meta)),
            acts: bytes,
          };
        }),
      });
      // Text search's copy of the top examples' plain text, in the same transaction (lib/db/example-search-text.ts).
      await insertSearchTexts(
        tx,
        chunk.flatMap(({ stats: s, examples }) =>
          searchTextRows(runId, { unitKind: 'neuron', layer: s.layer, site: s.site, unit: s.neuron, corpusSlug: s.corpusSlug }, examples),
        ),
      );
    }
  }, LONG_TRANSACTION);
}

export async function getNeuronLayers(runId: string): Promise<NeuronLayerRow[]> {
  const rows = await getPrisma().neuronLayerStats.findMany({
    where: { runId },
    orderBy: [{ corpusSlug: 'asc' }, { layer: 'asc' }, { site: 'asc' }],
  });
  return rows.map(({ runId: _r, ...r }) => ({
    ...r,
    baseline: r.baseline as unknown as BaselineJson,
    options: r.options as Record<string, unknown>,
  }));
}

function toStatsRow(r: Record<string, unknown>): NeuronStatsRow {
  const { runId: _r, ...rest } = r as unknown as NeuronStatsRow & { runId: string };
  return rest;
}

export async function getNeuronStats(
  runId: string,
  corpusSlug: string,
  layer: number,
  site: string,
  neuron: number,
): Promise<NeuronStatsRow | null> {
  const row = await getPrisma().neuronStats.findUnique({
    where: { runId_corpusSlug_layer_site_neuron: { runId, corpusSlug, layer, site, neuron } },
  });
  return row ? toStatsRow(row) : null;
}

export async function getNeuronExamples(
  runId: string,
  corpusSlug: string,
  layer: number,
  site: string,
  neuron: number,
): Promise<StoredNeuronExample[]> {
  const row = await getPrisma().neuronExamples.findUnique({
    where: { runId_corpusSlug_layer_site_neuron: { runId, corpusSlug, layer, site, neuron } },
  });
  if (!row) return [];
  return unpackActs(row.examples as unknown as Parameters<typeof unpackActs>[0], row.acts);
}

export const NEURON_SORT_KEYS = [
  'neuron',
  'maxAct',
  'mean',
  'variance',
  'skewness',
  'kurtosis',
  'density',
  'topTokenShare',
  'minimalRate',
] as const;
export type NeuronSortKey = (typeof NEURON_SORT_KEYS)[number];

/**
 * A page of a layer's neurons, sorted, keyset-paginated: `after` is the last row's (value, neuron) of the
 * previous page. Neuron index breaks ties, so pages never skip or repeat rows.
 */
export async function listNeuronStats(
  runId: string,
  corpusSlug: string,
  layer: number,
  site: string,
  /** `after` (keyset, the API) or `offset` (numbered pages, the layer page) picks where the page starts. */
  opts: { sort: NeuronSortKey; dir: 'asc' | 'desc'; limit: number; after?: { value: number | null; neuron: number }; offset?: number },
): Promise<NeuronStatsRow[]> {
  const { sort, dir, limit, after, offset } = opts;
  const where: Record<string, unknown> = { runId, corpusSlug, layer, site };
  if (after) {
    const cmp = dir === 'asc' ? 'gt' : 'lt';
    if (sort === 'neuron') where.neuron = { [cmp]: after.neuron };
    // Nulls sort last in both directions: after a null, only later nulls remain.
    else if (after.value === null) Object.assign(where, { [sort]: null, neuron: { gt: after.neuron } });
    else
      where.OR = [
        { [sort]: { [cmp]: after.value } },
        { [sort]: after.value, neuron: { gt: after.neuron } },
        ...(sort === 'minimalRate' ? [{ minimalRate: null }] : []),
      ];
  }
  // `nulls` only exists for nullable columns (minimalRate); Postgres puts nulls last in asc, first in desc otherwise.
  const order = sort === 'minimalRate' ? { sort: dir, nulls: 'last' } : dir;
  const orderBy = sort === 'neuron' ? [{ neuron: dir }] : [{ [sort]: order }, { neuron: 'asc' as const }];
  const rows = await getPrisma().neuronStats.findMany({
    where,
    orderBy: orderBy as never,
    take: limit,
    ...(offset ? { skip: offset } : {}),
  });
  return rows.map((r) => toStatsRow(r));
}
