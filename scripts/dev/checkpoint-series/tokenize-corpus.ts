/**
 * Dev helper for train.py: encodes a corpus with the bundled 512-token tokenizer (the one the series' model
 * uses) and writes the ids as little-endian uint16, one BOS before each paragraph.
 * Usage: npx tsx scripts/dev/checkpoint-series/tokenize-corpus.ts <corpus.txt> <out.u16>
 */
import fs from 'node:fs';
import { loadLlama2cTokenizer } from '../../../lib/tokenizers/llama2c';

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: tokenize-corpus.ts <corpus.txt> <out.u16>');
  const tokenizer = await loadLlama2cTokenizer('data/models/stories260K/tok512.bin', { collapseSpaces: true });
  const ids: number[] = [];
  for (const paragraph of fs.readFileSync(input, 'utf8').split(/\n\s*\n/)) {
    if (paragraph.trim()) ids.push(...tokenizer.encode(paragraph.trim(), { bos: true }));
  }
  fs.writeFileSync(output, Buffer.from(Uint16Array.from(ids).buffer));
  console.log(`${ids.length} tokens → ${output}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
