/**
 * A published diff's rankings as flat tables: what `/diffs/{id}` shows and what
 * `/api/v1/diffs/{id}/export/{table}.csv` serves, from the same rows. The sections are lib/diff's results
 * (lib/diff/types.ts), stored as JSON per diff (DiffSection); every difference is B − A.
 */
import { z } from 'zod';
import type { CsvCell } from '../api/csv';
import type { BlackBoxDiff, DiffContext, WhiteBoxDiff } from '../diff/types';

export interface DiffSections {
  blackBox: BlackBoxDiff | null;
  whiteBox: WhiteBoxDiff | null;
}

export function diffSections(stored: Record<string, unknown>): DiffSections {
  return {
    blackBox: (stored['black-box'] as BlackBoxDiff | undefined) ?? null,
    whiteBox: (stored['white-box'] as WhiteBoxDiff | undefined) ?? null,
  };
}

export interface DiffTable {
  id: string;
  title: string;
  description: string;
  /** Needs the white box (models of the same architecture). */
  whiteBox: boolean;
  header: string[];
  rows(s: DiffSections): CsvCell[][];
}

function contextRows(direction: 'b' | 'a', contexts: DiffContext[]): CsvCell[][] {
  return contexts.map((c, rank) => {
    const focus = c.segments[c.focus];
    return [
      direction === 'b' ? 'B better' : 'A better',
      rank + 1,
      c.document,
      c.diff,
      focus?.text ?? '',
      focus?.logProbA ?? null,
      focus?.logProbB ?? null,
      contextText(c),
    ];
  });
}

/** The context as plain text: prefix, the neighbouring segments, the focus segment in ⟦ ⟧. */
export function contextText(c: DiffContext): string {
  return c.prefix + c.segments.map((s, i) => (i === c.focus ? `⟦${s.text}⟧` : s.text)).join('');
}

export const DIFF_TABLES: readonly DiffTable[] = [
  {
    id: 'top-contexts',
    title: 'Largest log-prob differences',
    description:
      'The aligned segments (tokens, or character spans where tokenizers differ) where one model assigns the text much more probability.',
    whiteBox: false,
    header: ['direction', 'rank', 'document', 'diff', 'segment', 'logprob_a', 'logprob_b', 'context'],
    rows: (s) => (s.blackBox ? [...contextRows('b', s.blackBox.topForB), ...contextRows('a', s.blackBox.topForA)] : []),
  },
  {
    id: 'continuations',
    title: 'Greedy continuations',
    description: 'The same prompts continued greedily by both models.',
    whiteBox: false,
    header: ['prompt', 'a', 'b'],
    rows: (s) => (s.blackBox?.continuations ?? []).map((c) => [c.prompt, c.a.text, c.b.text]),
  },
  {
    id: 'weights',
    title: 'Largest weight differences',
    description:
      'Per head (W_Q, W_K, W_V, W_O), neuron (W_in, W_out) and matrix: relative Frobenius norm of B − A, after the same weight processing.',
    whiteBox: true,
    header: ['kind', 'weight', 'layer', 'index', 'norm_a', 'norm_b', 'diff_norm', 'relative'],
    rows: (s) =>
      (s.whiteBox?.weights.rankings ?? []).flatMap((r) =>
        r.top.map((e) => [e.kind, e.weight, e.layer, e.index, e.normA, e.normB, e.diffNorm, e.relative]),
      ),
  },
  {
    id: 'activations',
    title: 'Largest activation differences',
    description: 'Per hook over the corpus: mean ‖x_B − x_A‖ per head output, neuron and layer output.',
    whiteBox: true,
    header: ['site', 'layer', 'index', 'mean_diff', 'mean_norm_a', 'mean_norm_b', 'relative'],
    rows: (s) =>
      (s.whiteBox?.activations ?? []).flatMap((r) =>
        r.top.map((e) => [e.site, e.layer, e.index, e.meanDiff, e.meanNormA, e.meanNormB, e.relative]),
      ),
  },
  {
    id: 'dla',
    title: 'Direct logit attribution',
    description: 'Each head, attention layer and MLP: mean direct logit attribution to the correct next token in A and in B.',
    whiteBox: true,
    header: ['component', 'layer', 'head', 'dla_a', 'dla_b', 'diff'],
    rows: (s) => (s.whiteBox?.dla.entries ?? []).map((e) => [e.component, e.layer, e.head, e.dlaA, e.dlaB, e.diff]),
  },
  {
    id: 'head-metrics',
    title: 'Head-metric differences',
    description: 'The largest per-head metric differences on the same texts.',
    whiteBox: true,
    header: ['metric', 'layer', 'head', 'a', 'b', 'diff'],
    rows: (s) => (s.whiteBox?.headMetrics?.top ?? []).map((e) => [e.metric, e.layer, e.head, e.a, e.b, e.diff]),
  },
  {
    id: 'patching',
    title: 'Activation patching',
    description:
      'Each component patched from the better model into the other on the text where it does best: the share of the improvement it recovers.',
    whiteBox: true,
    header: ['component', 'layer', 'head', 'hook', 'patched_loss', 'recovered'],
    rows: (s) => (s.whiteBox?.patching?.components ?? []).map((e) => [e.component, e.layer, e.head, e.hook, e.patchedLoss, e.recovered]),
  },
];

export function findDiffTable(id: string): DiffTable | undefined {
  return DIFF_TABLES.find((t) => t.id === id);
}

/** `{table}.csv` in `/api/v1/diffs/{diffId}/export/{file}`. */
export const diffFileSchema = z.string().regex(/^[a-z][a-z0-9-]*\.csv$/, 'must be "<table>.csv", e.g. "weights.csv"');
