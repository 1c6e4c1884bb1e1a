import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

/**
 * Citable runs, the documented API, search and bulk export, in a real browser against `npm start`'s
 * server with the bundled stories260K run.
 */

async function latestRunId(request: import('@playwright/test').APIRequestContext): Promise<string> {
  const res = await request.get('/api/v1/models/stories260K/runs');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.runs.length).toBeGreaterThan(0);
  return body.runs[0].id;
}

test('the run page says how the run was made, what it computed, and cites it', async ({ page, request }) => {
  const runId = await latestRunId(request);
  await page.goto('/models/stories260K');
  await page.getByTestId('permalink').click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}/models/stories260K$`));

  await page.goto(`/runs/${runId}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(runId);
  const facts = page.getByTestId('run-facts');
  for (const label of [
    'Model',
    'Corpus',
    'Weight processing & options',
    'Metric versions',
    'Code version',
    'Seed',
    'Created',
    'Published',
    'Took',
  ]) {
    await expect(facts.getByText(label, { exact: true })).toBeVisible();
  }
  const metricsRow = page.getByTestId('run-tables').getByRole('row').filter({ hasText: 'head-metrics' });
  const nMetrics = Object.keys((await (await request.get(`/api/v1/runs/${runId}`)).json()).run.metricVersions).length;
  await expect(metricsRow).toContainText((40 * nMetrics).toLocaleString('en-US'));
  await expect(page.getByTestId('permalink')).toHaveAttribute('href', `/runs/${runId}`);
  await expect(page.getByTestId('latest-link')).toHaveAttribute('href', '/models/stories260K');
  await page.getByText('BibTeX').click();
  await expect(page.locator('.cite pre')).toContainText(`headwiki run ${runId}`);

  // The CSV link is the pandas one-liner's URL: a header and one line per (head, metric).
  const csvHref = await metricsRow.getByRole('link', { name: 'CSV' }).getAttribute('href');
  const csv = await (await request.get(csvHref!)).text();
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]).toBe('layer,head,name,metric,metric_version,value');
  expect(lines).toHaveLength(1 + 40 * nMetrics);
});

