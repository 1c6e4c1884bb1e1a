import type { RunProgress } from '@/lib/db/run-progress';

/**
 * One line of a run's (or a diff's: unit `documents`) progress for the terminal: tokens, rate, ETA, each running
 * stage's rate and ETA, workers.
 */
export function progressLine(p: RunProgress, unit: { name: string; rate: string } = { name: 'tokens', rate: 'tok/s' }): string {
  const parts: string[] = [];
  if (p.tokens.total > 0) parts.push(`${p.tokens.done.toLocaleString('en-US')}/${p.tokens.total.toLocaleString('en-US')} ${unit.name}`);
  if (p.tokensPerSecond !== null) {
    const rate = p.tokensPerSecond >= 10 ? Math.round(p.tokensPerSecond) : Math.round(p.tokensPerSecond * 10) / 10;
    parts.push(`${rate.toLocaleString('en-US')} ${unit.rate}`);
  }
  parts.push(p.etaSeconds !== null ? `ETA ${formatDuration(p.etaSeconds)}` : `elapsed ${formatDuration(p.elapsedSeconds)}`);
  // Every stage under way: its tokens/s (all workers together) and time left.
  for (const st of p.stages.filter((x) => x.jobs.done < x.jobs.total && x.seconds > 0)) {
    const rate = st.tokensPerSecond !== null ? ` ${Math.round(st.tokensPerSecond).toLocaleString('en-US')} tok/s` : '';
    parts.push(
      `${st.stage} ${st.jobs.done}/${st.jobs.total}${rate}${st.etaSeconds !== null ? ` ETA ${formatDuration(st.etaSeconds)}` : ''}`,
    );
  }
  const busy = p.workers.filter((w) => w.status === 'busy').length;
  parts.push(`${busy}/${p.workers.length} workers busy`);
  if (p.jobs.active > 0)
    parts.push(
      `active: ${p.jobs.list
        .filter((j) => j.status === 'active')
        .map((j) => j.jobKey)
        .join(', ')}`,
    );
  return parts.join(' | ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
