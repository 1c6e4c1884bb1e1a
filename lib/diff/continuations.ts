import type { ContinuationPair, DiffModel } from './types';

/**
 * Greedy continuations (temperature 0: the arg-max token, lowest id on ties) of the same prompts by both models,
 * side by side (open problem 6.53). Prompts are decoded together: one forward per new token for all of them,
 * right-padded (causal attention: padding after a row's last token never changes it). No KV cache: each step
 * runs the whole prefix, which for a few dozen tokens costs less than building a cache graph.
 */
export async function computeContinuations(
  a: DiffModel,
  b: DiffModel,
  prompts: string[],
  opts: { maxNewTokens?: number } = {},
): Promise<ContinuationPair[]> {
  const maxNewTokens = opts.maxNewTokens ?? 32;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0 || maxNewTokens > 512)
    throw new Error(`maxNewTokens must be an integer in 0..512, got ${maxNewTokens}`);
  const [ga, gb] = [await greedy(a, prompts, maxNewTokens), await greedy(b, prompts, maxNewTokens)];
  return prompts.map((prompt, i) => ({ prompt, maxNewTokens, a: ga[i], b: gb[i] }));
}

export async function greedy(
  m: DiffModel,
  prompts: string[],
  maxNewTokens: number,
): Promise<Array<{ text: string; tokens: number[]; stoppedAtEos: boolean }>> {
  const { n_ctx: nCtx, eos_token_id: eos } = m.model.cfg;
  const rows = prompts.map((p) => {
    const ids = m.tokenizer.encode(p, { bos: true });
    // Keep the end of a prompt longer than the context (and room for one new token).
    const prompt = ids.length > nCtx - 1 ? [ids[0], ...ids.slice(ids.length - (nCtx - 2))] : ids;
    return { prompt, generated: [] as number[], done: maxNewTokens === 0 || prompt.length >= nCtx };
  });
  for (let step = 0; step < maxNewTokens; step++) {
    const active = rows.filter((r) => !r.done);
    if (active.length === 0) break;
    const seqs = active.map((r) => [...r.prompt, ...r.generated]);
    const seqLen = Math.max(...seqs.map((s) => s.length));
    const padded = seqs.map((s) => [...s, ...new Array(seqLen - s.length).fill(m.tokenizer.bosId)]);
    const logits = (await m.runner.run(padded, ['logits'])).get('logits')!;
    const vocab = logits.shape[2];
    active.forEach((r, i) => {
      const base = (i * seqLen + seqs[i].length - 1) * vocab;
      let best = 0;
      for (let v = 1; v < m.model.cfg.d_vocab; v++) if (logits.data[base + v] > logits.data[base + best]) best = v;
      r.generated.push(best);
      if (best === eos || seqs[i].length + 1 >= nCtx) r.done = true;
    });
  }
  return rows.map((r) => {
    const stoppedAtEos = r.generated[r.generated.length - 1] === eos;
    const shown = stoppedAtEos ? r.generated.slice(0, -1) : r.generated;
    return { text: m.tokenizer.decode(shown), tokens: r.generated, stoppedAtEos };
  });
}
