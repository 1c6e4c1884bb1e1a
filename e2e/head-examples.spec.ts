import { expect, test } from '@playwright/test';

/**
 * Max-activating head examples and the attention viewer, in a real browser against `npm start`'s server
 * (which computes the bundled model's examples on first start): hover / lock / unlock / keyboard on an example,
 * the paginated examples API, the embeddable card, live custom text through lib/live (with and without
 * JavaScript), and legible tokens. Screenshots land in test-results/ (look at them).
 */
const HEAD = '/models/stories260K/heads/1.3'; // a previous-token head of stories260K

test('examples on a head page: hover focuses, click locks, click again unlocks, arrows move', async ({ page }) => {
  await page.goto(HEAD);
  const examples = page.getByTestId('examples-top-attention').getByTestId('head-example');
  await expect(examples.first()).toBeVisible();
  const viewer = examples.first().getByTestId('attention-viewer');
  const start = Number(await viewer.getAttribute('data-focus'));
  // The server-rendered destination attends one token back: its previous token is shaded.
  const dest = viewer.locator(`[data-idx="${start}"]`);
  const destPos = Number(await dest.getAttribute('data-pos'));
  await expect(viewer.locator(`[data-pos="${destPos - 1}"]`)).toHaveAttribute('data-weight', /^(0\.9|1\.0)/);
  await expect(viewer.locator('svg.attn-arcs path')).not.toHaveCount(0);

  const other = viewer.locator('[data-idx="2"]');
  await other.hover();
  await expect(viewer).toHaveAttribute('data-focus', '2');
  await other.click();
  await expect(viewer).toHaveAttribute('data-locked', 'true');
  await expect(viewer.getByTestId('viewer-readout')).toContainText('Locked');
  // Locked: hovering elsewhere does not move the focus.
  await viewer.locator('[data-idx="4"]').hover();
  await expect(viewer).toHaveAttribute('data-focus', '2');
  await other.click();
  await expect(viewer).toHaveAttribute('data-locked', 'false');

  await viewer.focus();
  await page.keyboard.press('Home');
  await expect(viewer).toHaveAttribute('data-focus', '0');
  await page.keyboard.press('ArrowRight');
  await expect(viewer).toHaveAttribute('data-focus', '1');
  await page.keyboard.press('Enter');
  await expect(viewer).toHaveAttribute('data-locked', 'true');
  await page.keyboard.press('Escape');
  await expect(viewer).toHaveAttribute('data-locked', 'false');
});

test('examples API pages with a cursor and answers bad input with 4xx', async ({ request }) => {
  const base = '/api/v1/models/stories260K/heads/1/3/examples';
  const first = await request.get(`${base}?kind=top_attention&limit=2`);
  expect(first.status()).toBe(200);
  const body = await first.json();
  expect(body.examples.map((e: { rank: number }) => e.rank)).toEqual([0, 1]);
  expect(body.stats.tokens).toBeGreaterThan(1000);
  const ex = body.examples[0];
  const row = ex.attention[ex.destIndex];
  expect(row[0][0]).toBe(ex.position - 1); // previous-token head
  expect(body.page.next).toBeTruthy();
  const second = await (await request.get(body.page.next)).json();
  expect(second.examples.map((e: { rank: number }) => e.rank)).toEqual([2, 3]);

  expect((await request.get(`${base}?kind=nope`)).status()).toBe(400);
  expect((await request.get(`${base}?cursor=garbage!`)).status()).toBe(400);
  expect((await request.get('/api/v1/models/stories260K/heads/1/99/examples')).status()).toBe(404);
});

test('the embeddable card has no site chrome', async ({ page }) => {
  await page.goto(`${HEAD}?embed=1`);
  await expect(page.getByTestId('head-embed')).toBeVisible();
  await expect(page.locator('.site-header')).toBeHidden();
  await expect(page.getByTestId('head-embed').getByTestId('attention-viewer').first()).toBeVisible();
});

