/**
 * Test data for the generated contract tests and the run-stability test: the example model and
 * runs that the OpenAPI document's examples name (common.ts EXAMPLE), with planted, known values.
 * Endpoints reading other tables (neurons, examples) seed their rows here, for EXAMPLE.runId.
 */
import { getPrisma } from '@/lib/db/client';
import { saveHeadMetrics, type HeadMetricValue } from '@/lib/db/head-metrics';
import { saveExampleText, saveHeadPatterns } from '@/lib/db/head-patterns';
import { upsertModel, type ModelInfo } from '@/lib/db/models';
import { createRun, publishRun, type RunInfo } from '@/lib/db/runs';
import { EXAMPLE } from './common';
import { saveHeadExamples, type HeadExamplesToSave } from '@/lib/db/head-examples';

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
          attention: [0, 1, 2, 3].map((i): [number, number][] => [[i, 0.9], [0, 0.1]]),
        })),
      );
      const stats = { tokens: 100, mean: 1, std: 0.5, min: 0, max: 3, quantiles: [{ quantile: 0.5, value: 1 }], normLo: 0, normHi: 4, normCounts: [0, 50, 50, 0], attentionCounts: [0, 60, 40, 0] };
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

/** A published run with a chosen id (renamed while still running, before any row refers to it). */
export async function publishFixtureRun(
  model: ModelInfo,
  runId: string,
  opts: { extraInduction?: boolean; durationMs?: number } = {},
): Promise<RunInfo> {
  const run = await createRun({ modelSlug: model.slug, options: { weightProcessing: 'none' }, codeVersion: 'fixture-1', seed: 7, metricVersions: { ...FIXTURE_METRICS } });
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
}
