/**
 * A head's max-activating examples (server component): top destination tokens by output norm and by attention
 * to a non-BOS source, samples at quantiles of the norm, and the norm's histogram. Every example is rendered on
 * the server (readable without JavaScript) inside an AttentionViewer.
 */
import { getHeadExamples, getHeadStats, type StoredHeadExample } from '@/lib/db/head-examples';
import { AttentionViewer } from '../attention/AttentionViewer';
import { viewerFromExample } from '../attention/viewer-model';
import { NormHistogram } from './NormHistogram';

export interface HeadExamplesProps {
  runId: string;
  modelSlug: string;
  layer: number;
  head: number;
  label: string;
  /** Examples per list (the API pages through all of them). */
  perList?: number;
}

const VALUE_NAME: Record<StoredHeadExample['kind'], string> = {
  top_norm: '‖hook_result‖',
  top_attention: 'max non-BOS attention',
  quantile: '‖hook_result‖',
};

export function ExampleView({ ex, label, testId }: { ex: StoredHeadExample; label: string; testId?: string }) {
  const data = viewerFromExample(ex);
  const where = `document ${ex.docIndex}, token ${ex.position}${ex.contextId % 1024 > 0 ? ` of chunk ${ex.contextId % 1024}` : ''}`;
  return (
    <div className="head-example" data-testid={testId}>
      <div className="head-example-meta">
        {ex.kind === 'quantile' ? `quantile ${ex.quantile} · ` : `#${ex.rank + 1} · `}
        {VALUE_NAME[ex.kind]} {ex.value.toFixed(3)} · {where}
      </div>
      <AttentionViewer {...data} label={label} valueName={VALUE_NAME[ex.kind]} />
    </div>
  );
}

export async function HeadExamples({ runId, modelSlug, layer, head, label, perList = 6 }: HeadExamplesProps) {
  const stats = await getHeadStats(runId, layer, head);
  if (!stats) return <p className="notice">This run has no max-activating examples (it was computed without them).</p>;
  const [topNorm, topAttention, quantiles] = await Promise.all([
    getHeadExamples(runId, layer, head, { kind: 'top_norm', limit: perList }),
    getHeadExamples(runId, layer, head, { kind: 'top_attention', limit: perList }),
    getHeadExamples(runId, layer, head, { kind: 'quantile', limit: 10 }),
  ]);
  const api = `/api/v1/models/${encodeURIComponent(modelSlug)}/heads/${layer}/${head}/examples?run=${runId}`;
  return (
    <section className="head-examples" data-testid="head-examples">
      <p className="prose small muted">
        Destination tokens of the run&apos;s corpus where {label} acts most. In each example the red box is the destination token; blue
        shading and arcs show where it attends (hover another token to see its row, click to lock, click again to unlock; arrow keys work
        too). The orange underline is the ranking value on each token. BOS (position 0) is excluded as a destination. All examples:{' '}
        <a href={`${api}&kind=top_norm`}>JSON</a>.
      </p>
      <NormHistogram stats={stats} />
      <h3 id="examples-attention">Strongest attention to a non-BOS token</h3>
      <div className="head-examples-grid" data-testid="examples-top-attention">
        {topAttention.map((ex) => (
          <ExampleView key={ex.rank} ex={ex} label={label} testId="head-example" />
        ))}
      </div>
      <h3 id="examples-norm">Largest output norm ‖hook_result‖</h3>
      <div className="head-examples-grid" data-testid="examples-top-norm">
        {topNorm.map((ex) => (
          <ExampleView key={ex.rank} ex={ex} label={label} testId="head-example" />
        ))}
      </div>
      {quantiles.length > 0 ? (
        <>
          <h3 id="examples-quantiles">Typical tokens (random samples at quantiles of the norm)</h3>
          <div className="head-examples-grid" data-testid="examples-quantiles">
            {quantiles.map((ex) => (
              <ExampleView key={ex.rank} ex={ex} label={label} testId="head-example" />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