test('the runs list links each run, and comparing a run with itself shows no differences', async ({ page, request }) => {
  const runId = await latestRunId(request);
  await page.goto('/models/stories260K/runs');
  await expect(page.getByTestId('runs-table').getByRole('link', { name: runId })).toBeVisible();
  await page.getByRole('button', { name: 'Compare' }).click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?a=${runId}&b=${runId}`));
  const induction = page.getByTestId('compare-summary').getByRole('row').filter({ hasText: 'induction' }).first();
  await expect(induction).toContainText('0.000');
  await expect(page.getByTestId('compare-heads').getByRole('row')).toHaveCount(41);

  // A comparison of two given runs has no "latest" version: no Latest link pointing at a fixed run.
  await expect(page.getByTestId('latest-link')).toHaveCount(0);

  const missing = await page.goto('/compare?a=rnosuchrun00&b=rnosuchrun01');
  expect(missing!.status()).toBe(404);
  await expect(page.getByTestId('compare-problem')).toContainText('not a published run');
  expect((await page.goto('/compare?a=bogus'))!.status()).toBe(404);
  expect((await page.goto(`/compare?a=${runId}`))!.status()).toBe(200);
});

test('the header search box finds a head by name and by metric threshold', async ({ page, request }) => {
  await page.goto('/models');
  await page.getByTestId('search-input').first().fill('L1H3');
  await page.getByTestId('search-input').first().press('Enter');
  await expect(page).toHaveURL(/\/search\?q=L1H3/);
  await page.getByTestId('search-results').getByRole('link', { name: 'stories260K L1H3' }).click();
  await expect(page).toHaveURL(/\/models\/stories260K\/heads\/1\.3$/);

  const top = (await (await request.get('/api/v1/models/stories260K/heads?sort=induction&limit=1')).json()).heads[0];
  await page.goto(`/search?q=${encodeURIComponent(`induction >= ${top.induction}`)}`);
  // Every model's heads over the threshold are listed (the bundled IOI model may rank first): stories260K's top one is there.
  await expect(page.getByTestId('search-results').getByRole('link', { name: `stories260K ${top.name}`, exact: true })).toBeVisible();
  const api = await (await request.get(`/api/v1/search?q=${encodeURIComponent(`induction >= ${top.induction}`)}`)).json();
  expect(api.results.map((r: { url: string }) => r.url)).toContain(`/models/stories260K/heads/${top.layer}.${top.head}`);
});

test('the API page shows working examples, and the API speaks CORS, ETags and cursors', async ({ page, request }) => {
  const runId = await latestRunId(request);
  await page.goto('/docs/api');
  await expect(page.getByTestId('curl-example')).toContainText(`/api/v1/runs/${runId}/export/head-metrics.csv`);
  await expect(page.getByTestId('python-example')).toContainText('pd.read_csv(');
  await expect(page.getByTestId('endpoint-exportRunTable')).toBeVisible();

  const doc = await (await request.get('/api/v1/openapi.json')).json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toContain('/api/v1/runs/{runId}/export/{file}');

  const preflight = await request.fetch('/api/v1/models', {
    method: 'OPTIONS',
    headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'GET' },
  });
  expect(preflight.status()).toBe(204);
  expect(preflight.headers()['access-control-allow-origin']).toBe('*');

  const pinned = await request.get(`/api/v1/runs/${runId}`);
  expect(pinned.headers()['cache-control']).toContain('immutable');
  expect(pinned.headers()['access-control-allow-origin']).toBe('*');
  const again = await request.get(`/api/v1/runs/${runId}`, { headers: { 'If-None-Match': pinned.headers()['etag'] } });
  expect(again.status()).toBe(304);

  const first = await (await request.get('/api/v1/models/stories260K/heads?limit=30')).json();
  expect(first.heads).toHaveLength(30);
  const second = await (await request.get(first.page.next)).json();
  expect(second.heads).toHaveLength(10);
  expect(second.page.next).toBeNull();
  const bad = await request.get('/api/v1/models/stories260K/heads?limit=0');
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/^limit:/);
});

test('unknown runs are a proper 404 page', async ({ page }) => {
  const res = await page.goto('/runs/rnosuchrun00');
  expect(res?.status()).toBe(404);
});

test("the API page's curl examples run as printed (and the last one is a 304)", async ({ page }) => {
  await page.goto('/docs/api');
  const script = await page.getByTestId('curl-example').innerText();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-curl-'));
  try {
    // Each command must succeed and print something (HTTP errors show as JSON bodies, so check for "error").
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    // JSON bodies carry no trailing newline, so the last command's status code ends the output.
    expect(out.includes('"error":{'), 'no command answered an error').toBe(false);
    expect(out.trimEnd().endsWith('}304'), 'the revalidation answered 304').toBe(true);
    const files = fs.readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^stories260K-r\w+-head-metrics\.csv$/);
    expect(fs.readFileSync(path.join(dir, files[0]), 'utf8').split('\n')[0]).toBe('layer,head,name,metric,metric_version,value');
    expect(fs.readFileSync(path.join(dir, files[1]), 'utf8').split('\n')[0]).toMatch(/^corpus,layer,site,neuron,count,max_act/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the API page's Python/pandas example runs as printed (or, without pandas, parses and every URL it reads answers)", async ({
  page,
  request,
}) => {
  // HEADWIKI_E2E_PYTHON: a Python with pandas and requests (e.g. a venv). Where there is none, the example is still
  // checked: Python parses it, and every URL it reads answers 200 with a body pandas would read.
  const python = process.env.HEADWIKI_E2E_PYTHON ?? 'python3';
  await page.goto('/docs/api');
  const example = await page.getByTestId('python-example').innerText();
  if (spawnSync(python, ['-c', 'import pandas, requests']).status !== 0) {
    execFileSync(python, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: example, timeout: 30_000 });
    const run = /RUN = "(\w+)"/.exec(example)![1];
    const urls = [...example.matchAll(/f"\{BASE\}(\/api\/v1\/[^"]+)"/g)]
      .map((m) => m[1].replaceAll('{RUN}', run))
      .map((url) => (url === '/api/v1/search' ? `${url}?q=${encodeURIComponent('induction > 0.5')}` : url)); // params= in the example
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const url of urls) {
      const res = await request.get(url);
      expect(res.status(), url).toBe(200);
      expect((await res.body()).length, url).toBeGreaterThan(10);
    }
    return;
  }
  const check = [
    example,
    'assert table.shape[0] == 40, table.shape',
    'assert "induction" in table.columns',
    'assert len(neurons) > 0 and {"max_act", "density"} <= set(neurons.columns)',
    'assert len(examples) > 0 and isinstance(examples.tokens[0], list)',
    'assert list(heads.columns[:3]) == ["layer", "head", "name"] and len(heads) == 40',
    'assert len(runs) >= 1 and RUN in [r["id"] for r in runs]',
    'assert isinstance(hits, list)',
    'print("ok", table.shape, neurons.shape, examples.shape, heads.shape, len(runs), len(hits))',
  ].join('\n');
  const out = execFileSync(python, ['-c', check], { encoding: 'utf8', timeout: 120_000 });
  expect(out).toMatch(/^ok /);
});

test('bulk export covers neurons and examples; the API documents every live endpoint with POST', async ({ request }) => {
  const runId = await latestRunId(request);
  const run = await (await request.get(`/api/v1/runs/${runId}`)).json();
  const rows = Object.fromEntries(run.tables.map((t: { id: string; rows: number }) => [t.id, t.rows]));
  for (const id of ['head-metrics', 'head-examples', 'neuron-stats', 'neuron-examples', 'head-labels', 'head-composition'])
    expect(rows[id], id).toBeGreaterThan(0);
  const jsonl = await (await request.get(`/api/v1/runs/${runId}/export/neuron-examples.jsonl`)).text();
  expect(jsonl.trimEnd().split('\n')).toHaveLength(rows['neuron-examples']);

  const doc = await (await request.get('/api/v1/openapi.json')).json();
  expect(doc.paths['/api/v1/models/{model}/neurons/{layer}/{neuron}/probe'].post.requestBody).toBeTruthy();
  expect(Object.keys(doc.paths['/api/v1/models/{model}/detect'].get.responses)).toEqual(
    expect.arrayContaining(['200', '400', '413', '429', '503']),
  );
  const preflight = await request.fetch('/api/v1/models/stories260K/attention', {
    method: 'OPTIONS',
    headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });
  expect(preflight.status()).toBe(204);
  expect(preflight.headers()['access-control-allow-methods']).toContain('POST');
});

test('search finds a neuron by name and by the text of its top examples', async ({ page, request }) => {
  await page.goto('/search?q=L3N12');
  await page.getByTestId('search-results').getByRole('link', { name: 'stories260K L3N12' }).click();
  await expect(page).toHaveURL(/\/models\/stories260K\/neurons\/3\/12$/);
  // A word from a top example of L0N0 finds L0N0 (among others) through the neuron examples.
  const ex = (await (await request.get('/api/v1/models/stories260K/neurons/0/0')).json()).examples.find(
    (e: { kind: string }) => e.kind === 'top',
  );
  const words = (ex.tokens as string[])
    .map((t) => t.replace(/▁/g, ' '))
    .join('')
    .trim()
    .split(/\s+/)
    .filter((w) => /^[a-z]{2,}$/i.test(w));
  const word = words.sort((a, b) => b.length - a.length)[0];
  const api = await (await request.get(`/api/v1/search?limit=1000&q=${encodeURIComponent(`model:stories260K "${word}"`)}`)).json();
  expect(api.results.map((r: { url: string }) => r.url)).toContain('/models/stories260K/neurons/0/0');
});

test('text search pages its results and shows which example matched, as text', async ({ page, request }) => {
  const api = await (await request.get(`/api/v1/search?limit=1000&q=${encodeURIComponent('model:stories260K "little"')}`)).json();
  const total = api.results.length as number;
  expect(total).toBeGreaterThan(50); // stories260K's examples say "little" a lot: enough for two pages
  const first = api.results.find((r: { kind: string }) => r.kind === 'example');
  expect(first.match.text.toLowerCase()).toContain('little');
  expect(first.match.url.startsWith(first.url)).toBe(true);

  await page.goto(`/search?q=${encodeURIComponent('model:stories260K "little"')}`);
  await expect(page.getByTestId('search-count')).toContainText(`${total} results (1–50 shown, page 1 of ${Math.ceil(total / 50)})`);
  await expect(page.getByTestId('search-results').locator(':scope > li')).toHaveCount(50);
  const match = page.getByTestId('search-match').first();
  await expect(match).toContainText(first.match.text);
  await expect(match.getByRole('link')).toHaveAttribute('href', first.match.url);
  await page.getByTestId('search-next').click();
  await expect(page).toHaveURL(/[?&]page=2/);
  await expect(page.getByTestId('search-results')).toHaveAttribute('start', '51');
  await expect(page.getByTestId('search-results').locator(':scope > li').first().getByRole('link').first()).toHaveText(
    api.results[50].title,
  );
  // A page past the end shows the last page, not an error.
  expect((await request.get(`/search?q=little&page=99999`)).status()).toBe(200);
});
