/** Number formats used across the pages, so that tables, heatmaps and tooltips agree. */

/** A metric value: 3 decimals, `−` as a real minus sign, `—` when absent. */
export function formatMetricValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const s = value.toFixed(3);
  // toFixed keeps "-0.000" for tiny negatives; a reader should see 0.000.
  if (/^-0\.0+$/.test(s)) return s.slice(1);
  return s.startsWith('-') ? `−${s.slice(1)}` : s;
}

/** Parameter counts the way papers write them: 260K, 1.78M, 124M, 6.7B. */
export function formatParamCount(n: number): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`formatParamCount: expected a non-negative count, got ${n}`);
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (let i = 0; i < units.length; i++) {
    const [size, unit] = units[i];
    if (n >= size) {
      const v = n / size;
      // 3 significant digits, trailing zeros dropped: 1.78M, 15.2M, 124M.
      const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
      const rounded = Number(v.toFixed(digits));
      // 999,999 rounds to "1000K": say 1M instead.
      if (rounded >= 1000 && i > 0) return `${Number((n / units[i - 1][0]).toFixed(2))}${units[i - 1][1]}`;
      return `${rounded}${unit}`;
    }
  }
  return String(Math.round(n));
}

/** Attention weights in tooltips: percentages read faster than decimals. */
export function formatAttention(weight: number): string {
  if (!Number.isFinite(weight)) return '—';
  return `${(weight * 100).toFixed(weight >= 0.1 ? 0 : 1)}%`;
}

/** A date in ISO form (UTC), unambiguous in every locale: 2025-03-14. */
export function formatDate(date: Date | string | null | undefined): string {
  if (date === null || date === undefined) return '—';
  const d = typeof date === 'string' ? new Date(date) : date;
  if (Number.isNaN(d.getTime())) return '—';
  return d.toISOString().slice(0, 10);
}

/** Ordinal rank, `1st of 144`. */
export function formatRank(rank: number, total: number): string {
  const mod100 = rank % 100;
  const mod10 = rank % 10;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : mod10 === 1 ? 'st' : mod10 === 2 ? 'nd' : mod10 === 3 ? 'rd' : 'th';
  return `${rank}${suffix} of ${total}`;
}

/**
 * Attention weights as a page sends them to the browser: 4 decimals (what a reader can see is 0.1 %). Full float
 * precision doubled a big model's head page payload (48 × 48 weights of ~18 characters each).
 */
export function roundAttentionForPage(pattern: number[][]): number[][] {
  return pattern.map((row) => row.map((v) => Math.round(v * 1e4) / 1e4));
}
