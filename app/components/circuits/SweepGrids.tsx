/**
 * A task's patching results as heatmaps: every head's output patched (all positions, then per position), and path
 * patching of each head's direct path to the logits. Head cells link to the head pages.
 */
import type { PatchSweepResult, PathPatchResult } from '@/lib/circuits/types';
import type { CircuitTaskRecord } from '@/lib/db/circuits';
import { headName } from '@/lib/format/head-name';
import { EffectGrid } from './EffectGrid';

const SITE_TITLES: Record<string, string> = {
  head_out: "each head's output",
  head_q: "each head's queries",
  head_k: "each head's keys",
  head_v: "each head's values",
  head_pattern: "each head's attention pattern",
};

/** Rows of a [layer, head] or [layer, head, pos] sweep. */
function headSweepGrid(s: PatchSweepResult): { rows: string[]; cols: string[]; values: (number | null)[][]; perHead: boolean } {
  const [L, H, P] = s.shape;
  if (s.axes.length === 2 && s.axes[0] === 'layer' && s.axes[1] === 'head') {
    return {
      rows: Array.from({ length: L }, (_, l) => `L${l}`),
      cols: Array.from({ length: H }, (_, h) => `H${h}`),
      values: Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => s.effects[l * H + h] ?? null)),
      perHead: false,
    };
  }
  // [layer, head, pos]: one row per head.
  return {
    rows: Array.from({ length: L * H }, (_, i) => headName(Math.floor(i / H), i % H)),
    cols: Array.from({ length: P }, (_, p) => `${p}`),
    values: Array.from({ length: L * H }, (_, i) => Array.from({ length: P }, (_, p) => s.effects[i * P + p] ?? null)),
    perHead: true,
  };
}

export function SweepGrids({
  task,
  nHeads,
  headHref,
}: {
  task: CircuitTaskRecord;
  nHeads: number;
  headHref: (layer: number, head: number) => string;
}) {
  if (task.sweeps.length === 0 && task.pathPatching.length === 0) {
    return <p className="notice">No patching: the task is untestable on this model.</p>;
  }
  const tokens = task.examples[0]?.tokens;
  return (
    <div className="effect-grids">
      {task.sweeps.map((s, i) => {
        const g = headSweepGrid(s);
        const cols = g.perHead && tokens && tokens.length === g.cols.length ? tokens.map((t, p) => `${p} ${t}`) : g.cols;
        return (
          <EffectGrid
            key={`${s.site}-${i}`}
            testId={`sweep-${s.site}${g.perHead ? '-pos' : ''}`}
            title={`Activation patching of ${SITE_TITLES[s.site] ?? s.site}${g.perHead ? ', per position' : ''} (clean into corrupted; ${s.forwardPasses} forward batches for ${s.naiveForwardPasses} one-at-a-time passes)`}
            rowLabels={g.rows}
            colLabels={cols}
            values={g.values}
            cellHref={(r, c) => (g.perHead ? headHref(Math.floor(r / nHeads), r % nHeads) : headHref(r, c))}
            legend="Red: patching this in restores the clean answer (1 = fully); blue: pushes away from it."
          />
        );
      })}
      {task.pathPatching.map((p: PathPatchResult, i) => (
        <EffectGrid
          key={`path-${i}`}
          testId="path-patching"
          title={`Path patching: each head → ${p.receiver.kind === 'logits' ? 'logits (direct effect)' : `heads' ${p.receiver.channel}`}; −1 = the whole effect`}
          rowLabels={p.effects.map((_, l) => `L${l}`)}
          colLabels={(p.effects[0] ?? []).map((_, h) => `H${h}`)}
          values={p.effects.map((row) => row.map((v) => (Number.isFinite(v) ? v : null)))}
          cellHref={(r, c) => headHref(r, c)}
          legend="Blue: corrupting this path removes the answer (−1 = the whole effect); red: corrupting it helps the answer."
        />
      ))}
    </div>
  );
}
