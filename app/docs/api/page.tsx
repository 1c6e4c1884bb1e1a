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
  // Examples that work on this server: its first model with a published run.
  const models = await listModels();
  const live = models.find((m) => m.latestRun !== null);
  const model = live?.slug ?? EXAMPLE.model;
  const runId = live?.latestRun?.id ?? EXAMPLE.runId;
  const tags = [...new Set(ENDPOINTS.map((e) => e.tag))];

  const curl = [
    `curl -s ${origin}/api/v1/models`,
    `curl -s "${origin}/api/v1/models/${model}/heads?sort=induction&limit=5"`,
    `curl -s "${origin}/api/v1/models/${model}/heads/1/3?run=${runId}"`,
    `curl -s "${origin}/api/v1/search?q=induction%20%3E%200.5"`,
    `curl -s -O ${origin}/api/v1/runs/${runId}/export/head-metrics.csv`,
    `# revalidate: 304 Not Modified when nothing changed`,
    `curl -s -o /dev/null -w "%{http_code}\\n" -H 'If-None-Match: "<etag from a previous response>"' "${origin}/api/v1/runs/${runId}"`,
  ].join('\n');
  const python = [
    `import pandas as pd, requests`,
    ``,
    `BASE = "${origin}"`,
    `RUN = "${runId}"  # pin a run: these numbers never change`,
    ``,
    `# One call: every metric of every head of the run (long format), then one column per metric`,
    `metrics = pd.read_csv(f"{BASE}/api/v1/runs/{RUN}/export/head-metrics.csv")`,
    `table = metrics.pivot_table(index=["layer", "head"], columns="metric", values="value")`,
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
        Everything on headwiki is also JSON or CSV under <code>/api/v1</code>: read-only GETs, open to every origin (CORS). The machine-readable
        description is <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).
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
          <strong>Pagination.</strong> Lists take <code>limit</code> and return <code>page: {'{'} limit, nextCursor, next {'}'}</code>; follow{' '}
          <code>next</code> until it is <code>null</code>. CSV lists put the next page in a <code>Link</code> header.
        </li>
        <li>
          <strong>Errors.</strong> JSON <code>{'{ "error": { "message": "...", "status": 400 } }'}</code>: 400 malformed input (the message
          names the parameter), 404 absent, 429 too many requests (with <code>Retry-After</code> seconds).
        </li>
        <li>
          <strong>Bulk export.</strong> <code>/api/v1/runs/&lt;runId&gt;/export/&lt;table&gt;.csv</code> or <code>.jsonl</code>, streamed; the
          tables of a run are listed by <code>/api/v1/runs/&lt;runId&gt;</code> and on its run page.
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
                <code>GET {e.path}</code>
              </h3>
              <p>
                <strong>{e.summary}.</strong> {e.description}
              </p>
              <ParamList title="Path parameters" params={e.pathParams} />
              <ParamList title="Query parameters" params={e.query} />
              <p className="small">
                <strong>Errors</strong>
              </p>
              <ul className="small">
                {e.errors.map((err) => (
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
