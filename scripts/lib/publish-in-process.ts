import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { weightPrecision } from '@/lib/engine/precision';
import type { RunInfo } from '@/lib/db/runs';
import { resolveModel } from '@/lib/models/registry';
import { codeVersion } from '@/workers/code-version';
import { publishHeadWiki } from '@/workers/publish-head-wiki';
import type { RunDefinition } from '@/workers/run-definition';
import { prepareModelForRun } from '@/workers/weight-processing';
import { makeProgressReporter } from './progress';
import { repoRoot } from './paths';

/** Executes a run definition in this process, as one shard (`npm start`, `headwiki publish`), with progress bars. */
export async function publishInProcess(definition: RunDefinition): Promise<RunInfo> {
  const resolved = await resolveModel(definition.modelRef);
  // Processed in place: one copy of the weights however big the model; what was applied is recorded with the run.
  const { model, weightProcessing } = prepareModelForRun(resolved.model, definition.weightProcessing, { inPlace: true });
  const runner = await OnnxRunner.create(model);
  const progress = makeProgressReporter();
  try {
    const run = await publishHeadWiki({
      definition,
      model,
      tokenizer: resolved.tokenizer,
      runner,
      codeVersion: codeVersion(repoRoot),
      options: { engine: 'onnxruntime-node', weightProcessing, weights: weightPrecision(model, runner) },
      onProgress: progress.report,
    });
    progress.finish();
    return run;
  } finally {
    await runner.dispose();
  }
}
