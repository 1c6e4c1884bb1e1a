/**
 * The heatmaps' colour scale, one choice for the whole site: a metric's full range (comparable across models) or this
 * model's values (stretched). By default ("auto") a map whose values fill less than AUTO_STRETCH_BELOW of the metric's
 * range is stretched — at full range a model whose best induction score is 0.011 drew a blank map. A reader's choice
 * applies to every map at once and is remembered (localStorage), instead of one toggle per map forgotten on reload.
 */
import { useCallback, useSyncExternalStore } from 'react';

export type HeatmapScaleMode = 'auto' | 'full' | 'model';

/** Share of the metric's range below which "auto" stretches the colours. */
export const AUTO_STRETCH_BELOW = 0.25;
const KEY = 'headwiki.heatmapScale';
const EVENT = 'headwiki:heatmap-scale';

/** The colour domain a map uses, and whether it is stretched to the model's values. */
export function heatmapDomain(
  mode: HeatmapScaleMode,
  range: [number, number],
  values: { lo: number; hi: number } | null,
): { domain: [number, number]; stretched: boolean } {
  const canStretch = values !== null && values.hi > values.lo;
  const span = range[1] - range[0];
  const filled = canStretch && Number.isFinite(span) && span > 0 ? (values.hi - values.lo) / span : 1;
  const stretch = canStretch && (mode === 'model' || (mode === 'auto' && filled < AUTO_STRETCH_BELOW));
  return stretch ? { domain: [values!.lo, values!.hi], stretched: true } : { domain: range, stretched: false };
}

function read(): HeatmapScaleMode {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'full' || v === 'model' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(EVENT, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(EVENT, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** The site-wide mode ('auto' on the server and before hydration) and a setter that updates every map. */
export function useHeatmapScale(): [HeatmapScaleMode, (mode: HeatmapScaleMode) => void] {
  const mode = useSyncExternalStore(subscribe, read, () => 'auto' as const);
  const set = useCallback((next: HeatmapScaleMode) => {
    try {
      window.localStorage.setItem(KEY, next);
    } catch {
      /* private mode: the choice lasts for this page only */
    }
    window.dispatchEvent(new Event(EVENT));
  }, []);
  return [mode, set];
}
