import * as ort from 'onnxruntime-node';
import type { CanonicalModel } from '../models/types';
import type { ActivationCache, ForwardRunner, HookName } from './types';
import { assertKnownHooks, hookDims } from './hooks';
import { buildOnnxModel, checkSupportedConfig, interventionInputs, assertIntervenable, type WeightStorage } from './onnx-graph';
import { defaultWeightStorage, weightBytes, weightFeeds } from './weight-feeds';
import { weightShape, type Precision } from './float16-weights';
import { choosePrecision } from './precision';
import { assertBatchFits } from './memory-estimate';
import { collectAfterRun } from './collect-garbage';
import { buildInterventionTensors, type RunOptions } from './interventions';
import { chooseExecutionProviders, createSessionWithFallback } from './execution-provider';
import { checkProjections, projectedName, projectionMatrixName } from './projections';
import {
  EDGE_MASK_INPUT,
  EDGE_SOURCE_ROW_INPUT,
  checkEdgePatches,
  edgeReceiverCount,
  edgeSenderCount,
  edgeSourceInput,
  edgeSourceHooks,
  type EdgePatches,
} from './edge-patching';
import { OBSERVED_INPUT, REDUCED_SUMS, checkReductions, normName, reducedName, sourceMaxName } from './reductions';

export interface OnnxRunnerOptions {
  /**
   * onnxruntime execution providers, in order of preference. Default: chooseExecutionProviders() (HEADWIKI_EP, else
   * CUDA where onnxruntime and the machine have it, else the CPU). A list ending in `cpu` falls back to the CPU
   * when the first provider cannot start.
   */
  executionProviders?: string[];
  /** Where a fallback to the CPU is reported (default console.warn). */
  log?: (message: string) => void;
  /**
   * onnxruntime's CPU memory arena. Default: on for models under 1 GiB of weights, off above. With the arena each
   * session keeps its peak activations for good; without it large intermediates are allocated (and page-faulted)
   * on every run, which cost small models up to 2.6× on this machine (pythia-70m-shaped, scripts/bench/forward.ts
   * `--arena on|off`) but is a small share of a big model's forward, whose memory matters more.
   */
  cpuMemArena?: boolean;
  /** onnxruntime's memory pattern (one planned block for a run's intermediates; default on, as onnxruntime's). */
  memPattern?: boolean;
  /**
   * onnxruntime's `session.disable_prepacking` (benchmarks: with initializers, what prepacking the GEMMs' weights
   * is worth, the one thing weight inputs cannot have). Default false.
   */
  disablePrepacking?: boolean;
  /** Threads inside one operator (onnxruntime's default: one per physical core). */
  intraOpNumThreads?: number;
  /** Let onnxruntime's idle threads spin waiting for work (default false: cores here are shared). */
  allowSpinning?: boolean;
  /** How many hook sets keep a live session; beyond that the least recently used one is released. Default 8. */
  maxCachedSessions?: number;
  /**
   * Budget for the cached sessions' serialised model sizes (with `weightStorage: 'initializers'` each session keeps
   * its own copy of the weights it uses; with weight inputs a graph is a few hundred kB): least recently used
   * sessions are released beyond it, the newest is always kept. Default 2 GiB.
   */
  maxCachedBytes?: number;
  /**
   * Where the weights live (lib/engine/onnx-graph.ts). Default: `inputs` (every session reads the model's own
   * Float32Arrays: one copy per process, any model size), except on CUDA for a model whose graph fits protobuf's
   * 2 GB, where initializers let the provider keep the weights on the device instead of copying them every run.
   */
  weightStorage?: WeightStorage;
  /**
   * What the matrix products compute in (lib/engine/precision.ts). Default choosePrecision(): float16 on CUDA for a
   * 16-bit checkpoint or wherever the model keeps its matrices 16-bit, HEADWIKI_PRECISION when set, else float32.
   */
  precision?: Precision;
}

/** Models with more float32 weights than this run without onnxruntime's memory arena (see cpuMemArena). */
export const ARENA_MAX_WEIGHT_BYTES = 2 ** 30;

/** Timings of one session build, for benchmarks and logs. */
export interface SessionBuildStats {
  hooks: number;
  /** Building the ONNX graph in TypeScript and serialising it. */
  graphBuildMs: number;
  /** `InferenceSession.create`: parsing, graph optimisation, kernel set-up. */
  sessionCreateMs: number;
  modelBytes: number;
}

interface CachedSession {
  session: Promise<ort.InferenceSession>;
  /** Serialised model size, once built. */
  bytes: number;
  /** The weight inputs its graph reads (fed from the model's arrays on every run). */
  weightInputs: string[];
  /** What its graph computes the matrix products in (the matrices are fed in it). */
  precision: Precision;
  inFlight: number;
  evicted: boolean;
}

