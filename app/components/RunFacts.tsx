import type { ReactNode } from 'react';
import Link from 'next/link';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';
import { formatDuration } from '@/lib/format/duration';
import { flattenOptions } from '@/lib/format/flatten-options';
import { modelPath } from '@/lib/format/paths';

function timestamp(d: Date | null): string {
  return d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '—';
}

/** Long facts take the whole width of the grid. */
const WIDE = { gridColumn: '1 / -1' } as const;

/** Everything that defines a run: what was analysed, with which options and code, and when. */
export function RunFacts({ run, model }: { run: RunInfo; model: ModelInfo }) {
  const options = flattenOptions(run.options);
  const facts: [string, ReactNode, boolean?][] = [
    [
      'Model',
      <Link key="m" href={modelPath(model.slug)}>
        {model.displayName}
      </Link>,
    ],
    ['Corpus', run.corpusSlug ?? '—'],
    ['Code version', <code key="c">{run.codeVersion}</code>],
    ['Seed', <code key="s">{run.seed}</code>],
    ['Created', timestamp(run.createdAt)],
    ['Published', timestamp(run.publishedAt)],
    ['Took', formatDuration(run.durationMs)],
    [
      'Weight processing & options',
      options.length === 0 ? (
        'none'
      ) : (
        <ul key="o" className="small" style={{ columns: '18rem', margin: 0, paddingLeft: '1.1rem' }}>
          {options.map(([k, v]) => (
            <li key={k}>
              <code>{k}</code> = {v}
            </li>
          ))}
        </ul>
      ),
      true,
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
      true,
    ],
  ];
  return (
    <dl className="facts run-facts" data-testid="run-facts">
      {facts.map(([label, value, wide]) => (
        <div key={label} style={wide ? WIDE : undefined}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
