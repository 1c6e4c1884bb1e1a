// The search executor against a real Postgres with planted runs (lib/api/openapi/contract-fixtures.ts):
// stories260K's latest run has induction 0.9 on L1H3 and 0.7 on L2H5; other-shape (2×4) has 0.9 on L1H3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDatabase, type TestDatabase } from '../postgres/test-database';

let db: TestDatabase;
let runSearch: typeof import('./search').runSearch;
let closePrisma: () => Promise<void>;

beforeAll(async () => {
  db = await startTestDatabase();
  process.env.DATABASE_URL = db.url;
  // After migrating: the Prisma client must not load before the migration engine (see schema-engine.ts).
  ({ closePrisma } = await import('../db/client'));
  await (await import('../api/openapi/contract-fixtures')).seedContractFixtures();
  ({ runSearch } = await import('./search'));
});
afterAll(async () => {
  await closePrisma?.();
  await db?.stop();
});

const urls = async (q: string) => (await runSearch(q)).results.map((r) => r.url);

describe('runSearch', () => {
  it("finds heads above a metric threshold on each model's latest run, best first", async () => {
    const out = await runSearch('induction > 0.5');
    const heads = out.results.filter((r) => r.kind === 'head');
    expect(heads.map((r) => r.title)).toEqual(['other-shape L1H3', 'stories260K L1H3', 'stories260K L2H5']);
    expect(heads.map((r) => r.value)).toEqual([0.9, 0.9, 0.7]);
    expect(out.results.map((r) => r.url)).toContain('/models/stories260K?sort=induction&min=0.5');
  });

  it('combines a threshold with a model scope, and several thresholds with AND', async () => {
    expect(await urls('model:stories260K induction >= 0.9')).toEqual([
      '/models/stories260K/heads/1.3',
      '/models/stories260K?sort=induction&min=0.9',
    ]);
    const both = (await runSearch('stories260K induction > 0.5 prev < 0.5')).results.filter((r) => r.kind === 'head');
    expect(both.map((r) => r.title)).toEqual(['stories260K L1H3', 'stories260K L2H5']);
  });

  it('links heads in both spellings only where the model has them', async () => {
    expect(await urls('L4H7')).toEqual(['/models/stories260K/heads/4.7']);
    expect(await urls('1.3 model:other-shape')).toEqual(['/models/other-shape/heads/1.3']);
    const none = await runSearch('L9H9');
    expect(none.results).toEqual([]);
    expect(none.parsed.problems[0]).toMatch(/no model in scope has this head/);
  });

  it('reads "L1 H3" and a pasted page address as the head they name', async () => {
    expect(await urls('L1 H3 model:stories260K')).toEqual(['/models/stories260K/heads/1.3']);
    expect(await urls('/models/stories260K/heads/L1H3')).toEqual(['/models/stories260K/heads/1.3']);
    expect(await urls('http://localhost:3000/models/other-shape/heads/1.3')).toEqual(['/models/other-shape/heads/1.3']);
  });

  it('lists every metric a word names, by a word inside the name or an abbreviation', async () => {
    const metricUrls = async (q: string) => (await runSearch(q)).results.filter((r) => r.kind === 'metric').map((r) => r.url);
    expect(await metricUrls('entropy')).toEqual(['/metrics#attention_entropy']);
    expect(await metricUrls('dla')).toEqual(['/metrics#direct_logit_attribution']);
    expect(await metricUrls('logit')).toEqual(['/metrics#direct_logit_attribution']);
    expect(await metricUrls('copying')).toEqual(['/metrics#copying_ov', '/metrics#copying_full']);
    expect((await metricUrls('token')).length).toBeGreaterThanOrEqual(3);
  });

  it('links neurons within d_mlp', async () => {
    expect(await urls('model:stories260K L3N123')).toEqual(['/models/stories260K/neurons/3/123']);
    expect((await runSearch('model:stories260K L3N999')).results).toEqual([]);
  });

  it('finds models by name and metrics by id; explains unknown metrics', async () => {
    expect(await urls('stories')).toEqual(['/models/stories260K']);
    expect(await urls('induction')).toContain('/metrics#induction');
    const bad = await runSearch('model:stories260K nosuch > 1');
    expect(bad.results).toEqual([]);
    expect(bad.parsed.problems.join(' ')).toMatch(/no metric "nosuch"; metrics: /);
  });

  it('finds heads whose top examples contain a phrase (fixtures: every head has "Once upon a time")', async () => {
    const out = await runSearch('model:stories260K "upon a"');
    const examples = out.results.filter((r) => r.kind === 'example' && r.url.includes('/heads/'));
    expect(examples).toHaveLength(5 * 8);
    expect(examples[0].description).toBe('"upon a" appears in 6 of its top examples');
    // The head page lists top-attention examples first: the first match is there.
    expect(examples[0].match).toEqual({
      example: 'top attention example #1',
      text: 'Once upon a time',
      url: `${examples[0].url}#examples-attention`,
    });
    const headHits = (await runSearch('"UPON A TIME"')).results.filter((r) => r.kind === 'example' && r.url.includes('/heads/'));
    expect(headHits).toHaveLength(5 * 8 + 2 * 4);
    expect((await runSearch('"100%_"')).results).toEqual([]); // LIKE wildcards are literal
  });

  it('finds neurons whose top examples contain a phrase (fixtures: only L1N5 saw "the dragon")', async () => {
    const out = await runSearch('model:stories260K dragon');
    expect(out.results.map((r) => [r.title, r.url])).toEqual([['stories260K L1N5', '/models/stories260K/neurons/1/5']]);
    // Two top examples on each of the fixture's two corpora (the run records no corpus, so both count).
    expect(out.results[0].description).toBe('"dragon" appears in 4 of its top examples');
    // Which example matched: the first top example, with an excerpt and a link to its anchor on the neuron page.
    expect(out.results[0].match).toEqual({
      example: 'top example #1',
      text: '<s> the dragon slept',
      url: '/models/stories260K/neurons/1/5#top-1',
    });
    // Ties in hits: by run id (stories260K's latest run r8ck… before rothershape0).
    expect(await urls('"the dragon slept"')).toEqual(['/models/stories260K/neurons/1/5', '/models/other-shape/neurons/1/5']);
    expect((await runSearch('"dragon woke"')).results).toEqual([]);
  });
});
