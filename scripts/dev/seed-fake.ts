/**
 * DEV ONLY — FAKE DATA. Never used by `npm start` or any test of real numbers.
 *
 * Starts a throw-away embedded Postgres (its own data directory and port, so it never touches the
 * real wiki's database), applies the migrations and fills it with invented models and runs whose
 * metric values and attention patterns are synthetic, so the pages can be developed and looked at
 * before a real run exists. The models' slugs start with `fake-` so nobody mistakes them for results.
 *
 *   npx tsx scripts/dev/seed-fake.ts            # prints DATABASE_URL, keeps Postgres up until Ctrl-C
 *   npx tsx scripts/dev/seed-fake.ts --xl       # also a GPT-2-XL-sized run (48 × 25 heads, 6,400 neurons per layer),
 *                                               # cloned from the bundled stories260K run, computed first (~3 min)
 *   HEADWIKI_FAKE_PG_PORT=54359 (default)       # port of the throw-away server
 */
import fs from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../lib/postgres/embedded-postgres';
import { applyMigrations } from '../../lib/postgres/migrate';
import { stateDir } from '../lib/paths';

interface FakeModel {
  slug: string;
  displayName: string;
  architecture: string;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  dModel: number;
  dMlp: number;
  dVocab: number;
  nCtx: number;
  description: string;
  /** Planted heads: [layer, head]. */
  previousToken: [number, number][];
  induction: [number, number][];
  duplicate: [number, number][];
}

const FAKE_MODELS: FakeModel[] = [
  {
    slug: 'fake-attn-2l',
    displayName: 'fake-attn-2l',
    architecture: 'gpt2',
    nLayers: 2,
    nHeads: 8,
    nKvHeads: 8,
    dModel: 256,
    dMlp: 0,
    dVocab: 512,
    nCtx: 512,
    description: 'DEV FAKE DATA: an invented 2-layer attention-only model, for developing the pages.',
    previousToken: [[0, 1]],
    induction: [
      [1, 4],
      [1, 6],
    ],
    duplicate: [[0, 5]],
  },
  {
    slug: 'fake-gqa-5l',
    displayName: 'fake-gqa-5l',
    architecture: 'llama',
    nLayers: 5,
    nHeads: 8,
    nKvHeads: 4,
    dModel: 64,
    dMlp: 172,
    dVocab: 512,
    nCtx: 512,
    description: 'DEV FAKE DATA: an invented Llama-style model with grouped-query attention.',
    previousToken: [
      [0, 2],
      [1, 7],
    ],
    induction: [
      [2, 3],
      [3, 0],
      [4, 5],
    ],
    duplicate: [[1, 1]],
  },
  {
    slug: 'fake-12l',
    displayName: 'fake-12l',
    architecture: 'gpt2',
    nLayers: 12,
    nHeads: 12,
    nKvHeads: 12,
    dModel: 768,
    dMlp: 3072,
    dVocab: 50257,
    nCtx: 1024,
    description: 'DEV FAKE DATA: an invented GPT-2-small-sized model (values are synthetic, not GPT-2 small).',
    previousToken: [
      [2, 2],
      [4, 11],
    ],
    induction: [
      [5, 1],
      [5, 5],
      [6, 9],
      [7, 2],
      [7, 10],
    ],
    duplicate: [
      [0, 1],
      [0, 10],
      [3, 0],
    ],
  },
];

/** SentencePiece pieces of a short story with a repeat, so induction heads have something to do. */
const EXAMPLE_TOKENS = [
  '<s>',
  '▁Once',
  '▁upon',
  '▁a',
  '▁time',
  ',',
  '▁there',
  '▁was',
  '▁a',
  '▁little',
  '▁girl',
  '▁named',
  '▁L',
  'ily',
  '.',
  '<0x0A>',
  '▁L',
  'ily',
  '▁loved',
  '▁to',
  '▁play',
  '▁with',
  '▁her',
  '▁red',
  '▁ball',
  '.',
  '▁One',
  '▁day',
  ',',
  '▁L',
  'ily',
  '▁lost',
  '▁her',
  '▁red',
  '▁ball',
  '▁in',
  '▁the',
  '▁park',
  '.',
  '<0xE2>',
  '<0x80>',
  '<0x9C>',
  'Oh',
  '▁no',
  '!',
];

/** Deterministic pseudo-random numbers (mulberry32), so every seeding gives the same fake data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function has(list: [number, number][], l: number, h: number): boolean {
  return list.some(([a, b]) => a === l && b === h);
}

/** A causal pattern: softmax of random scores, plus planted structure for the planted heads. */
function fakePattern(m: FakeModel, l: number, h: number, rand: () => number): Float32Array {
  const n = EXAMPLE_TOKENS.length;
  const A = new Float32Array(n * n);
  for (let q = 0; q < n; q++) {
    const scores: number[] = [];
    for (let k = 0; k <= q; k++) {
      let s = rand() * 1.5;
      if (k === 0) s += 2.2; // attention sink on BOS
      if (has(m.previousToken, l, h) && k === q - 1) s += 6;
      if (has(m.duplicate, l, h) && k < q && EXAMPLE_TOKENS[k] === EXAMPLE_TOKENS[q]) s += 5;
      if (has(m.induction, l, h) && k >= 1 && k <= q && k - 1 < q && EXAMPLE_TOKENS[k - 1] === EXAMPLE_TOKENS[q]) s += 6;
      scores.push(s);
    }
    const max = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    exps.forEach((e, k) => (A[q * n + k] = e / sum));
  }
  return A;
}

