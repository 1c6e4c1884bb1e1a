/**
 * The neuron page, shared by `/models/{model}/neurons/{L}/{N}` and its run-pinned twin: statistics, histogram with
 * quantile marks, examples (top, diverse, quantile, random) shaded by activation, weight effects, the
 * random-direction baseline, the comparison with a second corpus, and a live probe. Malformed or absent → 404.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { baselineComparison, loadNeuronDetail, loadNeuronLayer, loadSiteViews, neuronExists, siteSchema } from '@/lib/api/neuron-data';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import type { StoredNeuronExample } from '@/lib/db/neurons';
import { apiNeuronPath, apiNeuronProbePath, layerPath, neuronPath } from '@/lib/format/neuron-paths';
import { modelPath } from '@/lib/format/paths';
import { Breadcrumbs } from '../Breadcrumbs';
import { CiteThis } from '../CiteThis';
import { EmbedSnippet } from '../heads/EmbedSnippet';
import { BaselineTable } from './BaselineTable';
import { NeuronExampleView } from './NeuronExampleView';
import { NeuronHistogram } from './NeuronHistogram';
import { NeuronKeyboardNav } from './NeuronKeyboardNav';
import { NeuronProbeSection } from './NeuronProbeSection';
import { TokenScoreList } from './TokenScoreList';

const INDEX = /^(0|[1-9]\d{0,5})$/;
/** Top examples whose whole window is in the HTML (expands without JavaScript); the rest render it when opened. */
const EAGER_TOP = 3;

function ExampleList({
  examples,
  scale,
  label,
  testId,
  shownAbove,
  eager = 0,
  jsonHref,
}: {
  examples: StoredNeuronExample[];
  scale: number;
  label: (e: StoredNeuronExample) => string;
  testId: string;
  /** Top examples already on the page: the same token is shown as one line linking to it (keeps the page small). */
  shownAbove?: StoredNeuronExample[];
  /** How many of the first examples carry their whole window in the HTML (page weight, issue 16). */
  eager?: number;
  jsonHref: string;
}) {
  if (examples.length === 0) return <p className="small muted">None.</p>;
  const above = new Map((shownAbove ?? []).map((t) => [`${t.contextId}:${t.position}`, t]));
  return (
    <div className="neuron-examples" data-testid={testId}>
      {examples.map((e, i) => {
        const same = above.get(`${e.contextId}:${e.position}`);
        return (
          <NeuronExampleView
            key={`${e.kind}-${e.rank}`}
            ex={e}
            scale={scale}
            label={label(e)}
            sameAs={same ? { href: `#top-${same.rank + 1}`, label: `top #${same.rank + 1}` } : undefined}
            eager={i < eager}
            jsonHref={jsonHref}
          />
        );
      })}
    </div>
  );
}

