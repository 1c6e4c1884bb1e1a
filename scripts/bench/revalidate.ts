/**
 * ETag revalidation on a running server: for every documented cacheable GET (from /api/v1/openapi.json, with the
 * server's first published model and run in place of the examples, latest and pinned), fetch it, then send its
 * ETag back in If-None-Match. Prints the 304 rate (should be 1: every cacheable response revalidates) and, per
 * endpoint and overall, the median time of the 304 against the 200 measured in the same run (the baseline).
 *   BASE=http://127.0.0.1:3180 npx tsx scripts/bench/revalidate.ts [rounds=10]
 */
export {};

const BASE = process.env.BASE ?? 'http://127.0.0.1:3000';
const ROUNDS = Number(process.argv[2] ?? 10);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(url: string, headers: Record<string, string> = {}) {
  const t0 = performance.now();
  const res = await fetch(url, { headers });
  const body = await res.arrayBuffer();
  return {
    ms: performance.now() - t0,
    status: res.status,
    etag: res.headers.get('etag'),
    cache: res.headers.get('cache-control'),
    bytes: body.byteLength,
  };
}

const doc: Json = await (await fetch(`${BASE}/api/v1/openapi.json`)).json();
const models: Json = await (await fetch(`${BASE}/api/v1/models`)).json();
const live = models.models.find((m: Json) => m.latestRun);
if (!live) throw new Error('no published run on this server');
const runId: string = live.latestRun.id;
const values: Record<string, string> = {
  model: live.slug,
  runId,
  layer: '1',
  head: '3',
  neuron: '5',
  file: 'head-metrics.csv',
  a: runId,
  b: runId,
  q: 'induction > 0.2',
};

const urls: string[] = [];
for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
  const op = item.get;
  if (!op || op['x-headwiki-caching'] === 'none') continue;
  const path = p.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(values[n] ?? 'x'));
  const required = (op.parameters as Json[]).filter((q) => q.in === 'query' && q.required);
  const query = new URLSearchParams(required.map((q) => [q.name, values[q.name] ?? q.example]));
  urls.push(`${BASE}${path}${query.size ? `?${query}` : ''}`);
  if ((op.parameters as Json[]).some((q) => q.name === 'run')) {
    query.set('run', runId);
    urls.push(`${BASE}${path}?${query}`);
  }
}

let conditional = 0;
let notModified = 0;
const all200: number[] = [];
const all304: number[] = [];
const rows: Json[] = [];
for (const url of urls) {
  const t200: number[] = [];
  const t304: number[] = [];
  let bytes = 0;
  let cache = '';
  for (let i = 0; i < ROUNDS; i++) {
    const first = await timed(url);
    if (first.status !== 200) throw new Error(`${url}: ${first.status}`);
    t200.push(first.ms);
    bytes = first.bytes;
    cache = first.cache ?? '';
    const again = await timed(url, { 'If-None-Match': first.etag ?? '"none"' });
    conditional++;
    if (again.status === 304) {
      notModified++;
      t304.push(again.ms);
    }
  }
  all200.push(...t200);
  all304.push(...t304);
  rows.push({
    url: url.slice(BASE.length),
    bytes,
    immutable: cache.includes('immutable'),
    ms200: +median(t200).toFixed(2),
    ms304: t304.length ? +median(t304).toFixed(2) : null,
    ratio304to200: t304.length ? +(median(t304) / median(t200)).toFixed(2) : null,
  });
}
for (const r of rows) console.log(JSON.stringify(r));
console.log(
  JSON.stringify({
    endpoints: urls.length,
    conditionalRequests: conditional,
    notModified,
    rate304: +(notModified / conditional).toFixed(3),
    medianMs200: +median(all200).toFixed(2),
    medianMs304: +median(all304).toFixed(2),
    ratio304to200: +(median(all304) / median(all200)).toFixed(2),
  }),
);
