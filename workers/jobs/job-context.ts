/**
 * What a worker keeps between jobs: loaded models with their onnxruntime runner, and corpora read from
 * the database. One model at a time (a worker usually works through one run), so memory stays bounded.
 */
import { getCorpus } from '@/lib/db/corpora';
import type { OnnxRunner } from '@/lib/engine/onnx-runner';
import { resolveModel, type ResolvedModel } from '@/lib/models/registry';
import { createWorkerRunner } from '../execution-device';

export interface LoadedModel extends ResolvedModel {
  runner: OnnxRunner;
  device: string;
}

export class JobContext {
  private model: { ref: string; loaded: Promise<LoadedModel> } | null = null;
  private corpus: { slug: string; documents: Promise<string[]> } | null = null;

  constructor(private readonly log: (msg: string) => void = () => {}) {}

  async loadModel(modelRef: string): Promise<LoadedModel> {
    if (this.model?.ref !== modelRef) {
      const loaded = (async () => {
        const resolved = await resolveModel(modelRef);
        const { runner, device } = await createWorkerRunner(resolved.model, this.log);
        return { ...resolved, runner, device };
      })();
      this.model = { ref: modelRef, loaded };
      loaded.catch(() => {
        if (this.model?.loaded === loaded) this.model = null;
      });
    }
    return this.model.loaded;
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
