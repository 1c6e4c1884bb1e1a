/**
 * What a worker keeps between jobs: loaded models with their onnxruntime runner, and corpora read from
 * the database. One model at a time (a worker usually works through one run), so memory stays bounded.
 * Models go through the same weight processing as the in-process path (workers/weight-processing.ts), so
 * a queued run computes on exactly the model `npm start` / `publish` would, and records what was applied.
 */
import { getCorpus } from '@/lib/db/corpora';
import type { AppliedWeightProcessing } from '@/lib/models/process-weights';
import type { OnnxRunner } from '@/lib/engine/onnx-runner';
import { resolveModel, type ResolvedModel } from '@/lib/models/registry';
import { createWorkerRunner } from '../execution-device';
import { prepareModelForRun, type WeightProcessingRequest } from '../weight-processing';

export interface LoadedModel extends ResolvedModel {
  runner: OnnxRunner;
  device: string;
  /** What prepareModelForRun applied (recorded in the run's options by finalize). */
  weightProcessing: AppliedWeightProcessing;
}

export interface JobContextOptions {
  log?: (msg: string) => void;
  /** Told the provider a loaded model's runner actually runs on (e.g. `cpu` after a CUDA fallback). */
  onDevice?: (device: string) => void;
}

export class JobContext {
  private model: { key: string; loaded: Promise<LoadedModel> } | null = null;
  private corpus: { slug: string; documents: Promise<string[]> } | null = null;
  private pair: { key: string; loaded: Promise<[LoadedModel, LoadedModel]> } | null = null;
  readonly log: (msg: string) => void;

  constructor(private readonly options: JobContextOptions = {}) {
    this.log = options.log ?? (() => {});
  }

  async loadModel(modelRef: string, weightProcessing: WeightProcessingRequest = 'tl'): Promise<LoadedModel> {
    const key = `${modelRef}\u0000${JSON.stringify(weightProcessing)}`;
    if (this.model?.key !== key) {
      const previous = this.model;
      const previousPair = this.pair;
      this.pair = null;
      const loaded = (async () => {
        // Free the previous model's sessions before building the next one's (one model in memory at a time).
        await previous?.loaded.then((m) => m.runner.dispose()).catch(() => {});
        await previousPair?.loaded.then((p) => Promise.all(p.map((m) => m.runner.dispose()))).catch(() => {});
        const resolved = await resolveModel(modelRef);
        const { model, weightProcessing: applied } = prepareModelForRun(resolved.model, weightProcessing, { inPlace: true });
        const { runner, device } = await createWorkerRunner(model, this.log);
        this.options.onDevice?.(device);
        return { ...resolved, model, runner, device, weightProcessing: applied };
      })();
      this.model = { key, loaded };
      loaded.catch(() => {
        if (this.model?.loaded === loaded) this.model = null;
      });
    }
    return this.model!.loaded;
  }

  /**
   * The two models of a model diff (workers/jobs/diff-job.ts), loaded like loadModel's and kept together
   * between the diff's jobs; the single-model slot is freed first (a worker holds one run's or one diff's models).
   */
  async loadModelPair(refA: string, refB: string, weightProcessing: WeightProcessingRequest = 'tl'): Promise<[LoadedModel, LoadedModel]> {
    const key = `${refA}\u0000${refB}\u0000${JSON.stringify(weightProcessing)}`;
    if (this.pair?.key !== key) {
      const previous = this.model;
      const previousPair = this.pair;
      this.model = null;
      const loaded = (async () => {
        await previous?.loaded.then((m) => m.runner.dispose()).catch(() => {});
        await previousPair?.loaded.then((p) => Promise.all(p.map((m) => m.runner.dispose()))).catch(() => {});
        const load = async (ref: string): Promise<LoadedModel> => {
          const resolved = await resolveModel(ref);
          const { model, weightProcessing: applied } = prepareModelForRun(resolved.model, weightProcessing, { inPlace: true });
          const { runner, device } = await createWorkerRunner(model, this.log);
          this.options.onDevice?.(device);
          return { ...resolved, model, runner, device, weightProcessing: applied };
        };
        return [await load(refA), await load(refB)] as [LoadedModel, LoadedModel];
      })();
      this.pair = { key, loaded };
      loaded.catch(() => {
        if (this.pair?.loaded === loaded) this.pair = null;
      });
    }
    return this.pair!.loaded;
  }

  /** The corpus' documents in order, from the database (so every machine reads the same text). */
  async corpusDocuments(slug: string): Promise<string[]> {
    if (this.corpus?.slug !== slug) {
      const documents = getCorpus(slug).then((c) => {
        if (!c) throw new Error(`corpus "${slug}" is not in the database`);
        return c.documents;
      });
      this.corpus = { slug, documents };
      documents.catch(() => {
        if (this.corpus?.documents === documents) this.corpus = null;
      });
    }
    return this.corpus.documents;
  }
}
