/**
 * Which metrics a searched word names. Readers type part of a name ("entropy", "token", "logit", "copying"), an
 * abbreviation ("dla", "prev_token") or the id itself; matching only from the start of the id found one metric or
 * none. Every metric the word names is returned, best match first, so "copying" lists both copying metrics.
 */

export interface MetricName {
  id: string;
  title: string;
}

const norm = (s: string) => s.toLowerCase().replace(/[-\s]+/g, '_');
const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** How well `w` (normalised) names the metric: lower is better, null = not at all. */
function score(w: string, m: MetricName): number | null {
  const id = m.id.toLowerCase();
  const parts = id.split('_');
  if (id === w) return 0;
  if (w.length >= 2 && parts.length > 1 && parts.map((p) => p[0]).join('') === w) return 1; // dla, ade
  if (w.length >= 2 && id.startsWith(w)) return 2;
  const wParts = w.split('_').filter(Boolean);
  if (wParts.length > 1 && wParts.every((p, i) => parts[i]?.startsWith(p))) return 3; // prev_token
  if (w.length >= 2 && [...parts, ...words(m.title)].some((p) => p.startsWith(w))) return 4; // entropy, token, logit
  if (w.length >= 3 && (id.includes(w) || norm(m.title).includes(w))) return 5;
  return null;
}

export function matchMetrics(word: string, metrics: readonly MetricName[]): string[] {
  const w = norm(word.trim());
  if (!w) return [];
  return metrics
    .map((m) => ({ id: m.id, s: score(w, m) }))
    .filter((x): x is { id: string; s: number } => x.s !== null)
    .sort((a, b) => a.s - b.s || a.id.length - b.id.length || a.id.localeCompare(b.id))
    .map((x) => x.id);
}
