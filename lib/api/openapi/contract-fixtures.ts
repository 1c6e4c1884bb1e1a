/**
 * Test data for the generated contract tests and the run-stability test: the example model and
 * runs that the OpenAPI document's examples name (common.ts EXAMPLE), with planted, known values.
 * Endpoints reading other tables (neurons, examples) seed their rows here, for EXAMPLE.runId.
 * Every run gets head metrics, patterns, head examples, composition and labels; neuron statistics
 * and examples for layer 1 (neurons 0..7, site `post`, plus a comparison corpus) with planted text.
 */
import { getPrisma } from '@/lib/db/client';
import { saveHeadMetrics, type HeadMetricValue } from '@/lib/db/head-metrics';
import { saveExampleText, saveHeadPatterns } from '@/lib/db/head-patterns';
import { upsertModel, type ModelInfo } from '@/lib/db/models';
import { createRun, publishRun, type RunInfo } from '@/lib/db/runs';
import { EXAMPLE } from './common';
import { seedDiffFixtures } from './diff-fixtures';
import { saveHeadExamples, type HeadExamplesToSave } from '@/lib/db/head-examples';
import { saveHeadComposition, type HeadCompositionValue } from '@/lib/db/head-composition';
import { saveHeadLabels } from '@/lib/db/head-labels';
import { saveCircuits } from '@/lib/db/circuits';
import { fixtureCircuitTasks, fixtureHeadRoles } from './circuit-fixtures';
import { saveNeuronCorpus, type NeuronLayerRow, type NeuronToSave, type StoredNeuronExample } from '@/lib/db/neurons';

/** Every head: three top_norm and three top_attention examples (a previous-token row pattern), and stats. */
function fixtureHeadExamples(nLayers: number, nHeads: number): HeadExamplesToSave[] {
  const out: HeadExamplesToSave[] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    for (let head = 0; head < nHeads; head++) {
      const examples = (['top_norm', 'top_attention'] as const).flatMap((kind) =>
        [0, 1, 2].map((rank) => ({
          kind,
          rank,
          value: 3 - rank,
          quantile: null,
          contextId: rank * 1024,
          docIndex: rank,
          position: 3,
          windowStart: 1,
          tokenIds: [403, 407, 261, 378],
          tokens: ['▁Once', '▁upon', '▁a', '▁time'],
          acts: [0.5, 1, 2, 3 - rank],
          attention: [0, 1, 2, 3].map((i): [number, number][] => [
            [i, 0.9],
            [0, 0.1],
          ]),
        })),
      );
      const stats = {
        tokens: 100,
        mean: 1,
        std: 0.5,
        min: 0,
        max: 3,
        quantiles: [{ quantile: 0.5, value: 1 }],
        normLo: 0,
        normHi: 4,
        normCounts: [0, 50, 50, 0],
        attentionCounts: [0, 60, 40, 0],
      };
      out.push({ layer, head, examples, stats });
    }
  }
  return out;
}

export const FIXTURE_METRICS = { previous_token: 1, induction: 1 } as const;

export function fixtureModel(slug: string, nLayers: number, nHeads: number): ModelInfo {
  return {
    slug,
    displayName: slug,
    architecture: 'llama',
    nLayers,
    nHeads,
    nKvHeads: nHeads / 2,
    dModel: 64,
    dHead: 8,
    dMlp: 172,
    dVocab: 512,
    nCtx: 512,
    nParams: 260_032,
    source: 'test fixture',
    license: 'MIT',
    description: 'contract-test fixture',
    config: null,
  };
}

/**
 * Planted values: previous_token is 0.95 on L0H1, induction is 0.9 on L1H3 (and, with `extraInduction`,
 * 0.7 on L2H5); every other head gets a small distinct value 0.01·(index mod 7).
 */