/**
 * Runs a CanonicalModel through onnxruntime-node. One session per distinct hook set, built on first use and
 * cached: graphs differ by their outputs, and pruning makes a graph for early hooks cheaper than the whole model.
 * The weights are graph inputs fed from the model's own arrays (lib/engine/weight-feeds.ts), so sessions hold no
 * copy of them; the bounded LRU cache limits their other state (kernels, the memory arena).
 */
export class OnnxRunner implements ForwardRunner {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly sessionOptions: ort.InferenceSession.SessionOptions;
  private readonly maxCachedSessions: number;
  private readonly maxCachedBytes: number;
  /** The most recent session build. */
  lastBuild: SessionBuildStats | null = null;
  /** How many sessions this runner has built (a cache hit builds none). */
  buildCount = 0;
  /** Where the latest session's weights live (inputs or initializers). */
  weightStorage: WeightStorage | null = null;
  /** What the latest session computes its matrix products in, and why (recorded in runs' options). */
  precision: Precision | null = null;
  precisionWhy: string | null = null;
  private readonly precisionOption?: Precision;
  /** The execution provider the latest session runs on (`cpu` after a fallback). */
  activeProvider: string | null = null;
  private providers: string[];
  private readonly log?: (message: string) => void;
  private readonly weightStorageOption?: WeightStorage;
  /** Output arrays given back with recycle(), by length, for the next runs' fetches (see recycle). */
  private readonly outputPool = new OutputPool();

  constructor(
    readonly model: CanonicalModel,
    options: OnnxRunnerOptions = {},
  ) {
    checkSupportedConfig(model.cfg);
    this.maxCachedSessions = options.maxCachedSessions ?? 8;
    if (!Number.isInteger(this.maxCachedSessions) || this.maxCachedSessions < 1) {
      throw new Error(`OnnxRunner: maxCachedSessions must be a positive integer, got ${options.maxCachedSessions}`);
    }
    if (options.maxCachedBytes !== undefined && !(options.maxCachedBytes > 0)) {
      throw new Error(`OnnxRunner: maxCachedBytes must be positive, got ${options.maxCachedBytes}`);
    }
    this.maxCachedBytes = options.maxCachedBytes ?? 2 ** 31;
    this.providers = options.executionProviders ?? chooseExecutionProviders();
    this.log = options.log;
    this.weightStorageOption = options.weightStorage;
    this.precisionOption = options.precision;
    this.sessionOptions = {
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      enableCpuMemArena: options.cpuMemArena ?? weightBytes(model) < ARENA_MAX_WEIGHT_BYTES,
      ...(options.memPattern !== undefined ? { enableMemPattern: options.memPattern } : {}),
      // Spinning worker threads make every run several times slower when the cores are shared (web server,
      // database, other workers, tests), and gain little when they are not.
      extra: {
        session: {
          intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' },
          ...(options.disablePrepacking ? { disable_prepacking: '1' } : {}),
        },
      },
      ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    };
  }

  /** A runner whose logits session is already built, so that a broken model or runtime fails here, not mid-job. */
  static async create(model: CanonicalModel, options: OnnxRunnerOptions = {}): Promise<OnnxRunner> {
    const runner = new OnnxRunner(model, options);
    await runner.prepare(['logits']);
    return runner;
  }

  /** Builds (or finds) the session for a hook set ahead of use. */
  async prepare(
    hooks: HookName[],
    intervenedHooks: HookName[] = [],
    projectedHooks: HookName[] = [],
    reducedHooks: HookName[] = [],
  ): Promise<void> {
    assertKnownHooks(this.model.cfg, hooks);
    await this.entry(hooks, intervenedHooks, [...new Set(projectedHooks)].sort(), [...new Set(reducedHooks)].sort()).session;
  }

  /** Number of live cached sessions. */
  get cachedSessions(): number {
    return this.sessions.size;
  }