export async function NeuronPage({
  modelSlug,
  runId,
  layerParam,
  neuronParam,
  siteParam,
  probeParam,
}: {
  modelSlug: string;
  runId?: string;
  layerParam: string;
  neuronParam: string;
  siteParam?: string;
  /** `?probe=`: text of the no-JS probe form, run live on the server. */
  probeParam?: string;
}) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  if (!INDEX.test(layerParam) || !INDEX.test(neuronParam)) notFound();
  const parsedSite = siteSchema.safeParse(siteParam ?? 'post');
  if (!parsedSite.success) notFound();
  const site = parsedSite.data;
  const layer = Number(layerParam);
  const neuron = Number(neuronParam);
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  if (!neuronExists(model, layer, neuron)) notFound();
  const scan = await loadNeuronLayer(run, layer, site);
  if (!scan) notFound();
  const detail = await loadNeuronDetail(run, scan, neuron);
  if (!detail) notFound();
  const { stats, examples, others } = detail;
  const siteViews = await loadSiteViews(run, scan, neuron, examples);
  const pageRun = pinned ? run.id : undefined;
  const nav = {
    prev: neuron > 0 ? neuronPath(model.slug, layer, neuron - 1, pageRun, site) : undefined,
    next: neuron + 1 < model.dMlp ? neuronPath(model.slug, layer, neuron + 1, pageRun, site) : undefined,
    up: layer > 0 ? neuronPath(model.slug, layer - 1, neuron, pageRun, site) : undefined,
    down: layer + 1 < model.nLayers ? neuronPath(model.slug, layer + 1, neuron, pageRun, site) : undefined,
  };
  const name = `L${layer}N${neuron}`;
  const scale = stats.maxAct > 0 ? stats.maxAct : Math.max(Math.abs(stats.minAct), 1e-6);
  const byKind = (k: StoredNeuronExample['kind']) => examples.filter((e) => e.kind === k);
  const top = byKind('top');
  const hook = `blocks.${layer}.mlp.hook_${site}`;
  const opts = scan.primary.options as { k?: number; contextLength?: number };
  const json = apiNeuronPath(model.slug, layer, neuron, run.id, site);

  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug, pageRun) },
          { label: `Layer ${layer}`, href: layerPath(model.slug, layer, pageRun, { site }) },
          { label: `Neuron ${neuron}` },
        ]}
      />
      <NeuronKeyboardNav {...nav} />
      <nav className="head-nav neuron-nav" aria-label="Neighbouring neurons">
        <span>
          {nav.prev ? (
            <Link href={nav.prev} rel="prev">
              ← L{layer}N{neuron - 1}
            </Link>
          ) : null}{' '}
          {nav.up ? (
            <Link href={nav.up}>
              ↑ L{layer - 1}N{neuron}
            </Link>
          ) : null}
        </span>
        <span className="small muted">keys: ← → neuron, k j layer</span>
        <span>
          {nav.down ? (
            <Link href={nav.down}>
              ↓ L{layer + 1}N{neuron}
            </Link>
          ) : null}{' '}
          {nav.next ? (
            <Link href={nav.next} rel="next">
              L{layer}N{neuron + 1} →
            </Link>
          ) : null}
        </span>
      </nav>
      <div className="head-title">
        <h1 data-testid="neuron-name">{name}</h1>
        <span className="muted">
          neuron {neuron} of {model.dMlp} in layer {layer} of <Link href={modelPath(model.slug, pageRun)}>{model.displayName}</Link>
        </span>
      </div>
      <p className="small muted">
        Hook:{' '}
        <code>
          {hook}[:, :, {neuron}]
        </code>{' '}
        · corpus <code>{scan.primary.corpusSlug}</code> ({scan.primary.tokens.toLocaleString('en')} tokens in{' '}
        {scan.primary.contexts.toLocaleString('en')} contexts of ≤ {opts.contextLength ?? '?'} tokens) · run <code>{run.id}</code>
        {pinned ? ' (pinned)' : ' (latest)'} · <a href={json}>JSON</a>
        {scan.sites.length > 1 ? (
          <>
            {' '}
            · site:{' '}
            {scan.sites.map((s) => (
              <span key={s}>
                {s === site ? <strong>{s}</strong> : <Link href={neuronPath(model.slug, layer, neuron, pageRun, s)}>{s}</Link>}{' '}
              </span>
            ))}
          </>
        ) : null}
      </p>
      {stats.warning ? (
        <p className="notice neuron-warning" role="note" data-testid="monosemanticity-warning">
          ⚠ {stats.warning}
        </p>
      ) : null}

      <h2 id="stats">Activations</h2>
      <dl className="neuron-stats" data-testid="neuron-stats">
        <dt>max</dt>
        <dd>{stats.maxAct.toFixed(3)}</dd>
        <dt>mean</dt>
        <dd>{stats.mean.toFixed(4)}</dd>
        <dt>variance</dt>
        <dd>{stats.variance.toFixed(4)}</dd>
        <dt>skewness</dt>
        <dd>{stats.skewness.toFixed(2)}</dd>
        <dt>excess kurtosis</dt>
        <dd>{stats.kurtosis.toFixed(2)}</dd>
        <dt>density (&gt; 0)</dt>
        <dd>{(stats.density * 100).toFixed(1)} %</dd>
        <dt>top-token share</dt>
        <dd title="Share of strong top examples (≥ half the max) whose max token is the most frequent one">
          {(stats.topTokenShare * 100).toFixed(0)} %
        </dd>
        <dt>minimal examples</dt>
        <dd title="Share of the first top examples where a shorter suffix keeps ≥ 50 % of the activation">
          {stats.minimalRate === null ? '—' : `${(stats.minimalRate * 100).toFixed(0)} %`}
        </dd>
      </dl>
      <NeuronHistogram stats={stats} />

      <h2 id="top">Top examples</h2>
      <p className="prose small muted">
        The {top.length} contexts where {name} fires most (one per context; its max token outlined). Hover a token for its activation
        (without JavaScript, the outlined one); open an example for its whole stored window and the minimal suffix that keeps half the
        activation.
      </p>
      <ExampleList examples={top} scale={scale} label={(e) => `#${e.rank + 1}`} testId="top-examples" eager={EAGER_TOP} jsonHref={json} />

      <h2 id="diverse">Diverse examples</h2>
      <p className="prose small muted">
        Top examples with near-duplicates removed (same four tokens up to the max token, or ≥ 80 % shared tokens); one already listed above
        is one line linking to it.
      </p>
      <ExampleList
        examples={byKind('diverse')}
        scale={scale}
        label={(e) => `#${e.rank + 1}`}
        testId="diverse-examples"
        shownAbove={top}
        jsonHref={json}
      />

      <h2 id="quantiles">Examples at quantiles</h2>
      <p className="prose small muted">
        A random token from the histogram bin holding each quantile of the activation distribution: what {name} does typically.
      </p>
      <ExampleList
        examples={byKind('quantile')}
        scale={scale}
        label={(e) => `${Math.round((e.quantile ?? 0) * 100)} %`}
        testId="quantile-examples"
        jsonHref={json}
      />

      <h2 id="random">Random tokens</h2>
      <ExampleList examples={byKind('random')} scale={scale} label={() => 'random'} testId="random-examples" jsonHref={json} />

      <h2 id="weights">What it reads and writes</h2>
      <p className="prose small muted">
        Logit effect: <code>W_out[{neuron}] · diag(ln_final.w) · W_U</code>, the direct effect of the neuron&apos;s output on each
        token&apos;s logit (final norm scale folded in). Input tokens: <code>W_E · diag(ln2.w) · W_in[:, {neuron}]</code>, how much each
        token&apos;s own embedding excites it.
      </p>
      <div className="token-score-grid">
        <TokenScoreList title="Boosts" rows={stats.effects.logitTop} testId="logit-top" />
        <TokenScoreList title="Suppresses" rows={stats.effects.logitBottom} testId="logit-bottom" />
        <TokenScoreList title="Input tokens (W_in)" rows={stats.effects.inputTop} testId="input-tokens" />
        {stats.effects.gateTop ? <TokenScoreList title="Input tokens (W_gate)" rows={stats.effects.gateTop} /> : null}
      </div>

      <h2 id="baseline">Against random directions</h2>
      <p className="prose small muted">
        The same statistics for random unit directions in layer {layer}&apos;s {model.dMlp}-dimensional activation space. A neuron far above
        them (sparse, heavy-tailed, one token) is a privileged basis direction; one like them is not.
      </p>
      <BaselineTable rows={baselineComparison(stats, scan.primary.baseline)} directions={scan.primary.baseline.directions} />

      {siteViews.length > 0 ? (
        <>
          <h2 id="sites">Pre, mid and post</h2>
          <p className="prose small muted">
            The same neuron read at each hook of its MLP: <code>hook_pre</code> (input to the activation function)
            {scan.sites.includes('mid') ? (
              <>
                , <code>hook_mid</code> (after SoLU, before its LayerNorm)
              </>
            ) : null}{' '}
            and <code>hook_post</code> (what W_out reads). Overlap: the share of this page&apos;s top contexts that the site also ranks
            among its top, and the overlap of their max tokens. Low overlap means the site tells another story about the neuron.
          </p>
          <table className="baseline-table" data-testid="site-table">
            <thead>
              <tr>
                <th>site</th>
                <th>max</th>
                <th>density</th>
                <th>top-token share</th>
                <th>top contexts shared</th>
                <th>max tokens shared</th>
              </tr>
            </thead>
            <tbody>
              {siteViews.map((v) => (
                <tr key={v.site}>
                  <td>
                    {v.site === site ? (
                      <strong>{v.site} (this page)</strong>
                    ) : (
                      <Link href={neuronPath(model.slug, layer, neuron, pageRun, v.site)}>{v.site}</Link>
                    )}
                  </td>
                  <td className="num">{v.maxAct.toFixed(3)}</td>
                  <td className="num">{(v.density * 100).toFixed(1)} %</td>
                  <td className="num">{Math.round(v.topTokenShare * 100)} %</td>
                  <td className="num">{v.overlap.contexts === null ? '—' : `${Math.round(v.overlap.contexts * 100)} %`}</td>
                  <td className="num">{v.overlap.tokens === null ? '—' : `${Math.round(v.overlap.tokens * 100)} %`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      {others.length > 0 ? (
        <>
          <h2 id="datasets">On another dataset</h2>
          {others.map((o) =>
            o.stats ? (
              <section key={o.corpusSlug} data-testid="other-corpus">
                <p className="small">
                  On <code>{o.corpusSlug}</code>: max {o.stats.maxAct.toFixed(3)} (vs {stats.maxAct.toFixed(3)}), density{' '}
                  {(o.stats.density * 100).toFixed(1)} % (vs {(stats.density * 100).toFixed(1)} %)
                  {stats.comparison ? `, top-token overlap ${(stats.comparison.topTokenOverlap * 100).toFixed(0)} %` : ''}.
                </p>
                <p className="small muted">Its strongest examples there, near-duplicates removed:</p>
                <ExampleList
                  examples={o.diverse.slice(0, 5)}
                  scale={Math.max(scale, o.stats.maxAct)}
                  label={(e) => `#${e.rank + 1}`}
                  testId="other-examples"
                  jsonHref={json}
                />
              </section>
            ) : null,
          )}
        </>
      ) : null}

      <h2 id="probe">Try your own text</h2>
      <NeuronProbeSection
        model={model}
        layer={layer}
        neuron={neuron}
        site={site}
        endpoint={apiNeuronProbePath(model.slug, layer, neuron)}
        pagePath={neuronPath(model.slug, layer, neuron, pageRun)}
        scale={scale}
        text={probeParam}
        defaultText="Once upon a time, there was a little cat. The little cat liked to play."
      />

      <EmbedSnippet
        kind="neuron"
        path={`${neuronPath(model.slug, layer, neuron, run.id, site)}${site === 'post' ? '?' : '&'}embed=1`}
        title={`${model.displayName} ${name}`}
      />
      <CiteThis
        title={`${model.displayName} MLP neuron ${name}`}
        pinnedPath={neuronPath(model.slug, layer, neuron, run.id, site)}
        run={run}
      />
    </>
  );
}
