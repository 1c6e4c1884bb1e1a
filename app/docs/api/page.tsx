import type { Metadata } from 'next';
import { Breadcrumbs } from '@/app/components/Breadcrumbs';
import { siteOrigin } from '@/app/components/site-origin';
import { ENDPOINTS, type ParamDoc } from '@/lib/api/openapi';
import { EXAMPLE } from '@/lib/api/openapi/common';
import { listModels } from '@/lib/db/models';

/** `/docs/api`: the API for people — quick start in curl and Python/pandas, then every endpoint (from lib/api/openapi). */
export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'API' };

function ParamList({ title, params }: { title: string; params?: Record<string, ParamDoc> }) {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return null;
  return (
    <>
      <p className="small">
        <strong>{title}</strong>
      </p>
      <ul className="small">
        {entries.map(([name, p]) => (
          <li key={name}>
            <code>{name}</code>
            {p.required ? ' (required)' : ''} — {p.description}
          </li>
        ))}
      </ul>
    </>
  );
}

export default async function ApiDocsPage() {
  const origin = await siteOrigin();
  // Examples that work on this server: its published model with the most heads (the richest example; ties: the first).
  const models = await listModels();
  const live = models
    .filter((m) => m.latestRun !== null)
    .reduce<(typeof models)[number] | undefined>(
      (best, m) => (!best || m.nLayers * m.nHeads > best.nLayers * best.nHeads ? m : best),
      undefined,
    );
  const model = live?.slug ?? EXAMPLE.model;
  const runId = live?.latestRun?.id ?? EXAMPLE.runId;
  const tags = [...new Set(ENDPOINTS.map((e) => e.tag))];

  // A head and a neuron that exist in that model (the examples must run as printed).
  const layer = Math.min(1, (live?.nLayers ?? 2) - 1);
  const head = Math.min(3, (live?.nHeads ?? 4) - 1);

  const curl = [
    `curl -s ${origin}/api/v1/models`,
    `curl -s "${origin}/api/v1/models/${model}/heads?sort=induction&limit=5"`,
    `curl -s "${origin}/api/v1/models/${model}/heads/${layer}/${head}?run=${runId}"`,
    `curl -s "${origin}/api/v1/models/${model}/neurons/${layer}?sort=maxAct&limit=5&run=${runId}"`,
    `curl -s "${origin}/api/v1/search?q=induction%20%3E%200.5"`,
    `# bulk export of a whole run: files named <model>-<run>-<table>.csv`,
    `curl -s -O -J ${origin}/api/v1/runs/${runId}/export/head-metrics.csv`,
    `curl -s -O -J ${origin}/api/v1/runs/${runId}/export/neuron-stats.csv`,
    `# live: a neuron's activation on your own text (JSON body; rate-limited per client)`,
    `curl -s -X POST -H 'Content-Type: application/json' -d '{"text": "Once upon a time"}' ${origin}/api/v1/models/${model}/neurons/${layer}/0/probe`,
    `# revalidate: 304 Not Modified when nothing changed`,
    `etag=$(curl -s -D - -o /dev/null ${origin}/api/v1/runs/${runId} | tr -d '\\r' | sed -n 's/^etag: //Ip')`,
    `curl -s -o /dev/null -w "%{http_code}\\n" -H "If-None-Match: $etag" ${origin}/api/v1/runs/${runId}`,
  ].join('\n');
  const python = [
    `import pandas as pd, requests`,
    ``,
    `BASE = "${origin}"`,
    `RUN = "${runId}"  # pin a run: these numbers never change`,
    ``,
    `# One call per table: every metric of every head (long format), then one column per metric`,
    `metrics = pd.read_csv(f"{BASE}/api/v1/runs/{RUN}/export/head-metrics.csv")`,
    `table = metrics.pivot_table(index=["layer", "head"], columns="metric", values="value")`,
    ``,
    `# Every neuron's statistics, and every stored example (token lists and activations as JSON)`,
    `neurons = pd.read_csv(f"{BASE}/api/v1/runs/{RUN}/export/neuron-stats.csv")`,
    `examples = pd.read_json(f"{BASE}/api/v1/runs/{RUN}/export/neuron-examples.jsonl", lines=True)`,
    ``,
    `# The head table as the site shows it (wide), straight from CSV`,
    `heads = pd.read_csv(f"{BASE}/api/v1/models/${model}/heads?format=csv&run={RUN}")`,
    ``,
    `# JSON, following cursor pages`,
    `url, runs = f"{BASE}/api/v1/runs?model=${model}", []`,
    `while url:`,
    `    page = requests.get(url).json()`,
    `    runs += page["runs"]`,
    `    url = page["page"]["next"] and BASE + page["page"]["next"]`,
    ``,
    `# Search, as in the search box`,
    `hits = requests.get(f"{BASE}/api/v1/search", params={"q": "induction > 0.5"}).json()["results"]`,
  ].join('\n');

  return (
    <div className="api-doc">
      <Breadcrumbs items={[{ label: 'API' }]} />
      <h1>API</h1>
      <p className="lede">
        Everything on headwiki is also JSON or CSV under <code>/api/v1</code>: read-only GETs (the live endpoints, which run your own text
        through a model, also take POST), open to every origin (CORS). The machine-readable description is{' '}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).
      </p>
      <h2>Conventions</h2>
      <ul>
        <li>
          <strong>Runs.</strong> A model name alone follows its latest published run. <code>?run=&lt;runId&gt;</code> (or a{' '}
          <code>/runs/&lt;runId&gt;/…</code> page) pins a response to one run forever; cite those.
        </li>
        <li>
          <strong>Caching.</strong> Every response has a strong <code>ETag</code>; send it back in <code>If-None-Match</code> to get{' '}
          <code>304 Not Modified</code>. Pinned responses are cacheable for a year (<code>immutable</code>), others for a minute.
        </li>
        <li>
          <strong>Pagination.</strong> Lists take <code>limit</code> and return{' '}
          <code>
            page: {'{'} limit, nextCursor, next {'}'}
          </code>
          ; follow <code>next</code> until it is <code>null</code>. CSV lists put the next page in a <code>Link</code> header.
        </li>
        <li>
          <strong>Errors.</strong> JSON <code>{'{ "error": { "message": "...", "status": 400 } }'}</code>: 400 malformed input (the message
          names the parameter), 404 absent, 429 too many requests (with <code>Retry-After</code> seconds).
        </li>
        <li>
          <strong>Bulk export.</strong> <code>/api/v1/runs/&lt;runId&gt;/export/&lt;table&gt;.csv</code> or <code>.jsonl</code>, streamed;
          the tables of a run are listed by <code>/api/v1/runs/&lt;runId&gt;</code> and on its run page.
        </li>
      </ul>
      <h2>Quick start: curl</h2>
      <pre data-testid="curl-example">{curl}</pre>
      <h2>Quick start: Python and pandas</h2>
      <pre data-testid="python-example">{python}</pre>

      <h2>Endpoints</h2>
      {tags.map((tag) => (
        <section key={tag}>
          <h3>{tag}</h3>
          {ENDPOINTS.filter((e) => e.tag === tag).map((e) => (
            <div key={e.operationId} className="api-doc-endpoint" id={e.operationId} data-testid={`endpoint-${e.operationId}`}>
              <h3>
                <code>
                  {e.method ?? 'GET'} {e.path}
                </code>
              </h3>
              <p>
                <strong>{e.summary}.</strong> {e.description}
              </p>
              <ParamList title="Path parameters" params={e.pathParams} />
              <ParamList title="Query parameters" params={e.query} />
              {e.body ? (
                <p className="small">
                  <strong>JSON body</strong> — {e.body.description} Example: <code>{JSON.stringify(e.body.example)}</code>
                </p>
              ) : null}
              <p className="small">
                <strong>Errors</strong>
              </p>
              <ul className="small">
                {[...e.errors, ...(e.serverStates ?? [])].map((err) => (
                  <li key={`${err.status}${err.when}`}>
                    <code>{err.status}</code> {err.when}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}
