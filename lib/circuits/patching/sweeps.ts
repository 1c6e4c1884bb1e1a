import type { ForwardRunner, HookName } from '../../engine/types';
import type { CircuitModel, PatchHeadsOptions, PatchSweepResult, Task } from '../types';
import { pairsFor, patchSweep } from './sweep';

/**
 * The concrete activation-patching sweeps, each the generic sweep with a grid (as TransformerLens' patching.py
 * specialises generic_activation_patch): heads (output, q, k, v, pattern; all positions or per position), the
 * residual stream per layer and position, attention / MLP outputs per layer, single MLP neurons, and ROME's windows
 * of adjacent layers. Values go clean → corrupted (denoising); effects are normalised (1 = clean restored).
 */

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const layers = (model: CircuitModel) => range(model.cfg.n_layers);
/** Per-position grids use the pairs of the most common length (positions mean the same token across them). */
const samePositionsLength = (task: Task) => pairsFor(task, true)[0].clean.length;

const HEAD_HOOKS = {
  head_out: 'attn.hook_z',
  head_q: 'attn.hook_q',
  head_k: 'attn.hook_k',
  head_v: 'attn.hook_v',
  head_pattern: 'attn.hook_pattern',
} as const;

/** Every head's output (or q / k / v / pattern), over all positions or each position: grid [layer, head(, pos)]. */
export function patchHeads(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: PatchHeadsOptions = {},
): Promise<PatchSweepResult> {
  const site = opts.site ?? 'head_out';
  const hookOf = (l: number): HookName => `blocks.${l}.${HEAD_HOOKS[site]}`;
  // k and v have n_key_value_heads heads (grouped-query attention): the grid follows the hook.
  const heads = site === 'head_k' || site === 'head_v' ? model.cfg.n_key_value_heads : model.cfg.n_heads;
  const seqLen = opts.perPosition ? samePositionsLength(task) : 0;
  return patchSweep(runner, model, task, {
    site,
    axes: opts.perPosition ? ['layer', 'head', 'pos'] : ['layer', 'head'],
    shape: opts.perPosition ? [model.cfg.n_layers, heads, seqLen] : [model.cfg.n_layers, heads],
    hooks: layers(model).map(hookOf),
    cell: ([l, h, pos], pair) =>
      pos !== undefined && pos >= pair.clean.length
        ? null
        : [{ hook: hookOf(l), head: h, ...(pos !== undefined ? { positions: [pos] } : {}) }],
    sameLength: opts.perPosition,
    maxRows: opts.maxRows,
  });
}

/** The residual stream before each layer, one position at a time: grid [layer, pos]. */
export function patchResidual(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { maxRows?: number } = {},
): Promise<PatchSweepResult> {
  const hookOf = (l: number): HookName => `blocks.${l}.hook_resid_pre`;
  const seqLen = samePositionsLength(task);
  return patchSweep(runner, model, task, {
    site: 'resid_pre',
    axes: ['layer', 'pos'],
    shape: [model.cfg.n_layers, seqLen],
    hooks: layers(model).map(hookOf),
    cell: ([l, pos]) => [{ hook: hookOf(l), positions: [pos] }],
    sameLength: true,
    maxRows: opts.maxRows,
  });
}

/** A whole layer's attention or MLP output (all positions, or per position): grid [layer(, pos)]. */
export function patchLayerOutputs(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { site: 'attn_out' | 'mlp_out'; perPosition?: boolean; maxRows?: number },
): Promise<PatchSweepResult> {
  if (opts.site === 'mlp_out' && model.cfg.attn_only) throw new Error(`${model.cfg.model_name} is attention-only: no MLP outputs to patch`);
  const hookOf = (l: number): HookName => `blocks.${l}.hook_${opts.site}`;
  const seqLen = samePositionsLength(task);
  return patchSweep(runner, model, task, {
    site: opts.site,
    axes: opts.perPosition ? ['layer', 'pos'] : ['layer'],
    shape: opts.perPosition ? [model.cfg.n_layers, seqLen] : [model.cfg.n_layers],
    hooks: layers(model).map(hookOf),
    cell: ([l, pos]) => [{ hook: hookOf(l), ...(pos !== undefined ? { positions: [pos] } : {}) }],
    sameLength: opts.perPosition,
    maxRows: opts.maxRows,
  });
}

/** Single MLP neurons (mlp.hook_post), all positions or the given named position: grid [neuron in the list]. */
export function patchNeurons(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { neurons: Array<{ layer: number; neuron: number }>; position?: string; maxRows?: number },
): Promise<PatchSweepResult> {
  if (model.cfg.attn_only) throw new Error(`${model.cfg.model_name} is attention-only: no MLP neurons to patch`);
  for (const n of opts.neurons) {
    if (!(n.layer >= 0 && n.layer < model.cfg.n_layers && n.neuron >= 0 && n.neuron < model.cfg.d_mlp && Number.isInteger(n.neuron))) {
      throw new Error(`neuron L${n.layer}N${n.neuron} is not in this model (${model.cfg.n_layers} layers × ${model.cfg.d_mlp} neurons)`);
    }
  }
  const hookOf = (l: number): HookName => `blocks.${l}.mlp.hook_post`;
  const hooks = [...new Set(opts.neurons.map((n) => hookOf(n.layer)))];
  return patchSweep(runner, model, task, {
    site: 'neuron',
    axes: ['neuron'],
    shape: [opts.neurons.length],
    hooks,
    cell: ([i], pair) => {
      const positions = opts.position ? pair.positions[opts.position] : undefined;
      if (opts.position && !positions) return null;
      return [{ hook: hookOf(opts.neurons[i].layer), neuron: opts.neurons[i].neuron, ...(positions ? { positions } : {}) }];
    },
    maxRows: opts.maxRows,
  });
}

/**
 * ROME's windows (Meng et al. 2022; open problems 6.15–6.17): the attention or MLP outputs of `window` adjacent
 * layers centred on each layer (clipped at the ends), at one named position (the subject's last token by default)
 * or all positions. window 1 is the single-layer sweep; compare both on the same task.
 */
export function patchWindows(
  runner: ForwardRunner,
  model: CircuitModel,
  task: Task,
  opts: { site: 'attn_window' | 'mlp_window'; window: number; position?: string; maxRows?: number },
): Promise<PatchSweepResult> {
  const { n_layers: L } = model.cfg;
  if (!Number.isInteger(opts.window) || opts.window < 1 || opts.window > L) throw new Error(`window must be an integer in 1..${L}`);
  if (opts.site === 'mlp_window' && model.cfg.attn_only)
    throw new Error(`${model.cfg.model_name} is attention-only: no MLP outputs to patch`);
  const hookOf = (l: number): HookName => `blocks.${l}.hook_${opts.site === 'attn_window' ? 'attn_out' : 'mlp_out'}`;
  return patchSweep(runner, model, task, {
    site: opts.site,
    axes: ['layer'],
    shape: [L],
    window: opts.window,
    hooks: layers(model).map(hookOf),
    cell: ([centre], pair) => {
      const named = opts.position ?? 'SUBJECT';
      const positions = pair.positions[named] ? [pair.positions[named].at(-1)!] : undefined;
      if (opts.position && !positions) return null;
      const lo = Math.max(0, Math.min(centre - Math.floor(opts.window / 2), L - opts.window));
      return range(opts.window).map((i) => ({ hook: hookOf(lo + i), ...(positions ? { positions } : {}) }));
    },
    maxRows: opts.maxRows,
  });
}
