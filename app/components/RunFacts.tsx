import type { ReactNode } from 'react';
import Link from 'next/link';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import { formatDuration } from '@/lib/format/duration';
import { modelPath } from '@/lib/format/paths';

function timestamp(d: Date | null): string {
  return d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '—';
}

/** Everything that defines a run: what was analysed, with which options and code, and when. */
export function RunFacts({ run, model }: { run: RunInfo; model: ModelInfo }) {
  const optionEntries = Object.entries(run.options);
  const facts: [string, ReactNode][] = [
    ['Model', <Link key="m" href={modelPath(model.slug)}>{model.displayName}</Link>],
    ['Corpus', run.corpusSlug ?? '—'],
    [
      'Weight processing & options',
      optionEntries.length === 0 ? (
        'none'
      ) : (
        <span key="o">
          {optionEntries.map(([k, v], i) => (
            <span key={k}>
              {i > 0 ? ', ' : ''}
              <code>{k}</code>={typeof v === 'string' ? v : JSON.stringify(v)}
            </span>
          ))}
        </span>
      ),
    ],
    [
      'Metric versions',
      <span key="v">
        {Object.entries(run.metricVersions)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([id, v], i) => (
            <span key={id}>
              {i > 0 ? ', ' : ''}
              <code>{id}</code> v{v}
            </span>
          ))}
      </span>,
    ],
    ['Code version', <code key="c">{run.codeVersion}</code>],
    ['Seed', <code key="s">{run.seed}</code>],
    ['Created', timestamp(run.createdAt)],
    ['Published', timestamp(run.publishedAt)],
    ['Took', formatDuration(run.durationMs)],
  ];
  return (
    <dl className="facts run-facts" data-testid="run-facts">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
