/**
 * DEV ONLY — FAKE DATA. A GPT-2-XL-sized published run (48 layers × 25 heads, 6,400 MLP neurons per layer),
 * made by cloning a real published run's rows (the template, by default the bundled stories260K run) onto the
 * bigger shape in SQL: head rows from head (l mod L, h mod H) of the template, neuron rows from neuron
 * (n mod N), composition scores drawn at random around the template's baseline. The values mean nothing;
 * the shapes and row sizes are real, so page weight and serving cost can be measured at GPT-2-XL scale
 * (issue 16) before the engine computes a model of that size.
 *
 * Used by `scripts/dev/seed-fake.ts --xl` and `scripts/bench/serve.ts`. Needs DATABASE_URL set (lib/db).
 */
import { getPrisma } from '@/lib/db/client';
import { upsertModel } from '@/lib/db/models';
import { createRun, getLatestPublishedRun, publishRun } from '@/lib/db/runs';

export interface FakeShape {
  slug: string;
  nLayers: number;
  nHeads: number;
  dModel: number;
  dMlp: number;
}

export const FAKE_XL: FakeShape = { slug: 'fake-gpt2-xl', nLayers: 48, nHeads: 25, dModel: 1600, dMlp: 6400 };

const EXAMPLE_NEURONS = 16;

export interface FakeXlResult {
  runId: string;
  modelSlug: string;
  seconds: number;
}

/**
 * Publishes a fake run of `shape` (GPT-2 XL's by default) cloned from `templateModel`'s latest run; returns the
 * model's latest run instead when it has one, unless `again` (a second publish, e.g. to watch caches follow it).
 */
