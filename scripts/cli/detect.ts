import { parseArgs } from 'node:util';
import path from 'node:path';
import { resolveModel } from '@/lib/models/registry';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { readDocuments } from '@/workers/corpus-files';
import { detectCustomPattern, parsePatternSpec, PATTERN_SPEC_HELP } from '@/lib/metrics/heads/custom-pattern';
import { repoRoot } from '../lib/paths';

/**
 * `detect --model <name|path> --pattern <rule|JSON matrix> [--text "..."]... [--max-texts N]
 *  [--error-measure mul|abs] [--exclude-bos] [--exclude-current-token] [--top N] [--json]`:
 * scores every head against a user-defined detection pattern (TransformerLens detect_head). Without
 * --text, the first --max-texts (default 20) TinyStories sample documents are used.
 */
export async function detectCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      pattern: { type: 'string' },
      text: { type: 'string', multiple: true },
      'max-texts': { type: 'string', default: '20' },
      'error-measure': { type: 'string', default: 'mul' },
      'exclude-bos': { type: 'boolean', default: false },
      'exclude-current-token': { type: 'boolean', default: false },
      top: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.model) throw new Error('--model is required (a model name such as stories260K, or a checkpoint path)');
  if (!values.pattern) throw new Error(`--pattern is required: ${PATTERN_SPEC_HELP}`);
  const errorMeasure = values['error-measure'];
  if (errorMeasure !== 'mul' && errorMeasure !== 'abs') throw new Error(`--error-measure must be mul or abs; got ${errorMeasure}`);
  const maxTexts = Number(values['max-texts']);
  const top = Number(values.top);
  if (!Number.isInteger(maxTexts) || maxTexts < 1) throw new Error('--max-texts must be a positive integer');
  if (!Number.isInteger(top) || top < 1) throw new Error('--top must be a positive integer');
  const spec = parsePatternSpec(values.pattern);

  const { model, tokenizer } = await resolveModel(values.model);
  const texts = values.text?.length
    ? values.text
    : await readDocuments(path.join(repoRoot, 'data/corpora/tinystories-sample.txt'), maxTexts);
  const runner = new OnnxRunner(model);
  try {
    const options = { errorMeasure, excludeBos: values['exclude-bos']!, excludeCurrentToken: values['exclude-current-token']! } as const;
    const scores = await detectCustomPattern({ runner, cfg: model.cfg, tokenizer, texts, spec, options });
    const heads = scores.flatMap((row, layer) => row.map((score, head) => ({ layer, head, score }))).sort((a, b) => b.score - a.score);
    if (values.json) {
      console.log(JSON.stringify({ model: model.cfg.model_name, pattern: values.pattern, texts: texts.length, options, heads }, null, 2));
    } else {
      console.log(`${model.cfg.model_name}: pattern ${values.pattern}, ${texts.length} text(s), ${errorMeasure}`);
      for (const h of heads.slice(0, top)) console.log(`  L${h.layer}H${h.head}  ${h.score.toFixed(4)}`);
    }
  } finally {
    await runner.dispose();
  }
}
