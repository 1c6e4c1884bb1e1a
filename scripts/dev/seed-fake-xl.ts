/**
 * DEV ONLY — FAKE DATA. Publishes a big fake run (scripts/dev/fake-xl.ts) into the database at DATABASE_URL, cloned
 * from its bundled stories260K run, and prints the run id.
 *
 *   DATABASE_URL=postgresql://… npx tsx scripts/dev/seed-fake-xl.ts                      # GPT-2-XL-sized: 48 × 25, 6,400 neurons
 *   DATABASE_URL=… npx tsx scripts/dev/seed-fake-xl.ts --slug fake-wide --layers 6 --heads 12 --d-mlp 300 [--again]
 */
import { FAKE_XL, seedFakeXl } from './fake-xl';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const nHeads = Number(arg('heads') ?? FAKE_XL.nHeads);
const shape = {
  slug: arg('slug') ?? FAKE_XL.slug,
  nLayers: Number(arg('layers') ?? FAKE_XL.nLayers),
  nHeads,
  dModel: 64 * nHeads,
  dMlp: Number(arg('d-mlp') ?? FAKE_XL.dMlp),
};
const { runId } = await seedFakeXl({ shape, again: process.argv.includes('--again'), log: (s) => console.error(s) });
console.log(runId);
process.exit(0);