export async function seedFakeXl({
  templateModel = 'stories260K',
  shape = FAKE_XL,
  again = false,
  log = console.log,
}: { templateModel?: string; shape?: FakeShape; again?: boolean; log?: (s: string) => void } = {}): Promise<FakeXlResult> {
  const t0 = Date.now();
  const done = await getLatestPublishedRun(shape.slug);
  if (done && !again) return { runId: done.id, modelSlug: shape.slug, seconds: 0 };
  const template = await getLatestPublishedRun(templateModel);
  if (!template) throw new Error(`seedFakeXl: no published run of ${templateModel} to clone (run npm start once)`);
  const prisma = getPrisma();
  const tm = await prisma.model.findUniqueOrThrow({ where: { slug: templateModel } });
  const { nLayers: L, nHeads: H, dModel, dMlp } = shape;
  const dVocab = 50257;
  const nCtx = 1024;
  // Units that get examples (head pages, neuron pages, search): every layer's first heads, all of the first and last layers.
  const EXAMPLE_HEADS = `ARRAY(SELECT h FROM generate_series(0, ${H - 1}) h WHERE h < 2 OR l IN (0, ${L - 1}))`;
  await upsertModel({
    slug: shape.slug,
    displayName: shape.slug,
    architecture: tm.architecture,
    nLayers: L,
    nHeads: H,
    nKvHeads: H,
    dModel,
    dHead: dModel / H,
    dMlp,
    dVocab,
    nCtx,
    nParams: L * (4 * dModel * dModel + 2 * dModel * dMlp) + 2 * dVocab * dModel,
    source: 'dev fake data (scripts/dev/fake-xl.ts)',
    license: 'n/a (synthetic)',
    description: `DEV FAKE DATA: a ${L}-layer × ${H}-head model (${dMlp} neurons per layer) whose rows are cloned from the bundled run (values mean nothing).`,
    config: { model_name: shape.slug, fake: true, n_layers: L, n_heads: H, d_model: dModel, d_mlp: dMlp },
  });
  const corpusSlug = template.corpusSlug ?? undefined;
  const run = await createRun({
    modelSlug: shape.slug,
    corpusSlug,
    options: { fake: true, clonedFrom: template.id },
    codeVersion: 'dev-fake',
    seed: 1600,
    metricVersions: template.metricVersions,
  });
  const tL = tm.nLayers;
  const tH = tm.nHeads;
  const tN = Math.max(1, tm.dMlp);
  const sql = async (what: string, query: string) => {
    const t = Date.now();
    const n = await prisma.$executeRawUnsafe(query, run.id, template.id);
    log(`[fake-xl] ${what}: ${n} rows (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  };
  // Every (layer, head) of the XL shape with its template unit.
  const heads = `generate_series(0, ${L - 1}) l CROSS JOIN generate_series(0, ${H - 1}) h`;
  const headFrom = (table: string, where = 'true') =>
    `FROM ${heads} JOIN "${table}" t ON t."runId" = $2 AND t.layer = l % ${tL} AND t.head = h % ${tH} WHERE ${where}`;

  await sql(
    'head metrics',
    `INSERT INTO "HeadMetric" ("runId", layer, head, "metricId", "metricVersion", value)
     SELECT $1, l, h, t."metricId", t."metricVersion", t.value * (0.7 + 0.6 * random()) ${headFrom('HeadMetric')}`,
  );
  await sql(
    'example text',
    `INSERT INTO "RunExampleText" ("runId", "tokenIds", tokens) SELECT $1, "tokenIds", tokens FROM "RunExampleText" WHERE "runId" = $2`,
  );
  await sql(
    'head patterns',
    `INSERT INTO "HeadPattern" ("runId", layer, head, pattern) SELECT $1, l, h, t.pattern ${headFrom('HeadPattern')}`,
  );
  await sql(
    'head activation stats',
    cloneUnits('HeadActivationStats', headFrom('HeadActivationStats'), await columns('HeadActivationStats')),
  );
  await sql('head labels', cloneUnits('HeadLabel', headFrom('HeadLabel'), await columns('HeadLabel')));
  await sql('head examples', cloneUnits('HeadExample', headFrom('HeadExample', `h = ANY(${EXAMPLE_HEADS})`), await columns('HeadExample')));
  await sql(
    'head example search text',
    cloneUnits(
      'ExampleSearchText',
      `FROM ${heads} JOIN "ExampleSearchText" t ON t."runId" = $2 AND t."unitKind" = 'head' AND t.layer = l % ${tL} AND t.unit = h % ${tH} WHERE h = ANY(${EXAMPLE_HEADS})`,
      await columns('ExampleSearchText'),
      { unit: 'h' },
    ),
  );
  await sql(
    'composition baselines',
    `INSERT INTO "CompositionBaseline" SELECT $1, kind, mean, std, draws, seed FROM "CompositionBaseline" WHERE "runId" = $2`,
  );
  // Every earlier → later head pair (2.1 M rows): the template's baseline ± a few σ, a few pairs well above it.
  await sql(
    'head composition',
    `INSERT INTO "HeadComposition" ("runId", kind, "srcLayer", "srcHead", "dstLayer", "dstHead", value)
     SELECT $1, b.kind, sl, sh, dl, dh, b.mean + b.std * (random() * 3 - 1) * (CASE WHEN random() < 0.002 THEN 4 ELSE 1 END)
     FROM "CompositionBaseline" b, generate_series(0, ${L - 2}) sl, generate_series(0, ${H - 1}) sh, generate_series(1, ${L - 1}) dl, generate_series(0, ${H - 1}) dh
     WHERE b."runId" = $2 AND sl < dl`,
  );

  const neurons = `generate_series(0, ${L - 1}) l CROSS JOIN generate_series(0, ${dMlp - 1}) n`;
  await sql(
    'neuron layer stats',
    cloneUnits(
      'NeuronLayerStats',
      `FROM generate_series(0, ${L - 1}) l JOIN "NeuronLayerStats" t ON t."runId" = $2 AND t.layer = l % ${tL}`,
      await columns('NeuronLayerStats'),
      { nNeurons: String(dMlp) },
    ),
  );
  // The primary corpus: every neuron (the layer table's rows); comparison corpora: the example neurons only.
  await sql(
    'neuron stats',
    cloneUnits(
      'NeuronStats',
      `FROM ${neurons} JOIN "NeuronStats" t ON t."runId" = $2 AND t.layer = l % ${tL} AND t.neuron = n % ${tN}
       WHERE t."corpusSlug" = ${corpusSlug ? `'${corpusSlug.replace(/'/g, "''")}'` : 't."corpusSlug"'} OR n < ${EXAMPLE_NEURONS}`,
      await columns('NeuronStats'),
      { neuron: 'n', maxAct: 't."maxAct" * (0.5 + random())' },
    ),
  );
  await sql(
    'neuron examples',
    cloneUnits(
      'NeuronExamples',
      `FROM ${neurons} JOIN "NeuronExamples" t ON t."runId" = $2 AND t.layer = l % ${tL} AND t.neuron = n % ${tN} WHERE n < ${EXAMPLE_NEURONS}`,
      await columns('NeuronExamples'),
      { neuron: 'n' },
    ),
  );
  await sql(
    'neuron example search text',
    cloneUnits(
      'ExampleSearchText',
      `FROM ${neurons} JOIN "ExampleSearchText" t ON t."runId" = $2 AND t."unitKind" = 'neuron' AND t.layer = l % ${tL} AND t.unit = n % ${tN} WHERE n < ${EXAMPLE_NEURONS}`,
      await columns('ExampleSearchText'),
      { unit: 'n' },
    ),
  );
  await prisma.$executeRawUnsafe('ANALYZE');
  await publishRun(run.id, Date.now() - t0);
  const seconds = (Date.now() - t0) / 1000;
  log(`[fake-xl] published ${shape.slug} run ${run.id} in ${seconds.toFixed(0)} s`);
  return { runId: run.id, modelSlug: shape.slug, seconds };
}

async function columns(table: string): Promise<string[]> {
  const rows = await getPrisma().$queryRawUnsafe<{ column_name: string }[]>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    table,
  );
  return rows.map((r) => r.column_name);
}

/** INSERT … SELECT copying every column of the template row `t`, with runId, layer and head/neuron replaced. */
function cloneUnits(table: string, from: string, cols: string[], overrides: Record<string, string> = {}): string {
  const expr = (c: string): string => {
    if (c in overrides) return overrides[c];
    if (c === 'runId') return '$1';
    if (c === 'layer') return 'l';
    if (c === 'head') return 'h';
    return `t."${c}"`;
  };
  return `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${cols.map(expr).join(', ')} ${from}`;
}
