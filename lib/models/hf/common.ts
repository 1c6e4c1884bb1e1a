import type { ModelConfig, Tensor, WeightMap } from '../types';
import type { TensorSource } from '../safetensors-reader';

/**
 * Shared pieces of the Hugging Face loaders: a checked view of a state dict, a typed view of config.json,
 * and the few layout changes between PyTorch's matrices and TransformerLens' per-head [in, out] tensors.
 * Shapes: nn.Linear stores [out, in]; GPT-2's Conv1D stores [in, out]; canonical weights are [in, out].
 */

export class HfStateDict {
  constructor(
    /** A Map, or a lazy view over the checkpoint's files (each get() reads the tensor then). */
    readonly tensors: TensorSource,
    /** The folder or file, for error messages. */
    readonly source: string,
    /** Prefix of every key (`transformer.`, `model.`, `gpt_neox.`, or none), found by probing. */
    readonly prefix = '',
  ) {}

  /** The first candidate prefix under which `probe` exists (checkpoints are saved with or without the base-model prefix). */
  static probe(tensors: TensorSource, source: string, candidates: string[], probe: string): HfStateDict {
    const prefix = candidates.find((p) => tensors.has(p + probe));
    if (prefix === undefined) {
      const sample = [...tensors.keys()].slice(0, 5).join(', ');
      throw new Error(
        `${source}: missing tensor ${candidates[0]}${probe} (the checkpoint has ${tensors.size} tensors: ${sample}${tensors.size > 5 ? ', ...' : ''})`,
      );
    }
    return new HfStateDict(tensors, source, prefix);
  }

  has(name: string, absolute = false): boolean {
    return this.tensors.has(absolute ? name : this.prefix + name);
  }

