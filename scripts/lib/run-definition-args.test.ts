import { describe, expect, it } from 'vitest';
import { runsNeurons } from '@/workers/run-definition';
import { TINY_CONFIG } from '@/lib/engine/random-model';
import { NEURON_COMPARISON_CORPUS, runDefinitionFromFlags } from './run-definition-args';

describe('one run definition from the flags of npm start, publish and run', () => {
  it('the defaults: head examples, neurons with the code comparison corpus, TransformerLens processing', async () => {
    const d = await runDefinitionFromFlags({ model: 'stories260K' });
    expect(d).toMatchObject({
      modelRef: 'stories260K',
      maxTexts: 200,
      seed: 0,
      weightProcessing: 'tl',
      headExamples: { maxDocuments: 200 },
    });
    expect(d.corpus.slug).toBe('tinystories-sample');
    expect(d.neurons?.maxDocuments).toBe(300);
    expect(d.neurons?.comparisonCorpora.map((c) => c.slug)).toEqual([NEURON_COMPARISON_CORPUS]);
    expect(d.neurons?.comparisonCorpora[0].documents.length).toBeGreaterThan(0);
  });

  it('0 turns a scan off; the comparison corpus is never the run corpus itself; bad values are errors', async () => {
    const off = await runDefinitionFromFlags({ model: 'm', 'head-example-documents': '0', 'neuron-documents': '0' });
    expect(off.headExamples).toBeNull();
    expect(off.neurons).toBeNull();
    const code = await runDefinitionFromFlags({ model: 'm', corpus: 'data/corpora/python-stdlib-sample.txt' });
    expect(code.neurons?.comparisonCorpora).toEqual([]);
    await expect(runDefinitionFromFlags({ model: 'm', 'neuron-documents': '-1' })).rejects.toThrow(/neuron documents/);
    await expect(runDefinitionFromFlags({ model: 'm', seed: 'x' })).rejects.toThrow(/--seed/);
    await expect(runDefinitionFromFlags({})).rejects.toThrow(/--model/);
  });

  it('circuits are off unless asked for; a bundled corpus by slug keeps its source and license; no comparison on request', async () => {
    expect((await runDefinitionFromFlags({ model: 'm' })).circuits).toBeNull();
    const d = await runDefinitionFromFlags({ model: 'ioi-4l', corpus: 'ioi-sample', 'neuron-comparison': 'none', circuits: '8' });
    expect(d.circuits).toEqual({ promptPairs: 8 });
    expect(d.corpus.slug).toBe('ioi-sample');
    expect(d.corpus.license).not.toMatch(/unknown/);
    expect(d.neurons?.comparisonCorpora).toEqual([]);
    const byPath = await runDefinitionFromFlags({ model: 'm', corpus: 'data/corpora/tinystories-sample.txt' });
    expect(byPath.corpus.source).toMatch(/TinyStories/);
    await expect(runDefinitionFromFlags({ model: 'm', circuits: '-2' })).rejects.toThrow(/circuit prompt pairs/);
  });

  it('an attention-only model runs no neuron scan, whichever path executes the definition', async () => {
    const d = await runDefinitionFromFlags({ model: 'm' });
    expect(runsNeurons(d, TINY_CONFIG)).toBe(true);
    expect(runsNeurons(d, { ...TINY_CONFIG, attn_only: true })).toBe(false);
  });
});
