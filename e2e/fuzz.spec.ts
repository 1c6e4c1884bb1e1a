import { expect, test, type APIRequestContext } from '@playwright/test';

/**
 * A seeded, bounded fuzz of every documented API route (from /api/v1/openapi.json) and every page route, against
 * `npm start`'s server: hostile path segments and query values, unknown parameters, odd methods, malformed and
 * oversized bodies, oversized headers. The promises: no response is a 5xx, and every /api response that is an
 * error is the API's one JSON error shape `{ error: { message, status } }` with the status it is sent with.
 * HEADWIKI_FUZZ_SEED picks another sequence, HEADWIKI_FUZZ_REQUESTS another size (default 1,600).
 * The fuzz speaks as its own client (X-Forwarded-For, honoured because playwright.config.ts trusts loopback
 * as a proxy) so that its live-inference and search budgets are not the other specs'.
 */

const SEED = Number(process.env.HEADWIKI_FUZZ_SEED ?? 20261207);
const TOTAL = Number(process.env.HEADWIKI_FUZZ_REQUESTS ?? 1600);
const PARALLEL = 4;
const FUZZ_CLIENT = '198.51.100.77';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values nobody should send; each is percent-encoded where it goes into a URL. */
const HOSTILE = [
  '',
  '-1',
  '0',
  '1',
  '999999999',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '1.5',
  ' 1',
  '01',
  '1.3.5',
  '-0',
  '\u0000',
  'a\u0000b',
  '%00',
  '..',
  '../..',
  '/',
  '\\',
  '%2e%2e',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR 1=1--",
  '${7*7}',
  '{{7*7}}',
  '\u202eevil',
  '\u0000\u0001\u0002',
  '🦄',
  'ﬀ',
  'é',
  '\ud800',
  'a'.repeat(5000),
  'L1H3',
  'stories260K',
  'true',
  'null',
  '[]',
  '{}',
  'asc',
  'desc',
  'csv',
  'json',
  'jsonl',
  'induction',
  'induction > 0.5',
  'x'.repeat(201),
  'once upon a time the little cat went to the park and saw a big dog who was very happy to see a friend there',
  'model:nosuch',
];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'];
const BODIES: (string | undefined)[] = [
  undefined,
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '{"text": 1}',
  '{"text": "Once upon a time", "layer": 0}',
  '{"text": "Once", "layer": -1}',
  '{"text": "\\u0000", "layer": 0}',
  '{"text": "Once upon a time", "site": "nope"}',
  `{"text": "${'a '.repeat(3000)}", "layer": 0}`,
  '{"__proto__": {"x": 1}, "text": "a", "layer": 0}',
];

interface RouteSpec {
  path: string;
  /** Example values of path parameters. */
  examples: Record<string, string>;
  query: string[];
  api: boolean;
}

async function routes(request: APIRequestContext): Promise<RouteSpec[]> {
  const doc = await (await request.get('/api/v1/openapi.json')).json();
  const models = await (await request.get('/api/v1/models')).json();
  const runId: string = (await (await request.get('/api/v1/models/stories260K/runs')).json()).runs[0].id;
  expect(models.models.length).toBeGreaterThan(0);
  const out: RouteSpec[] = [];
  for (const [path, item] of Object.entries<Record<string, { parameters?: { name: string; in: string; example?: string }[] }>>(doc.paths)) {
    const params = Object.values(item).flatMap((op) => op.parameters ?? []);
    const examples: Record<string, string> = {};
    for (const p of params) if (p.in === 'path') examples[p.name] = p.name === 'runId' ? runId : String(p.example ?? '0');
    if (examples.model) examples.model = 'stories260K';
    out.push({ path, examples, query: [...new Set(params.filter((p) => p.in === 'query').map((p) => p.name))], api: true });
  }
  const pageQuery = ['run', 'sort', 'order', 'min', 'layer', 'site', 'text', 'probe', 'embed', 'page', 'q', 'a', 'b', 'kind', 'cols'];
  const m = { model: 'stories260K', head: '1.3', layer: '1', neuron: '5', runId };
  for (const path of [
    '/',
    '/models',
    '/models/{model}',
    '/models/{model}/heads/{head}',
    '/models/{model}/composition',
    '/models/{model}/layers/{layer}',
    '/models/{model}/neurons/{layer}/{neuron}',
    '/models/{model}/runs',
    '/runs/{runId}',
    '/runs/{runId}/models/{model}',
    '/runs/{runId}/models/{model}/heads/{head}',
    '/runs/{runId}/models/{model}/composition',
    '/runs/{runId}/models/{model}/layers/{layer}',
    '/runs/{runId}/models/{model}/neurons/{layer}/{neuron}',
    '/compare',
    '/search',
    '/metrics',
    '/docs/api',
    '/{model}/{layer}/{neuron}',
  ]) {
    out.push({ path, examples: m, query: pageQuery, api: false });
  }
  return out;
}

