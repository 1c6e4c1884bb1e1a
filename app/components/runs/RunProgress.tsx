'use client';

import { useEffect, useState } from 'react';
import type { RunProgress as Progress } from '@/lib/db/run-progress';

/**
 * A run's progress on the work queue, live: polls /api/v1/runs/{runId}/progress every second while the
 * run is running and reloads the page once it is published, so the finished run's page appears.
 */
export function RunProgress({ initial, progressPath = 'runs' }: { initial: Progress; progressPath?: 'runs' | 'diffs' }) {
  const [p, setP] = useState(initial);
  const [stale, setStale] = useState(false);

  useEffect(() => {
    if (p.status !== 'running') return;
    // poll() catches its own errors (they mark the progress stale).
    const poll = async () => {
      try {
        // A diff's progress has the run's shape (lib/db/diff-progress.ts) under /api/v1/diffs/{diffId}/progress.
        const res = await fetch(`/api/v1/${progressPath}/${encodeURIComponent(p.runId)}/progress`, { cache: 'no-store' });
        if (!res.ok) throw new Error(String(res.status));
        const next = (await res.json()) as Progress;
        setP(next);
        setStale(false);
        if (next.status === 'published') window.location.reload();
      } catch {
        setStale(true);
      }
    };
    const timer = setInterval(() => void poll(), 1000);
    return () => clearInterval(timer);
  }, [p.status, p.runId, progressPath]);

  const pct = p.jobs.total > 0 ? (100 * p.jobs.done) / p.jobs.total : 0;
  return (
    <section className="run-progress" data-testid="run-progress" data-status={p.status}>
      <p>
        <strong data-testid="run-progress-status">{statusText(p.status)}</strong> · {p.jobs.done}/{p.jobs.total} jobs done
        {p.jobs.active > 0 ? ` · ${p.jobs.active} running` : ''}
        {p.jobs.failed > 0 ? ` · ${p.jobs.failed} failed` : ''}
        {stale ? <span className="muted"> · (progress not updating: server unreachable)</span> : null}
      </p>
      {p.status === 'running' ? (
        <noscript>
          <p className="small muted">Updates live with JavaScript; without it, reload the page for the latest progress.</p>
        </noscript>
      ) : null}
      <div
        className="progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={p.jobs.total}
        aria-valuenow={p.jobs.done}
        style={{ background: '#e5e7eb', borderRadius: 4, height: 10, maxWidth: 480 }}
      >
        <div style={{ width: `${pct}%`, height: '100%', borderRadius: 4, background: p.status === 'failed' ? '#dc2626' : '#2563eb' }} />
      </div>
      {p.error ? (
        <pre className="run-error" data-testid="run-error" style={{ whiteSpace: 'pre-wrap', color: '#b91c1c' }}>
          {p.error}
        </pre>
      ) : null}
      <p className="small">
        {p.tokens.total > 0 ? (
          <>
            {p.tokens.done.toLocaleString('en-US')} / {p.tokens.total.toLocaleString('en-US')} tokens ·{' '}
          </>
        ) : null}
        {p.tokensPerSecond !== null ? <>{Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s · </> : null}
        {p.status === 'running' ? (
          p.etaSeconds !== null ? (
            <>ETA {duration(p.etaSeconds)}</>
          ) : (
            <>ETA unknown</>
          )
        ) : (
          <>took {duration(p.elapsedSeconds)}</>
        )}
      </p>

      <h3>Stages</h3>
      <div style={{ overflowX: 'auto' }}>
        <table className="data-table" data-testid="run-stages">
          <thead>
            <tr>
              <th>Stage</th>
              <th className="num">Jobs</th>
              <th className="num">Tokens</th>
              <th className="num">Tokens/s</th>
              <th className="num">Time</th>
              <th className="num">ETA</th>
            </tr>
          </thead>
          <tbody>
            {p.stages.map((st) => (
              <tr key={st.stage}>
                <td>
                  <code>{st.stage}</code>
                </td>
                <td className="num">
                  {st.jobs.done}/{st.jobs.total}
                </td>
                <td className="num">
                  {st.tokens.total > 0 ? `${st.tokens.done.toLocaleString('en-US')} / ${st.tokens.total.toLocaleString('en-US')}` : '—'}
                </td>
                <td className="num">{st.tokensPerSecond !== null ? Math.round(st.tokensPerSecond).toLocaleString('en-US') : '—'}</td>
                <td className="num">{st.seconds > 0 ? duration(st.seconds) : '—'}</td>
                <td className="num">{st.etaSeconds === 0 ? 'done' : st.etaSeconds !== null ? duration(st.etaSeconds) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h3>Jobs</h3>
      <table className="data-table" data-testid="run-jobs">
        <thead>
          <tr>
            <th>Job</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th>Worker</th>
            <th className="num">Tokens</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {p.jobs.list.map((j) => (
            <tr key={j.jobKey}>
              <td>
                <code>{j.jobKey}</code>
              </td>
              <td>{j.status}</td>
              <td className="num">{j.attempts}</td>
              <td className="small">{j.workerId ?? '—'}</td>
              <td className="num">
                {j.tokensTotal > 0 ? `${j.tokensDone.toLocaleString('en-US')} / ${j.tokensTotal.toLocaleString('en-US')}` : '—'}
              </td>
              <td className="small">{j.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3>Workers</h3>
      {p.workers.length === 0 ? (
        <p className="small muted">
          No worker has taken a job of this run yet. Start one with <code>npm run worker</code>.
        </p>
      ) : (
        <table className="data-table" data-testid="run-workers">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Device</th>
              <th>Status</th>
              <th>Current job</th>
              <th className="num">Jobs done</th>
              <th className="num">Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {p.workers.map((w) => (
              <tr key={w.id}>
                <td className="small">{w.id}</td>
                <td>{w.device}</td>
                <td>{w.silentSeconds > 30 && w.status !== 'stopped' ? 'not responding' : w.status}</td>
                <td className="small">{w.jobKey ? <code>{w.jobKey}</code> : '—'}</td>
                <td className="num">{w.jobsDone}</td>
                <td className="num">{duration(w.silentSeconds)} ago</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function statusText(status: Progress['status']): string {
  return status === 'running' ? 'Running' : status === 'published' ? 'Published' : 'Failed';
}

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
