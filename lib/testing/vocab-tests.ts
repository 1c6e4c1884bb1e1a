import fs from 'node:fs';
import path from 'node:path';

/** llama.cpp's tokenizer test format: cases separated by a marker line in `.inp`, one line of ids per case in `.out`. */
export function readVocabTests(dir: string, name: string): Array<{ text: string; ids: number[] }> {
  const marker = '\n__ggml_vocab_test__\n';
  const inputs = fs.readFileSync(path.join(dir, `${name}.inp`), 'utf8').split(marker);
  if (inputs[inputs.length - 1] === '') inputs.pop(); // the file ends with a marker
  const outputs = fs.readFileSync(path.join(dir, `${name}.out`), 'utf8').split('\n');
  if (outputs[outputs.length - 1] === '') outputs.pop();
  if (outputs.length !== inputs.length) throw new Error(`${name}: ${inputs.length} inputs but ${outputs.length} outputs`);
  return inputs.map((text, i) => ({ text, ids: outputs[i].trim() === '' ? [] : outputs[i].trim().split(/\s+/).map(Number) }));
}