export function plantedValues(nLayers: number, nHeads: number, extraInduction = false): HeadMetricValue[] {
  const out: HeadMetricValue[] = [];
  for (let layer = 0; layer < nLayers; layer++) {
    for (let head = 0; head < nHeads; head++) {
      const small = 0.01 * ((layer * nHeads + head) % 7);
      const prev = layer === 0 && head === 1 ? 0.95 : small;
      let ind = layer === 1 && head === 3 ? 0.9 : small;
      if (extraInduction && layer === 2 && head === 5) ind = 0.7;
      out.push({ layer, head, metricId: 'previous_token', metricVersion: 1, value: prev });
      out.push({ layer, head, metricId: 'induction', metricVersion: 1, value: ind });
    }
  }
  return out;
}

/** Words planted in neuron examples: a neuron-example text search for "dragon" finds L1N5. */
export const FIXTURE_NEURON_WORDS = ['▁the', '▁dragon', '▁slept'] as const;
export const FIXTURE_NEURON_LAYER = 1;
export const FIXTURE_NEURONS = 8;

function fixtureNeuronExamples(neuron: number): StoredNeuronExample[] {
  const words = neuron === 5 ? [...FIXTURE_NEURON_WORDS] : ['▁Once', '▁upon', '▁a'];
  const base = {
    contextId: neuron,
    docIndex: neuron,
    chunk: 0,
    position: 2,
    windowStart: 0,
    tokenIds: [1, 403, 407, 261],
    tokens: ['<s>', ...words],
  };
  return [
    ...[0, 1].map((rank) => ({
      ...base,
      kind: 'top' as const,
      rank,
      value: 4 - rank,
      acts: [0, 1, 4 - rank, 0.5],
      minimal: { length: 1, value: 3, available: 3 },
    })),
    { ...base, kind: 'quantile' as const, rank: 0, quantile: 0.5, value: 0.5, acts: [0, 0.5, 0.25, 0] },
    { ...base, kind: 'random' as const, rank: 0, value: 0.1, acts: [0, 0.1, 0, 0] },
  ];
}

function fixtureNeuronCorpus(corpusSlug: string, scale: number): { layers: NeuronLayerRow[]; neurons: NeuronToSave[] } {
  const baselineStat = { values: [0.5, 1, 1.5], mean: 1, std: 0.5 };
  const layer: NeuronLayerRow = {
    corpusSlug,
    layer: FIXTURE_NEURON_LAYER,
    site: 'post',
    nNeurons: FIXTURE_NEURONS,
    contexts: 10,
    tokens: 1000,
    baseline: {
      directions: 3,
      stats: { max: baselineStat, density: baselineStat, skewness: baselineStat, kurtosis: baselineStat, topTokenShare: baselineStat },
    },
    options: { contextLength: 128, k: 2 },
  };
  const neurons: NeuronToSave[] = [];
  for (let neuron = 0; neuron < FIXTURE_NEURONS; neuron++) {
    const maxAct = scale * (neuron === 5 ? 4 : 1 + neuron / 10);
    neurons.push({
      stats: {
        corpusSlug,
        layer: FIXTURE_NEURON_LAYER,
        site: 'post',
        neuron,
        count: 1000,
        maxAct,
        minAct: -0.2,
        mean: 0.1 * neuron,
        variance: 0.5,
        skewness: 1,
        kurtosis: 3,
        density: 0.1,
        topTokenShare: 0.5,
        histLo: -0.2,
        histHi: maxAct,
        histogram: [0, 500, 300, 150, 50, 0],
        quantileLevels: [0.25, 0.5, 0.75, 0.9, 0.95],
        quantiles: [0, 0.05, 0.2, 0.5, 1],
        minimalRate: neuron === 5 ? 1 : null,
        effects: {
          logitTop: [{ token: 407, piece: '▁upon', score: 1.5 }],
          logitBottom: [{ token: 261, piece: '▁a', score: -1 }],
          inputTop: [{ token: 403, piece: '▁Once', score: 2 }],
        },
        comparison: null,
        warning: null,
      },
      examples: fixtureNeuronExamples(neuron),
    });
  }
  return { layers: [layer], neurons };
}

