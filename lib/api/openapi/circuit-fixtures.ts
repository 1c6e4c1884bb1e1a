/**
 * Circuits of the contract tests' fixture runs (and of page tests): one usable IOI task with a small circuit,
 * one task untestable for the tokenizer, and role verdicts of a few heads. Hand-written data in the shapes
 * lib/circuits returns; nothing here is computed.
 */
import type { CircuitTaskRecord, HeadRoleRecord } from '@/lib/db/circuits';

const CITATION = { text: 'Wang et al. 2022, Interpretability in the Wild', url: 'https://arxiv.org/abs/2211.00593' };

export function fixtureCircuitTasks(nLayers: number, nHeads: number): CircuitTaskRecord[] {
  const performance = { cleanMetric: 3.2, corruptedMetric: 0.1, accuracy: 0.97, minAccuracy: 0.8, minGap: 0.5, forwardPasses: 2 };
  const grid = Array.from({ length: nLayers * nHeads }, (_, i) => (i === nHeads + 1 ? 0.8 : i === 0 ? -0.3 : 0.01));
  return [
    {
      task: 'ioi',
      kind: 'ioi',
      description: 'Indirect object identification: "When Mary and John went to the store, John gave a drink to" → " Mary".',
      citation: CITATION,
      metric: 'logit_diff',
      version: 1,
      usability: { status: 'usable', task: 'ioi', performance },
      examples: [
        {
          clean: 'When Mary and John went to the store, John gave a drink to',
          corrupted: 'When Alice and Bob went to the store, Tom gave a drink to',
          answer: ' Mary',
          wrong: ' John',
          tokens: ['<s>', 'When', ' Mary'],
        },
      ],
      sweeps: [
        {
          task: 'ioi',
          site: 'head_out',
          axes: ['layer', 'head'],
          shape: [nLayers, nHeads],
          effects: grid,
          metrics: grid.map((e) => 0.1 + 3.1 * e),
          cleanMetric: 3.2,
          corruptedMetric: 0.1,
          metric: 'logit_diff',
          forwardPasses: 2,
          rows: nLayers * nHeads,
          naiveForwardPasses: nLayers * nHeads * 8,
        },
      ],
      pathPatching: [
        {
          task: 'ioi',
          receiver: { kind: 'logits' },
          effects: Array.from({ length: nLayers }, (_, l) => Array.from({ length: nHeads }, (_, h) => (l === 1 && h === 1 ? -0.7 : 0))),
          cleanMetric: 3.2,
          corruptedMetric: 0.1,
          forwardPasses: 2,
          naiveForwardPasses: nLayers * nHeads * 8,
        },
      ],
      circuit: {
        task: { kind: 'ioi', name: 'ioi', version: 1 },
        method: 'acdc',
        metric: 'logit_diff',
        threshold: 0.05,
        nodes: [
          { id: 'embed', kind: 'embed', layer: null, head: null },
          { id: 'L0H0', kind: 'head', layer: 0, head: 0 },
          { id: 'L1H1', kind: 'head', layer: 1, head: 1 },
          { id: 'logits', kind: 'logits', layer: null, head: null },
        ],
        edges: [
          { from: 'embed', to: 'L0H0', channel: 'q', effect: 0.2 },
          { from: 'L0H0', to: 'L1H1', channel: 'q', effect: 0.6 },
          { from: 'embed', to: 'L1H1', channel: 'v', effect: 0.4 },
          { from: 'L1H1', to: 'logits', channel: 'logits', effect: 1.1 },
        ],
        edgesConsidered: 40,
        cleanMetric: 3.2,
        corruptedMetric: 0.1,
        circuitMetric: 2.9,
        forwardPasses: 60,
        version: 1,
      },
    },
    {
      task: 'greater_than',
      kind: 'greater_than',
      description: 'not expressible with this tokenizer: two-digit years are not single tokens',
      citation: null,
      metric: 'prob',
      version: 0,
      usability: {
        status: 'untestable',
        task: 'greater_than',
        reason: 'tokenizer',
        detail: 'two-digit years are not single tokens',
        performance: null,
      },
      examples: [],
      sweeps: [],
      pathPatching: [],
      circuit: null,
    },
  ];
}

export function fixtureHeadRoles(): HeadRoleRecord[] {
  const base = {
    definition: 'Attends from END to the indirect object and copies it (Wang et al. 2022).',
    citation: CITATION,
    version: 1,
    task: 'ioi',
    threshold: 0.3,
  };
  return [
    {
      ...base,
      role: 'name_mover',
      layer: 1,
      head: 1,
      verdict: 'yes',
      score: 0.8,
      reason: 'attends to IO 0.8, copies it',
      confirmation: { method: 'path patching to logits', effect: -0.7, confirmed: true },
    },
    {
      ...base,
      role: 'name_mover',
      layer: 0,
      head: 0,
      verdict: 'no',
      score: 0.05,
      reason: 'attends to IO 0.05',
      confirmation: { method: 'path patching to logits', effect: 0, confirmed: false },
    },
    {
      ...base,
      role: 's_inhibition',
      layer: 0,
      head: 0,
      verdict: 'yes',
      score: 0.6,
      reason: 'attends to S2; its output moves name movers’ queries',
      confirmation: { method: 'path patching to q', effect: 0.5, confirmed: true },
    },
    {
      ...base,
      role: 'fact_mover',
      layer: 1,
      head: 1,
      task: 'factual_recall',
      verdict: 'untestable',
      score: null,
      reason: 'the model does not perform factual recall',
      confirmation: { method: 'attention knockout', effect: null, confirmed: null },
    },
  ];
}