  /** A required tensor with exactly this shape. `absolute` skips the prefix (e.g. `lm_head.weight`). */
  take(name: string, shape: number[], absolute = false): Float32Array {
    const key = absolute ? name : this.prefix + name;
    const t = this.tensors.get(key);
    if (!t) throw new Error(`${this.source}: missing tensor ${key} (expected shape [${shape.join(', ')}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${this.source}: tensor ${key} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    return t.data;
  }

  /** An optional tensor (biases), shape-checked when present. */
  takeOptional(name: string, shape: number[], absolute = false): Float32Array | null {
    return this.has(name, absolute) ? this.take(name, shape, absolute) : null;
  }
}

/** config.json with typed, checked reads; every error names the file and the key. */
export class HfConfig {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly file: string,
  ) {}

  /** The first of `keys` that is present (configs rename fields across versions), or the fallback. */
  private pick(keys: string | string[]): unknown {
    for (const key of Array.isArray(keys) ? keys : [keys]) if (this.raw[key] !== undefined && this.raw[key] !== null) return this.raw[key];
    return undefined;
  }

  int(keys: string | string[], fallback?: number): number {
    const v = this.pick(keys) ?? fallback;
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw new Error(
        `${this.file}: ${[keys].flat().join(' / ')} must be a positive integer, got ${JSON.stringify(this.pick(keys) ?? null)}`,
      );
    }
    return v as number;
  }

  num(keys: string | string[], fallback: number): number {
    const v = this.pick(keys) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${this.file}: ${[keys].flat().join(' / ')} must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.pick(key) ?? fallback;
    if (typeof v !== 'boolean') throw new Error(`${this.file}: ${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  str(keys: string | string[], fallback?: string): string | undefined {
    const v = this.pick(keys) ?? fallback;
    if (v !== undefined && typeof v !== 'string')
      throw new Error(`${this.file}: ${[keys].flat().join(' / ')} must be a string, got ${JSON.stringify(v)}`);
    return v as string | undefined;
  }

  /** An optional token id (configs write null, a number, or a list of ids). */
  tokenId(key: string, fallback: number): number {
    const v = this.raw[key];
    if (Number.isInteger(v)) return v as number;
    if (Array.isArray(v) && Number.isInteger(v[0])) return v[0] as number;
    return fallback;
  }

  /** Refuses a config value the loader would silently get wrong. */
  refuse(key: string, isUnsupported: (v: unknown) => boolean, why: string): void {
    if (isUnsupported(this.raw[key])) throw new Error(`${this.file}: ${key} = ${JSON.stringify(this.raw[key])} is not supported (${why})`);
  }
}

/** HF activation names → TransformerLens act_fn. gelu_pytorch_tanh is the tanh approximation, i.e. gelu_new. */
export function actFnFromHf(name: string | undefined, config: HfConfig, key: string): ModelConfig['act_fn'] {
  const map: Record<string, ModelConfig['act_fn']> = {
    gelu_new: 'gelu_new',
    gelu_pytorch_tanh: 'gelu_new',
    gelu_fast: 'gelu_new',
    gelu: 'gelu',
    relu: 'relu',
    silu: 'silu',
    swish: 'silu',
  };
  if (name === undefined || !(name in map)) {
    throw new Error(`${config.file}: ${key} ${JSON.stringify(name ?? null)} is not supported (${Object.keys(map).join(', ')})`);
  }
  return map[name];
}

/** [rows, cols] → [cols, rows]. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const rowOff = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[rowOff + c];
  }
  return out;
}

/** [d_in, n·d_head] (heads side by side, [in, out]) → TransformerLens [n, d_in, d_head]. */
export function headsFromColumns(m: Float32Array, dIn: number, n: number, dHead: number): Float32Array {
  const out = new Float32Array(n * dIn * dHead);
  const width = n * dHead;
  for (let h = 0; h < n; h++) {
    for (let i = 0; i < dIn; i++) out.set(m.subarray(i * width + h * dHead, i * width + (h + 1) * dHead), (h * dIn + i) * dHead);
  }
  return out;
}

/** Inverse of headsFromColumns: [n, d_in, d_head] → [d_in, n·d_head]. */
export function headsToColumns(w: Float32Array, n: number, dIn: number, dHead: number): Float32Array {
  const out = new Float32Array(n * dIn * dHead);
  const width = n * dHead;
  for (let h = 0; h < n; h++) {
    for (let i = 0; i < dIn; i++) out.set(w.subarray((h * dIn + i) * dHead, (h * dIn + i + 1) * dHead), i * width + h * dHead);
  }
  return out;
}

/** Columns [from, from + count) of a row-major [rows, cols] matrix. */
export function columns(m: Float32Array, rows: number, cols: number, from: number, count: number): Float32Array {
  const out = new Float32Array(rows * count);
  for (let r = 0; r < rows; r++) out.set(m.subarray(r * cols + from, r * cols + from + count), r * count);
  return out;
}

/** Concatenates row-major matrices with the same row count side by side. */
export function concatColumns(parts: Array<{ data: Float32Array; cols: number }>, rows: number): Float32Array {
  const total = parts.reduce((s, p) => s + p.cols, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    for (const p of parts) {
      out.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), at);
      at += p.cols;
    }
  }
  return out;
}

/** Writes canonical tensors into a WeightMap with their shapes. */
export function weightWriter(weights: WeightMap) {
  return (name: string, shape: number[], data: Float32Array | null) => {
    if (data) weights.set(name, { shape, data });
  };
}

/** Reads a canonical weight for export; absent biases are zeros of the given size when `zerosIfAbsent`. */
export function canonical(weights: WeightMap, name: string): Float32Array;
export function canonical(weights: WeightMap, name: string, zerosIfAbsent: number): Float32Array;
export function canonical(weights: WeightMap, name: string, zerosIfAbsent?: number): Float32Array {
  const t = weights.get(name);
  if (t) return t.data;
  if (zerosIfAbsent !== undefined) return new Float32Array(zerosIfAbsent);
  throw new Error(`export: canonical weight ${name} is missing`);
}

/** The defaults every HF family shares; each loader overrides what its config says. */
export function baseConfig(
  name: string,
  architecture: string,
): Omit<ModelConfig, 'n_layers' | 'd_model' | 'n_heads' | 'd_head' | 'n_key_value_heads' | 'd_mlp' | 'd_vocab' | 'n_ctx'> {
  return {
    model_name: name,
    attn_only: false,
    normalization_type: 'LN',
    positional_embedding_type: 'standard',
    rotary_dim: 0,
    rotary_base: 10000,
    act_fn: 'gelu_new',
    gated_mlp: false,
    parallel_attn_mlp: false,
    eps: 1e-5,
    bos_token_id: 0,
    eos_token_id: 0,
    original_architecture: architecture,
  };
}

/** An HF family: its config → ModelConfig, its state dict → canonical weights, and back (for exports and tests). */
export interface HfFamily {
  /** `model_type` values in config.json. */
  modelTypes: string[];
  /** `architectures[0]` values. */
  architectures: string[];
  configFromHf(config: HfConfig, name: string): ModelConfig;
  weightsFromHf(cfg: ModelConfig, state: TensorSource, source: string, config: HfConfig): WeightMap;
  /** Canonical model → (config.json, state dict) in this family's HF layout. */
  toHf(cfg: ModelConfig, weights: WeightMap): { config: Record<string, unknown>; state: Map<string, Tensor> };
}