/** A few scores per kind (one clearly above the baseline: L0H1 → L1H3, K-composition) and the baselines. */
function fixtureComposition(nLayers: number, nHeads: number): HeadCompositionValue[] {
  const out: HeadCompositionValue[] = [];
  for (const kind of ['q', 'k', 'v'] as const) {
    for (let dst = 1; dst < nLayers; dst++) {
      for (let h = 0; h < Math.min(nHeads, 2); h++)
        out.push({ kind, srcLayer: dst - 1, srcHead: h, dstLayer: dst, dstHead: 3 % nHeads, value: 0.1 + 0.01 * h });
    }
  }
  const strong = out.find((r) => r.kind === 'k' && r.srcLayer === 0 && r.srcHead === 1)!;
  strong.value = 0.6;
  return out;
}

/** A published run with a chosen id (renamed while still running, before any row refers to it). */
export async function publishFixtureRun(
  model: ModelInfo,
  runId: string,
  opts: { extraInduction?: boolean; durationMs?: number } = {},
): Promise<RunInfo> {
  const run = await createRun({
    modelSlug: model.slug,
    options: { weightProcessing: 'none' },
    codeVersion: 'fixture-1',
    seed: 7,
    metricVersions: { ...FIXTURE_METRICS },
  });
  await getPrisma().run.update({ where: { id: run.id }, data: { id: runId } });
  await saveHeadMetrics(runId, plantedValues(model.nLayers, model.nHeads, opts.extraInduction));
  const tokens = ['<s>', ' Once', ' upon', ' a', ' time'];
  await saveExampleText(runId, { tokenIds: [1, 403, 407, 261, 378], tokens });
  const seq = tokens.length;
  const patterns = [];
  for (let layer = 0; layer < model.nLayers; layer++) {
    for (let head = 0; head < model.nHeads; head++) {
      const p = new Float32Array(seq * seq);
      for (let q = 0; q < seq; q++) p[q * seq + Math.max(0, q - (head % 2))] = 1; // previous-token or self
      patterns.push({ layer, head, pattern: p });
    }
  }
  await saveHeadPatterns(runId, patterns);
  await saveHeadExamples(runId, fixtureHeadExamples(model.nLayers, model.nHeads), 2);
  await saveHeadComposition(runId, fixtureComposition(model.nLayers, model.nHeads), [
    { kind: 'q', mean: 0.1, std: 0.02, draws: 200, seed: 1 },
    { kind: 'k', mean: 0.1, std: 0.02, draws: 200, seed: 1 },
    { kind: 'v', mean: 0.1, std: 0.02, draws: 200, seed: 1 },
  ]);
  await saveHeadLabels(runId, [
    {
      layer: 0,
      head: 1,
      label: 'previous_token',
      metricId: 'previous_token',
      score: 0.95,
      threshold: 0.3,
      status: 'confirmed',
      effect: 0.4,
      effectThreshold: 0.05,
      effectUnit: 'score',
      detail: 'fixture',
      ablation: 'mean',
    },
    {
      layer: 1,
      head: 3,
      label: 'induction',
      metricId: 'induction',
      score: 0.9,
      threshold: 0.3,
      status: 'confirmed',
      effect: 1.2,
      effectThreshold: 0.1,
      effectUnit: 'nats',
      detail: 'fixture',
      ablation: 'mean',
    },
  ]);
  await saveCircuits(runId, fixtureCircuitTasks(model.nLayers, model.nHeads), fixtureHeadRoles());
  if (model.nLayers > FIXTURE_NEURON_LAYER && model.dMlp > FIXTURE_NEURONS) {
    for (const [corpus, scale] of [
      ['tinystories-sample', 1],
      ['python-sample', 0.5],
    ] as const) {
      const { layers, neurons } = fixtureNeuronCorpus(corpus, scale);
      await saveNeuronCorpus(runId, layers, neurons);
    }
  }
  return publishRun(runId, opts.durationMs ?? 1234);
}

/** Everything the documented examples refer to. */
export async function seedContractFixtures(): Promise<void> {
  const model = fixtureModel(EXAMPLE.model, 5, 8);
  await upsertModel(model);
  await publishFixtureRun(model, EXAMPLE.runId);
  await publishFixtureRun(model, EXAMPLE.otherRunId, { extraInduction: true });
  const other = fixtureModel('other-shape', 2, 4);
  await upsertModel(other);
  await publishFixtureRun(other, 'rothershape0');
  await seedDiffFixtures();
}