  async run(tokens: number[][], hooks: HookName[], options: RunOptions = {}): Promise<ActivationCache> {
    const cache: ActivationCache = new Map();
    const norms = [...new Set(options.norms ?? [])].sort();
    const sourceMaxima = [...new Set(options.sourceMaxima ?? [])].sort();
    if (hooks.length === 0 && norms.length === 0) return cache;
    assertKnownHooks(this.model.cfg, [...hooks, ...norms, ...sourceMaxima]);
    if (norms.includes('logits')) throw new Error('norms: not of the logits');
    // Refuse a batch whose activations would make the machine swap (the message names the batch that fits), before
    // even packing its tokens.
    if (Array.isArray(tokens) && Array.isArray(tokens[0])) {
      assertBatchFits(this.model.cfg, tokens.length, tokens[0].length, hooks, weightShape(this.model, 'unembed.W_U')?.[1]);
    }
    const input = tokensToTensor(tokens, this.model.cfg.d_vocab, this.model.cfg.n_ctx);
    const feeds: Record<string, ort.Tensor> = { tokens: input };
    const interventions = options.interventions ?? [];
    let intervened: HookName[] = [];
    if (interventions.length > 0 || (options.patchTensors?.size ?? 0) > 0) {
      assertIntervenable([...interventions.map((iv) => iv.hook), ...(options.patchTensors?.keys() ?? [])]);
      const logitsWidth = weightShape(this.model, 'unembed.W_U')?.[1] ?? this.model.cfg.d_vocab;
      const tensors = buildInterventionTensors(
        this.model.cfg,
        interventions,
        tokens.length,
        tokens[0].length,
        logitsWidth,
        options.patchTensors,
      );
      intervened = [...tensors.keys()];
      for (const [hook, t] of tensors) {
        const names = interventionInputs(hook);
        feeds[names.keep] = new ort.Tensor('bool', t.keep, t.shape);
        feeds[names.replacement] = new ort.Tensor('float32', t.replacement, t.shape);
      }
    }
    const projections = options.projections ?? [];
    const projected = checkProjections(projections, hooks, (hook) => {
      const dims =
        hook === 'logits' ? [weightShape(this.model, 'unembed.W_U')?.[1] ?? this.model.cfg.d_vocab] : hookDims(this.model.cfg, hook);
      return dims[dims.length - 1] as number;
    });
    for (const p of projections)
      feeds[projectionMatrixName(p.hook)] = new ort.Tensor('float32', p.matrix, [p.matrix.length / p.columns, p.columns]);
    const batch = tokens.length;
    const seqLen = tokens[0].length;
    const rank = (hook: HookName) => (hook === 'logits' ? 3 : hookDims(this.model.cfg, hook).length);
    const reduced = checkReductions(options.reductions, hooks, rank, batch, seqLen);
    if (reduced.length > 0) {
      const { observed, length } = options.reductions!;
      feeds[OBSERVED_INPUT] = new ort.Tensor('float32', observed, [batch, length]);
    }
    if (options.edgePatches) Object.assign(feeds, edgePatchFeeds(this.model.cfg, options.edgePatches, batch, seqLen));
    const entry = this.entry(hooks, intervened, projected, reduced, norms, sourceMaxima, options.edgePatches !== undefined);
    entry.inFlight++;
    try {
      const session = await entry.session;
      Object.assign(feeds, weightFeeds(this.model, entry.weightInputs, entry.precision));
      // Outputs go straight into arrays allocated here (onnxruntime writes into pre-allocated fetches): each hook
      // exists once, not once in onnxruntime's memory and again as the JavaScript copy of it.
      const fetches: Record<string, ort.Tensor> = {};
      const outputTensor = (dims: number[]) => new ort.Tensor('float32', this.outputPool.take(dims.reduce((a, b) => a * b, 1)), dims);
      for (const hook of new Set(hooks)) fetches[hook] = outputTensor(this.outputDims(hook, batch, seqLen));
      for (const p of projections)
        fetches[projectedName(p.hook)] = outputTensor([...this.outputDims(p.hook, batch, seqLen).slice(0, -1), p.columns]);
      for (const hook of norms) fetches[normName(hook)] = outputTensor(this.outputDims(hook, batch, seqLen).slice(0, -1));
      for (const hook of sourceMaxima) fetches[sourceMaxName(hook)] = outputTensor(this.outputDims(hook, batch, seqLen).slice(0, -1));
      for (const hook of reduced) {
        const units = this.outputDims(hook, batch, seqLen)[2];
        for (const what of ['max', 'min'] as const) fetches[reducedName(hook, what)] = outputTensor([batch, units]);
        fetches[reducedName(hook, 'sums')] = outputTensor([batch, REDUCED_SUMS, units]);
      }
      // The binding also returns a copy of every output (see collect-garbage.ts): dropped here, collected now when it
      // is big, so that it never meets the next run's outputs.
      const started = performance.now();
      await runDroppingCopies(session, feeds, fetches);
      const runMs = performance.now() - started;
      let outputBytes = 0;
      for (const [name, t] of Object.entries(fetches)) {
        const data = t.data as Float32Array;
        outputBytes += data.byteLength;
        cache.set(name, { shape: t.dims.map(Number), data });
      }
      collectAfterRun(outputBytes, runMs);
      return cache;
    } finally {
      entry.inFlight--;
      if (entry.evicted && entry.inFlight === 0) releaseLater(entry);
    }
  }

