/**
 * Data the attention viewer draws, and the conversions into it from stored examples (sparse rows) and
 * live patterns (dense causal rows). Pure functions, shared by server and client components.
 */
export interface ViewerToken {
  /** Raw vocabulary piece (formatted for display by the viewer). */
  piece: string;
  /** Position in the context (0 = BOS). */
  pos: number;
  /** Draw a "…" before this token: positions were skipped. */
  gapBefore?: boolean;
}

export interface ViewerData {
  tokens: ViewerToken[];
  /** rows[i]: where token i attends, as [context position, weight], best first (sparse). */
  rows: [number, number][][];
  /** Index (into tokens) focused when nothing is hovered or locked. */
  initialFocus: number;
  /** Optional per-token activation (e.g. ‖hook_result‖), shown as an underline. */
  values?: number[];
}

/** A stored example (window + sparse rows): BOS is shown in front of the window when some row attends to it. */
export function viewerFromExample(ex: {
  tokens: string[];
  windowStart: number;
  position: number;
  acts: number[];
  attention: [number, number][][];
}): ViewerData {
  const tokens: ViewerToken[] = ex.tokens.map((piece, i) => ({ piece, pos: ex.windowStart + i }));
  const rows = ex.attention.map((r) => r.map(([s, w]) => [s, w] as [number, number]));
  let values: number[] | undefined = [...ex.acts];
  let initialFocus = ex.position - ex.windowStart;
  if (ex.windowStart > 0 && ex.attention.some((r) => r.some(([s]) => s === 0))) {
    tokens[0] = { ...tokens[0], gapBefore: ex.windowStart > 1 };
    tokens.unshift({ piece: '<s>', pos: 0 });
    rows.unshift([[0, 1]]);
    values = [0, ...values];
    initialFocus += 1;
  }
  return { tokens, rows, initialFocus, values };
}

/** A dense causal pattern (rows[q] has q + 1 weights): each row's best `perRow` sources above `minWeight`. */
export function viewerFromPattern(pieces: string[], dense: number[][], perRow = 6, minWeight = 0.005): ViewerData {
  const rows = dense.map((row) =>
    row
      .map((w, k) => [k, w] as [number, number])
      .filter(([, w]) => w >= minWeight)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, perRow),
  );
  return { tokens: pieces.map((piece, pos) => ({ piece, pos })), rows, initialFocus: Math.max(0, pieces.length - 1) };
}
