/**
 * `npx tsx scripts/dev/model-zoo-check.ts`: the model-zoo figures on this machine, from the team's shared data
 * (../shared/data): gelu-2l (Hugging Face GPT-2 layout) load time and logits vs its reference.json through both
 * forwards, and the 46-case tokenizer suites (GPT-2 from vocab.json + merges.txt, Llama-2 through llama2.c's encoder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { ReferenceRunner } from '@/lib/engine/reference';
import { loadHfFolder } from '@/lib/models/hf/load-hf-folder';
import { resolveModel } from '@/lib/models/registry';
import { sharedDataPath } from '../testing/shared-data';
import { readVocabTests } from '@/lib/testing/vocab-tests';
import { loadGpt2Tokenizer } from '@/lib/tokenizers/gpt2-bpe';
import { loadLlama2cTokenizer } from '@/lib/tokenizers/llama2c';
import type { Tensor } from '@/lib/models/types';

const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;

function compare(logits: Tensor, reference: { last_logits: number[]; argmax_per_position: number[] }): string {
  const [, P, V] = logits.shape;
  let worst = 0;
  for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(logits.data[(P - 1) * V + v] - reference.last_logits[v]));
  const argmax = Array.from({ length: P }, (_, p) => {
    const row = logits.data.subarray(p * V, (p + 1) * V);
    return row.indexOf(Math.max(...row));
  });
  const same = argmax.filter((a, p) => a === reference.argmax_per_position[p]).length;
  return `max |Δ last logits| ${worst.toExponential(2)}, argmax ${same}/${P} positions`;
}

const dir = sharedDataPath('models/gelu-2l');
let t0 = performance.now();
const model = await loadHfFolder(dir);
console.log(`gelu-2l weights load (loadHfFolder): ${ms(t0)}`);
t0 = performance.now();
await resolveModel(dir);
console.log(`gelu-2l weights + tokenizer (resolveModel): ${ms(t0)}`);
const reference = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
const onnx = new OnnxRunner(model);
t0 = performance.now();
console.log(
  `gelu-2l ONNX vs reference.json: ${compare((await onnx.run([reference.token_ids], ['logits'])).get('logits')!, reference)} (first run incl. session ${ms(t0)})`,
);
await onnx.dispose();
console.log(
  `gelu-2l plain-TS reference vs reference.json: ${compare((await new ReferenceRunner(model).run([reference.token_ids], ['logits'])).get('logits')!, reference)}`,
);

const gpt2Dir = sharedDataPath('tokenizers/gpt2');
t0 = performance.now();
const gpt2 = await loadGpt2Tokenizer(gpt2Dir);
const gpt2Cases = readVocabTests(path.join(gpt2Dir, 'tokenizer-tests'), 'ggml-vocab-gpt-2');
const gpt2Pass = gpt2Cases.filter(({ text, ids }) => gpt2.encode(text).join(' ') === ids.join(' ')).length;
console.log(`GPT-2 BPE (vocab.json + merges.txt, load ${ms(t0)}): ${gpt2Pass}/${gpt2Cases.length} cases`);
const llamaDir = sharedDataPath('tokenizers/llama2');
const llama = await loadLlama2cTokenizer(path.join(llamaDir, 'tokenizer.bin'));
const llamaCases = readVocabTests(path.join(llamaDir, 'tokenizer-tests'), 'ggml-vocab-llama-spm');
const llamaPass = llamaCases.filter(({ text, ids }) => llama.encode(text).join(' ') === ids.join(' ')).length;
console.log(`Llama-2 SentencePiece BPE (tokenizer.bin): ${llamaPass}/${llamaCases.length} cases`);