  /**
   * Gives a run's outputs back: the next runs write into these arrays instead of allocating new ones, so a scan's
   * steady state allocates nothing and its peak is one batch's hooks, not that plus the previous batches' garbage
   * (GPT-2 XL's second forward peaked 1.57× its weights before this). Call only when nothing holds a reference
   * to the arrays (or a subarray of them): they will be overwritten. The cache is cleared.
   */
  recycle(cache: ActivationCache): void {
    for (const t of cache.values()) this.outputPool.give(t.data);
    cache.clear();
  }

  /** A hook's concrete shape for a batch (logits as wide as the unembedding). */
  private outputDims(hook: HookName, batch: number, seqLen: number): number[] {
    if (hook === 'logits') return [batch, seqLen, weightShape(this.model, 'unembed.W_U')?.[1] ?? this.model.cfg.d_vocab];
    return hookDims(this.model.cfg, hook).map((d) => (d === 'batch' ? batch : typeof d === 'number' ? d : seqLen));
  }

  /** Releases every cached session now (call when no run is in progress). */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map(async (e) => (await e.session.catch(() => null))?.release()));
  }

  /** The session for a hook set and a set of intervened hooks (sessions differ by outputs and intervention inputs). */
  private entry(
    hooks: HookName[],
    intervened: HookName[] = [],
    projected: HookName[] = [],
    reduced: HookName[] = [],
    norms: HookName[] = [],
    sourceMaxima: HookName[] = [],
    edgePatching = false,
  ): CachedSession {
    const sortedIntervened = [...new Set(intervened)].sort();
    const key = `${[...new Set(hooks)].sort().join('\n')}\n|${sortedIntervened.join('\n')}\n|${projected.join('\n')}\n|${reduced.join('\n')}\n|${norms.join('\n')}\n|${sourceMaxima.join('\n')}${edgePatching ? '\n|edges' : ''}`;
    const entry = this.sessions.get(key);
    if (entry) {
      // Map order is the LRU order: move to the back.
      this.sessions.delete(key);
      this.sessions.set(key, entry);
      return entry;
    }
    const created: CachedSession = { session: null!, bytes: 0, weightInputs: [], precision: 'float32', inFlight: 0, evicted: false };
    created.session = this.createSession(
      [...new Set(hooks)].sort(),
      sortedIntervened,
      { projected, reduced, norms, sourceMaxima, edgePatching },
      created,
    );
    // A failed build is not cached: the next call tries again (and reports the error again).
    created.session.then(
      () => this.evictBeyondLimit(),
      () => {
        if (this.sessions.get(key) === created) this.sessions.delete(key);
      },
    );
    this.sessions.set(key, created);
    this.evictBeyondLimit();
    return created;
  }

  private async createSession(
    hooks: HookName[],
    interventions: HookName[],
    extra: { projected: HookName[]; reduced: HookName[]; norms: HookName[]; sourceMaxima: HookName[]; edgePatching?: boolean },
    entry: CachedSession,
  ): Promise<ort.InferenceSession> {
    const t0 = performance.now();
    const weights = this.weightStorageOption ?? defaultWeightStorage(this.providers[0], this.model);
    this.weightStorage = weights;
    const chosen = this.precisionOption
      ? { precision: this.precisionOption, why: 'precision set for the runner' }
      : choosePrecision(this.model, this.providers[0]);
    [this.precision, this.precisionWhy, entry.precision] = [chosen.precision, chosen.why, chosen.precision];
    const { bytes, weightInputs } = buildOnnxModel(this.model, {
      hooks,
      interventions,
      projections: extra.projected,
      reductions: extra.reduced,
      norms: extra.norms,
      sourceMaxima: extra.sourceMaxima,
      edgePatching: extra.edgePatching,
      weights,
      precision: chosen.precision,
    });
    entry.bytes = bytes.byteLength;
    entry.weightInputs = weightInputs;
    const t1 = performance.now();
    const { session, provider } = await createSessionWithFallback(bytes, this.sessionOptions, this.providers, this.log);
    // After one fallback, later sessions go straight to the CPU (one log line, not one per hook set).
    if (provider !== this.providers[0]) this.providers = [provider];
    this.activeProvider = provider;
    this.lastBuild = { hooks: hooks.length, graphBuildMs: t1 - t0, sessionCreateMs: performance.now() - t1, modelBytes: bytes.byteLength };
    this.buildCount++;
    return session;
  }

  private evictBeyondLimit(): void {
    const cachedBytes = () => [...this.sessions.values()].reduce((sum, e) => sum + e.bytes, 0);
    for (const [key, entry] of this.sessions) {
      if (this.sessions.size === 1) break; // the newest stays, whatever its size
      if (this.sessions.size <= this.maxCachedSessions && cachedBytes() <= this.maxCachedBytes) break;
      this.sessions.delete(key);
      entry.evicted = true;
      // Runs still using it finish first; the last one out releases it.
      if (entry.inFlight === 0) releaseLater(entry);
    }
  }
}