function fakeMetrics(m: FakeModel, rand: () => number, jitter: number) {
  const rows: { layer: number; head: number; metricId: string; metricVersion: number; value: number }[] = [];
  for (let l = 0; l < m.nLayers; l++) {
    for (let h = 0; h < m.nHeads; h++) {
      const noise = () => rand() * 0.08 + jitter * (rand() - 0.5);
      const clamp = (v: number) => Math.min(1, Math.max(0, v));
      const prev = has(m.previousToken, l, h) ? 0.82 + rand() * 0.15 : 0.02 + noise();
      const dup = has(m.duplicate, l, h) ? 0.6 + rand() * 0.3 : 0.01 + noise() * 0.6;
      const ind = has(m.induction, l, h) ? 0.55 + rand() * 0.4 : 0.01 + noise() * 0.7;
      rows.push({ layer: l, head: h, metricId: 'previous_token', metricVersion: 1, value: clamp(prev) });
      rows.push({ layer: l, head: h, metricId: 'duplicate_token', metricVersion: 1, value: clamp(dup) });
      rows.push({ layer: l, head: h, metricId: 'induction', metricVersion: 1, value: clamp(ind) });
      // One missing value, so the pages' "no value" rendering can be seen.
      if (!(l === m.nLayers - 1 && h === m.nHeads - 1)) {
        rows.push({ layer: l, head: h, metricId: 'induction_tl', metricVersion: 1, value: clamp(ind * 0.93 + 0.01) });
      }
    }
  }
  return rows;
}

async function seed(): Promise<void> {
  // Imported after DATABASE_URL is set: lib/db reads it when the client is first made.
  const { upsertModel } = await import('@/lib/db/models');
  const { createRun, publishRun } = await import('@/lib/db/runs');
  const { saveHeadMetrics } = await import('@/lib/db/head-metrics');
  const { saveExampleText, saveHeadPatterns } = await import('@/lib/db/head-patterns');
  const { getPrisma } = await import('@/lib/db/client');

  const existing = await getPrisma().model.count({ where: { slug: { in: FAKE_MODELS.map((m) => m.slug) } } });
  if (existing === FAKE_MODELS.length) {
    console.log('[seed-fake] fake models already seeded');
    return;
  }

  for (const m of FAKE_MODELS) {
    const dHead = m.dModel / m.nHeads;
    await upsertModel({
      slug: m.slug,
      displayName: m.displayName,
      architecture: m.architecture,
      nLayers: m.nLayers,
      nHeads: m.nHeads,
      nKvHeads: m.nKvHeads,
      dModel: m.dModel,
      dHead,
      dMlp: m.dMlp,
      dVocab: m.dVocab,
      nCtx: m.nCtx,
      nParams: m.nLayers * (4 * m.dModel * m.dModel + 2 * m.dModel * m.dMlp) + 2 * m.dVocab * m.dModel,
      source: 'dev fake data (scripts/dev/seed-fake.ts)',
      license: 'n/a (synthetic)',
      description: m.description,
      config: { model_name: m.slug, fake: true },
    });

    // Two published runs (so the pinned page can say a newer one exists) and one still running.
    for (const [i, jitter] of [0.1, 0].entries()) {
      const rand = rng(1234 + i * 7 + m.nLayers);
      const run = await createRun({
        modelSlug: m.slug,
        options: { fold_ln: true, center_writing_weights: true, center_unembed: true, fold_value_biases: true, fake: true },
        codeVersion: 'dev-fake',
        seed: 1234 + i,
        metricVersions: { previous_token: 1, duplicate_token: 1, induction: 1, induction_tl: 1 },
      });
      await saveHeadMetrics(run.id, fakeMetrics(m, rand, jitter));
      await saveExampleText(run.id, { tokenIds: EXAMPLE_TOKENS.map((_, k) => k), tokens: EXAMPLE_TOKENS });
      const patterns = [];
      for (let l = 0; l < m.nLayers; l++)
        for (let h = 0; h < m.nHeads; h++) patterns.push({ layer: l, head: h, pattern: fakePattern(m, l, h, rand) });
      await saveHeadPatterns(run.id, patterns);
      await publishRun(run.id, 1000 + i);
      console.log(`[seed-fake] ${m.slug}: published run ${run.id}`);
    }
    const running = await createRun({ modelSlug: m.slug, options: {}, codeVersion: 'dev-fake', seed: 9, metricVersions: {} });
    console.log(`[seed-fake] ${m.slug}: left run ${running.id} running (must never be shown)`);
  }
}

async function main() {
  const dataDir = path.join(stateDir, 'dev-fake-postgres');
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = Number(process.env.HEADWIKI_FAKE_PG_PORT ?? 54359);
  const pg = await startEmbeddedPostgres({
    dataDir,
    port,
    database: 'headwiki_fake',
    ephemeral: true,
    log: (s) => console.log(`[seed-fake] ${s}`),
  });
  process.env.DATABASE_URL = pg.url;
  const stop = async () => {
    await pg.stop().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    await applyMigrations(pg.url, { log: (s) => console.log(`[seed-fake] ${s}`) });
    await seed();
    if (process.argv.includes('--xl')) {
      const { ensureBundledWiki } = await import('../lib/ensure-bundled-wiki');
      const { seedFakeXl } = await import('./fake-xl');
      await ensureBundledWiki({ log: (s) => console.log(`[seed-fake] ${s}`) });
      await seedFakeXl({ log: (s) => console.log(`[seed-fake] ${s}`) });
    }
  } catch (err) {
    console.error('[seed-fake] failed:', err);
    await pg.stop().catch(() => {});
    process.exit(1);
  }
  console.log(`[seed-fake] ready. DATABASE_URL=${pg.url}`);
  // embedded-postgres stops with this process: stay up until interrupted.
  setInterval(() => {}, 1 << 30);
}

void main();
