import type { Tensor } from '../models/types';

/** A runner that can extend one sequence a few tokens at a time (e.g. ReferenceRunner.startSequence()). */
export interface IncrementalRunner {
  startSequence(): { append(tokens: number[]): Tensor };
}

/**
 * Greedy decoding (temperature 0), as llama2.c's `run -t 0`: feed the prompt, then repeatedly take the
 * argmax of the last position's logits (the first maximum on ties, like llama2.c's sample_argmax).
 * Returns the generated ids only, stopping before any id in `stopAt` (llama2.c stops at BOS).
 */
export function greedyDecode(
  runner: IncrementalRunner,
  prompt: number[],
  maxNewTokens: number,
  opts: { stopAt?: number[] } = {},
): number[] {
  if (prompt.length === 0) throw new Error('greedyDecode: prompt must hold at least one token (e.g. BOS)');
  const stopAt = new Set(opts.stopAt ?? []);
  const sequence = runner.startSequence();
  const generated: number[] = [];
  let logits = sequence.append(prompt);
  for (let step = 0; step < maxNewTokens; step++) {
    const vocab = logits.shape[logits.shape.length - 1];
    const last = logits.data.subarray(logits.data.length - vocab);
    let best = 0;
    for (let i = 1; i < vocab; i++) if (last[i] > last[best]) best = i;
    if (stopAt.has(best)) break;
    generated.push(best);
    if (step + 1 < maxNewTokens) logits = sequence.append([best]);
  }
  return generated;
}