/**
 * Recycled output arrays by length. Bounded by the largest set of arrays given back at once (one run's outputs):
 * more would only keep memory that the next run does not ask for.
 */
class OutputPool {
  private readonly free = new Map<number, Float32Array[]>();
  private bytes = 0;
  private maxBytes = 0;
  private givenSinceTake = 0;

  take(length: number): Float32Array {
    this.givenSinceTake = 0;
    const found = this.free.get(length)?.pop();
    if (!found) return new Float32Array(length);
    this.bytes -= found.byteLength;
    return found;
  }

  give(data: Float32Array): void {
    // Only whole arrays that onnxruntime can write into (a view of a bigger buffer would be overwritten past its end).
    if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) return;
    this.givenSinceTake += data.byteLength;
    this.maxBytes = Math.max(this.maxBytes, this.givenSinceTake);
    const list = this.free.get(data.length) ?? [];
    if (list.includes(data)) return;
    list.push(data);
    this.free.set(data.length, list);
    this.bytes += data.byteLength;
    // Over the bound: drop the oldest arrays of the other lengths first.
    for (const [length, arrays] of this.free) {
      while (this.bytes > this.maxBytes && arrays.length > 0 && (length !== data.length || arrays.length > 1)) {
        this.bytes -= arrays.shift()!.byteLength;
      }
      if (arrays.length === 0) this.free.delete(length);
    }
  }
}

/** Runs a session with pre-allocated fetches and lets go of the binding's copies (unreachable once this returns). */
async function runDroppingCopies(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor>) {
  await session.run(feeds, fetches);
}

function releaseLater(entry: CachedSession): void {
  entry.session.then((s) => s.release()).catch(() => undefined);
}

/** Validates a batch of token ids and packs it as the int64 [batch, pos] graph input. */
export function tokensToTensor(tokens: number[][], dVocab: number, nCtx: number): ort.Tensor {
  if (!Array.isArray(tokens) || tokens.length === 0) throw new Error('tokens: expected a non-empty batch of sequences');
  const seqLen = Array.isArray(tokens[0]) ? tokens[0].length : 0;
  if (seqLen === 0) throw new Error('tokens: sequences must not be empty');
  if (seqLen > nCtx) throw new Error(`tokens: sequence length ${seqLen} exceeds the model's context n_ctx=${nCtx}`);
  const data = new BigInt64Array(tokens.length * seqLen);
  tokens.forEach((seq, b) => {
    if (!Array.isArray(seq) || seq.length !== seqLen) {
      throw new Error(`tokens: all sequences must have the same length (sequence 0 has ${seqLen}, sequence ${b} has ${seq?.length})`);
    }
    seq.forEach((id, p) => {
      if (!Number.isInteger(id) || id < 0 || id >= dVocab) {
        throw new Error(`tokens: id ${id} at [${b}, ${p}] is not an integer in [0, ${dVocab})`);
      }
      data[b * seqLen + p] = BigInt(id);
    });
  });
  return new ort.Tensor('int64', data, [tokens.length, seqLen]);
}

/** The graph inputs of edge patching (lib/engine/edge-patching.ts), checked against the batch. */
function edgePatchFeeds(cfg: CanonicalModel['cfg'], e: EdgePatches, batch: number, seqLen: number): Record<string, ort.Tensor> {
  checkEdgePatches(cfg, e, batch, seqLen);
  const feeds: Record<string, ort.Tensor> = {
    [EDGE_MASK_INPUT]: new ort.Tensor('float32', e.mask, [batch, edgeReceiverCount(cfg), edgeSenderCount(cfg)]),
    [EDGE_SOURCE_ROW_INPUT]: new ort.Tensor('int64', BigInt64Array.from(Array.from(e.sourceRow, BigInt)), [batch]),
  };
  for (const hook of edgeSourceHooks(cfg)) {
    const t = e.sources.get(hook)!;
    feeds[edgeSourceInput(hook)] = new ort.Tensor('float32', t.data, t.shape);
  }
  return feeds;
}
