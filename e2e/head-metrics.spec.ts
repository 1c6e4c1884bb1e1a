import { expect, test } from '@playwright/test';

/**
 * The head-metric suite in a real browser against `npm start`'s server (stories260K, bundled):
 * the composition view with its random baseline, label badges with measured effects, the head table's
 * column chooser and threshold highlighting, the head page's partners and similar heads, and the API.
 */
const SHOTS = process.env.HEADWIKI_E2E_STATE_DIR ?? '.headwiki/e2e';

test('composition view: one heads × heads matrix per kind, with the random baseline marked', async ({ page }) => {
  await page.goto('/models/stories260K');
  await page.getByTestId('composition-link').click();
  await expect(page).toHaveURL(/\/models\/stories260K\/composition$/, { timeout: 30_000 });
  for (const kind of ['q', 'k', 'v']) {
    const matrix = page.getByTestId(`composition-matrix-${kind}`);
    await expect(matrix).toBeVisible();
    // 5 layers × 8 heads: every pair of heads in different layers, earlier → later: 10 layer pairs × 64.
    await expect(matrix.getByTestId('composition-cell')).toHaveCount(640);
    await expect(matrix).toContainText('baseline');
  }
  // Some pairs stand above random matrices, most do not (hatched).
  const k = page.getByTestId('composition-matrix-k');
  expect(await k.locator('[data-significant="1"]').count()).toBeGreaterThan(0);
  expect(await k.locator('[data-significant="0"]').count()).toBeGreaterThan(0);
  await k.getByTestId('composition-cell').first().hover();
  await expect(k.getByTestId('composition-hover')).toContainText('→');
  await page.screenshot({ path: `${SHOTS}/h5-composition.png`, fullPage: true });
});

test('head table: column chooser, label badges and threshold highlighting', async ({ page }) => {
  await page.goto('/models/stories260K');
  await expect(page.getByTestId('sort-attention_entropy')).toHaveCount(0);
  await page.getByTestId('column-chooser').locator('summary').click();
  await page.getByTestId('column-attention_entropy').check();
  await expect(page.getByTestId('sort-attention_entropy')).toHaveCount(1);
  await page.getByTestId('column-prefix_matching').uncheck();
  await expect(page.getByTestId('sort-prefix_matching')).toHaveCount(0);
  // stories260K has previous-token heads (score ≥ 0.3) but no induction head for them to feed: claimed, and untestable
  // here (no later head's induction score could drop by the threshold) rather than "not confirmed".
  const badge = page.getByTestId('head-row').filter({ hasText: 'L1H3' }).getByTestId('head-badge').first();
  await expect(badge).toHaveAttribute('data-label', 'previous_token');
  await expect(badge).toHaveAttribute('data-status', 'untestable');
  await expect(badge).toHaveAttribute('title', /not testable by ablation in this model.*No later head is an induction head/);
  expect(await page.locator('td.value-labelled').count()).toBeGreaterThan(0);
  await page.screenshot({ path: `${SHOTS}/h5-head-table.png`, fullPage: false });
});

test('head page: labels with their effect, composition partners against the baseline, similar heads', async ({ page }) => {
  await page.goto('/models/stories260K/heads/1.3');
  await expect(page.getByTestId('head-labels').getByTestId('head-badge').first()).toHaveAttribute('data-label', 'previous_token');
  await expect(page.getByTestId('head-labels')).toContainText('induction score');
  const partners = page.getByTestId('composition-partners');
  await expect(partners).toContainText('K-composition');
  await expect(partners).toContainText('random baseline');
  await expect(page.getByTestId('similar-heads').locator('li')).toHaveCount(5);
  await page.screenshot({ path: `${SHOTS}/h5-head-page.png`, fullPage: true });
});

test('API: composition, labels, every metric, custom detection pattern; bad input is a 4xx JSON', async ({ request }) => {
  const comp = await request.get('/api/v1/models/stories260K/composition?kind=k');
  expect(comp.status()).toBe(200);
  const body = await comp.json();
  expect(body.kinds).toHaveLength(1);
  expect(body.kinds[0].scores).toHaveLength(640);
  expect(body.kinds[0].baseline.draws).toBe(200);
  const bad = await request.get('/api/v1/models/stories260K/composition?kind=x');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/kind/);

  const labels = await (await request.get('/api/v1/models/stories260K/labels')).json();
  expect(labels.rules.map((r: { label: string }) => r.label)).toEqual(['previous_token', 'induction', 'duplicate_token', 'copying']);
  expect(labels.labels.length).toBeGreaterThan(0);

  const metrics = await (await request.get('/api/v1/metrics')).json();
  const ids = metrics.metrics.map((m: { id: string }) => m.id);
  for (const id of ['prefix_matching', 'copying_ov', 'copying_full', 'successor', 'direct_logit_attribution', 'induction_natural'])
    expect(ids).toContain(id);

  const detect = await request.get(
    `/api/v1/models/stories260K/detect?pattern=previous&text=${encodeURIComponent('Once upon a time, there was a little girl.')}`,
  );
  expect(detect.status()).toBe(200);
  const scored = await detect.json();
  expect(scored.heads).toHaveLength(40);
  expect(scored.heads[0].score).toBeGreaterThanOrEqual(scored.heads[39].score);
  const badPattern = await request.get('/api/v1/models/stories260K/detect?pattern=sideways&text=hello');
  expect(badPattern.status()).toBe(400);
  expect((await badPattern.json()).error.message).toMatch(/unknown pattern/);
});