test('custom text runs the head live; too-long text gets a message naming the limit', async ({ page, request }) => {
  await page.goto(HEAD);
  await page.getByTestId('custom-text-input').fill('The cat sat on the mat. The cat sat on the mat.');
  await page.getByTestId('custom-text-run').click();
  const viewer = page.getByTestId('custom-text-viewer');
  await expect(viewer).toBeVisible({ timeout: 30_000 });
  await expect(viewer.locator('[data-idx]')).not.toHaveCount(0);
  await viewer.locator('[data-idx="3"]').click();
  await expect(viewer).toHaveAttribute('data-locked', 'true');

  await page.getByTestId('custom-text-input').fill('ab '.repeat(400));
  await page.getByTestId('custom-text-run').click();
  await expect(page.getByTestId('custom-text-error')).toContainText('at most 256 tokens');

  const get = await request.get('/api/v1/models/stories260K/attention?text=Once%20upon%20a%20time&layer=1&head=3');
  expect(get.status()).toBe(200);
  const live = await get.json();
  expect(live.tokens[0].piece).toBe('<s>');
  expect(live.heads[0].rows).toHaveLength(live.tokens.length);
  expect((await request.get('/api/v1/models/stories260K/attention?layer=1')).status()).toBe(400);
  expect((await request.get('/api/v1/models/stories260K/attention?text=hi&layer=9')).status()).toBe(404);
  const tooLong = await request.post('/api/v1/models/stories260K/attention', { data: { text: 'ab '.repeat(400), layer: 1, head: 3 } });
  expect(tooLong.status()).toBe(413);
  expect((await tooLong.json()).error.message).toMatch(/256 tokens/);
});

test('tokens are legible: spaces and newlines visible, BOS marked special; screenshots', async ({ page }) => {
  await page.goto(HEAD);
  const viewer = page.getByTestId('examples-top-attention').getByTestId('attention-viewer').first();
  await expect(viewer).toBeVisible();
  // TinyStories pieces start with a SentencePiece space, shown as ␣; no raw ▁ reaches the page.
  await expect(viewer.locator('.vtok', { hasText: '␣' }).first()).toBeVisible();
  await expect(page.getByTestId('head-examples')).not.toContainText('▁');
  await page.getByTestId('custom-text-input').fill('One day,\nTom saw a dog. Tom saw a dog.');
  await page.getByTestId('custom-text-run').click();
  const live = page.getByTestId('custom-text-viewer');
  await expect(live.locator('.vtok.special').first()).toHaveText('<s>');
  await expect(live.locator('.vtok', { hasText: '↵' })).not.toHaveCount(0);
  await page.getByTestId('head-examples').screenshot({ path: test.info().outputPath('head-examples-section.png') });
  await page.getByTestId('custom-text').screenshot({ path: test.info().outputPath('custom-text.png') });
  await page.goto(`${HEAD}?embed=1`);
  await page.setViewportSize({ width: 780, height: 480 });
  await page.screenshot({ path: test.info().outputPath('embed.png') });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('examples are server-rendered with their attention; the custom-text form runs on the server', async ({ page }) => {
    await page.goto(HEAD);
    const viewer = page.getByTestId('examples-top-attention').getByTestId('attention-viewer').first();
    // The destination's row is shaded by the server: some token carries an attention weight, the readout names it.
    await expect(viewer.locator('[data-weight]')).not.toHaveCount(0);
    await expect(viewer.getByTestId('viewer-readout')).toContainText('attends to');
    await page.getByTestId('custom-text-input').fill('The cat sat on the mat. The cat sat on the mat.');
    await page.getByTestId('custom-text-run').click();
    await expect(page).toHaveURL(/\?text=The\+cat/);
    const live = page.getByTestId('custom-text-viewer');
    await expect(live.locator('[data-idx]')).not.toHaveCount(0);
    await expect(live.getByTestId('viewer-readout')).toContainText('attends to');
    await page.screenshot({ path: test.info().outputPath('no-js-custom-text.png'), fullPage: false });

    await page.goto(`${HEAD}?text=${encodeURIComponent('ab '.repeat(400))}`);
    await expect(page.getByTestId('custom-text-error')).toContainText('at most 256 tokens');
    await expect(page.getByTestId('custom-text-viewer')).toHaveCount(0);
  });
});
