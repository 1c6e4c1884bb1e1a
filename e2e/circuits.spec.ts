import { expect, test, type Page } from '@playwright/test';

/**
 * Issue 19: the bundled IOI model's circuit page, read without JavaScript at a phone's and a desktop's width — the
 * task's usability first, then the circuit graph (server-rendered SVG), roles and patching heatmaps; head pages'
 * circuit-roles section linking back; unknown tasks and models are the project's 404s; the circuit JSON export.
 * Full-page screenshots of each page at both widths go to the test's output folder.
 */

const MODEL = 'ioi-4l';
const PAGE = `/models/${MODEL}/circuits/ioi`;
const WIDTHS = [390, 1400] as const;

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

for (const width of WIDTHS) {
  test.describe(`at ${width} px, without JavaScript`, () => {
    test.use({ viewport: { width, height: 900 }, javaScriptEnabled: false });

    test('the IOI circuit page: usability near the top, the graph, roles and heatmaps', async ({ page }, testInfo) => {
      const res = await page.goto(PAGE);
      expect(res?.status()).toBe(200);
      await expect(page.getByTestId('circuit-title')).toContainText('ioi circuit');
      const usability = page.getByTestId('task-usability');
      await expect(usability).toHaveAttribute('data-status', 'usable');
      // Key content near the top: the usability line starts within the first screen.
      expect((await usability.boundingBox())!.y).toBeLessThan(900);
      await expect(page.getByTestId('circuit-graph')).toBeVisible();
      expect(await page.getByTestId('circuit-node').count()).toBeGreaterThan(2);
      expect(await page.getByTestId('circuit-edge').count()).toBeGreaterThan(1);
      // Head nodes link to their pages.
      expect(await page.locator(`[data-testid="circuit-graph"] a[href^="/models/${MODEL}/heads/"]`).count()).toBeGreaterThan(0);
      await expect(page.getByTestId('sweep-head_out')).toBeVisible();
      await expect(page.getByTestId('sweep-head_out-pos')).toBeVisible();
      await expect(page.getByTestId('path-patching')).toBeVisible();
      await expect(page.getByTestId('circuit-prompts')).toContainText('gave');
      // Wide: the graph on the left, usability and roles beside it (not below); narrow: usability, graph, roles stacked.
      const graph = (await page.getByTestId('circuit-graph').boundingBox())!;
      const usable = (await usability.boundingBox())!;
      const roles = (await page.locator('#roles').boundingBox())!;
      if (width >= 1100) {
        expect(usable.x).toBeGreaterThan(graph.x + graph.width - 1);
        expect(roles.x).toBeGreaterThan(graph.x + graph.width - 1);
        expect(roles.y).toBeLessThan(graph.y + graph.height);
      } else {
        expect(usable.y).toBeLessThan(graph.y);
        expect(roles.y).toBeGreaterThan(graph.y + graph.height - 1);
      }
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: testInfo.outputPath(`circuit-${width}.png`), fullPage: true });
    });

    test('the tasks list and a head page with its circuit roles', async ({ page }, testInfo) => {
      await page.goto(`/models/${MODEL}/circuits`);
      await expect(page.getByTestId('circuit-tasks')).toContainText('ioi');
      await expect(page.getByTestId('circuit-tasks')).toContainText('untestable');
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: testInfo.outputPath(`circuits-${width}.png`), fullPage: true });

      await page.goto(`/models/${MODEL}/heads/3.1`);
      await expect(page.locator('#roles')).toHaveText('Circuit roles');
      expect(await pageWidth(page)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: testInfo.outputPath(`head-3.1-${width}.png`), fullPage: true });
    });
  });
}

test('unknown task, model or run: 404 pages, never a 500', async ({ page }) => {
  for (const path of [
    `/models/${MODEL}/circuits/no_such_task`,
    `/models/${MODEL}/circuits/..%2F..`,
    `/models/${MODEL}/circuits/%00`,
    '/models/no-such-model/circuits/ioi',
    '/models/no-such-model/circuits',
    `/runs/rnosuchrun00/models/${MODEL}/circuits/ioi`,
  ]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
});

test('circuit JSON export and the pinned page', async ({ page, request }) => {
  const body = await (await request.get(`/api/v1/models/${MODEL}/circuits/ioi`)).json();
  expect(body.usability.status).toBe('usable');
  expect(body.circuit.edges.length).toBeGreaterThan(0);
  expect(body.sweeps[0].shape).toEqual([4, 2]);
  const missing = await request.get(`/api/v1/models/${MODEL}/circuits/no_such_task`);
  expect(missing.status()).toBe(404);
  expect((await missing.json()).error.status).toBe(404);
  const pinned = await page.goto(`/runs/${body.run.id}/models/${MODEL}/circuits/ioi`);
  expect(pinned?.status()).toBe(200);
});