function encode(v: string): string {
  // Lone surrogates cannot be percent-encoded as UTF-8: send their replacement, as a browser would.
  return encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\ufffd')).replace(/%2525/g, '%25');
}

interface Outcome {
  method: string;
  url: string;
  status: number;
  problem?: string;
}

test('fuzz: no 5xx anywhere, and every API error is the JSON error shape', async ({ request, playwright, baseURL }) => {
  test.setTimeout(15 * 60_000);
  const random = mulberry32(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const specs = await routes(request);
  const ctx = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { 'X-Forwarded-For': FUZZ_CLIENT }, maxRedirects: 0 });

  // Build the whole plan first: the sequence depends on the seed alone, not on response timing.
  const plan: { method: string; url: string; body?: string; headers: Record<string, string>; api: boolean }[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const spec = specs[i % specs.length];
    let path = spec.path;
    for (const name of Object.keys(spec.examples)) {
      const value = random() < 0.3 ? pick(HOSTILE) : spec.examples[name];
      path = path.replace(`{${name}}`, encode(value));
    }
    path = path.replace(/\{[^}]+\}/g, () => encode(pick(HOSTILE)));
    const params: string[] = [];
    const nParams = Math.floor(random() * 3);
    for (let k = 0; k < nParams; k++) {
      const name = random() < 0.85 && spec.query.length > 0 ? pick(spec.query) : pick(['sotr', 'x', '%00', '']);
      params.push(`${encode(name)}=${encode(pick(HOSTILE))}`);
    }
    if (random() < 0.05) params.push('q=a%00b', 'text=%00');
    const method = spec.api ? pick(METHODS) : pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'TRACE', 'PUT']);
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      body = pick(BODIES);
      if (body !== undefined) headers['Content-Type'] = pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded']);
    }
    if (random() < 0.02) headers['X-Oversized'] = 'x'.repeat(20_000); // over Node's 16 KB header limit: 431
    if (random() < 0.05) headers['Host'] = 'evil.example';
    if (random() < 0.05) headers['If-None-Match'] = pick(['*', '"x"', 'W/"y"', '']);
    plan.push({ method, url: `${path}${params.length > 0 ? `?${params.join('&')}` : ''}`, body, headers, api: spec.api });
  }
  // And one 20 MB body at a live endpoint: 413, not 400.
  plan.push({
    method: 'POST',
    url: '/api/v1/models/stories260K/attention',
    body: `{"text": "${'a'.repeat(20 * 1024 * 1024)}", "layer": 0}`,
    headers: { 'Content-Type': 'application/json' },
    api: true,
  });

  const outcomes: Outcome[] = [];
  const t0 = Date.now();
  let next = 0;
  async function worker() {
    while (next < plan.length) {
      const index = next++;
      const p = plan[index];
      let status = 0;
      let problem: string | undefined;
      try {
        // Absolute, so that a path starting with `//` stays a path.
        const res = await ctx.fetch(`${baseURL}${p.url}`, {
          method: p.method,
          data: p.body,
          headers: p.headers,
          failOnStatusCode: false,
          timeout: 60_000,
        });
        status = res.status();
        // A 503 with Retry-After is the documented back-pressure of live pages (busy: try again), not a failure.
        if (status >= 500 && !(status === 503 && res.headers()['retry-after']))
          problem = `status ${status}: ${(await res.text()).slice(0, 200)}`;
        else if (p.api && status >= 400 && p.method !== 'HEAD') {
          const type = res.headers()['content-type'] ?? '';
          if (!type.startsWith('application/json')) problem = `error with content-type "${type}"`;
          else {
            const json = await res.json().catch(() => null);
            if (!json || typeof json.error?.message !== 'string' || json.error?.status !== status)
              problem = `error body not the error shape: ${JSON.stringify(json).slice(0, 200)}`;
          }
          if (status === 405 && !res.headers()['allow']) problem = '405 without Allow';
          if ((status === 429 || status === 503) && !res.headers()['retry-after']) problem = `${status} without Retry-After`;
        }
      } catch (err) {
        problem = `no response: ${(err as Error).message.split('\n')[0]}`;
      }
      outcomes[index] = { method: p.method, url: p.url.slice(0, 160), status, problem };
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const seconds = (Date.now() - t0) / 1000;
  await ctx.dispose();

  const byStatus: Record<number, number> = {};
  for (const o of outcomes) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const problems = outcomes.filter((o) => o.problem);
  console.log(
    `fuzz seed ${SEED}: ${outcomes.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(byStatus)}; ${problems.length} problems`,
  );
  for (const o of problems.slice(0, 20)) console.log(`  ${o.method} ${o.url} → ${o.problem}`);
  expect(outcomes.filter(Boolean)).toHaveLength(plan.length);
  expect(problems.map((o) => `${o.method} ${o.url} → ${o.problem}`)).toEqual([]);
  // The one 20 MB body.
  expect(outcomes[plan.length - 1]).toMatchObject({ method: 'POST', url: '/api/v1/models/stories260K/attention', status: 413 });
});
