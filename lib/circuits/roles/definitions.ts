import type { Citation, CircuitRole, RoleDefinition, RoleVerdict, TaskUsability } from '../types';

/**
 * The circuit roles of the literature, each with its definition, citation and version (pages, docs and the API read
 * these), and the thresholds the detectors compare with. Effects are normalised path-patching or patching effects
 * (−1: the path carries the whole clean − corrupted difference); attention is the mean attention weight between the
 * named positions over the task's clean prompts.
 */
export const ROLE_THRESHOLDS = {
  /** |normalised effect| a path must reach. */
  effect: 0.1,
  /** Mean attention weight to the named position. */
  attention: 0.2,
  /** Share of tokens whose own token ranks in the top 5 % (copy-suppression OV and QK tests). */
  tokenShare: 0.5,
  /** Average indirect effect (function-vector and translation heads, normalised). */
  aie: 0.1,
} as const;

const IOI: Citation = { text: 'Wang et al. 2022, Interpretability in the Wild (IOI)', url: 'https://arxiv.org/abs/2211.00593' };
const CS: Citation = {
  text: 'McDougall et al. 2023, Copy Suppression: Comprehensively Understanding an Attention Head',
  url: 'https://arxiv.org/abs/2310.04625',
};
const CONTRASTIVE: Citation = {
  text: 'Adhikari 2025, arXiv:2510.25013 (additive + contrastive IOI circuits in small trained models)',
  url: 'https://arxiv.org/abs/2510.25013',
};
const FV: Citation = { text: 'Todd et al. 2023, Function Vectors in Large Language Models', url: 'https://arxiv.org/abs/2310.15213' };
const FACT: Citation = {
  text: 'Geva et al. 2023, Dissecting Recall of Factual Associations in Auto-Regressive Language Models',
  url: 'https://arxiv.org/abs/2304.14767',
};
const INDUCTION: Citation = {
  text: 'Olsson et al. 2022, In-context Learning and Induction Heads',
  url: 'https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html',
};

const def = (
  role: CircuitRole,
  title: string,
  definition: string,
  citation: Citation,
  tasks: RoleDefinition['tasks'],
  version = 1,
): RoleDefinition => ({ role, title, definition, citation, version, tasks });

export const ROLE_DEFINITIONS: Record<CircuitRole, RoleDefinition> = {
  name_mover: def(
    'name_mover',
    'Name mover',
    'IOI: the direct path from the head to the logits carries the answer (path-patching effect ≤ −0.1) and the head attends from END to IO (≥ 0.2, more than to S).',
    IOI,
    ['ioi'],
  ),
  negative_name_mover: def(
    'negative_name_mover',
    'Negative name mover',
    'IOI: the head attends from END to IO (≥ 0.2, more than to S) and its direct path works against the answer (effect ≥ +0.1).',
    IOI,
    ['ioi'],
  ),
  backup_name_mover: def(
    'backup_name_mover',
    'Backup name mover',
    "IOI: not a name mover, but with the name movers' outputs zero-ablated its direct effect grows toward the answer by ≥ 0.1 (of the clean − corrupted difference) while it attends to IO.",
    IOI,
    ['ioi'],
  ),
  s_inhibition: def(
    's_inhibition',
    'S-inhibition',
    "IOI: corrupting the path from the head to the name movers' queries lowers the logit difference (effect ≤ −0.1), and the head attends from END to S2 (≥ 0.2, more than to IO).",
    IOI,
    ['ioi'],
  ),
  duplicate_token_ioi: def(
    'duplicate_token_ioi',
    'Duplicate-token head (IOI)',
    "IOI: the path from the head to the S-inhibition heads' query, key or value carries the answer (effect ≤ −0.1) and it attends from S2 to S1 (≥ 0.2).",
    IOI,
    ['ioi'],
  ),
  induction_ioi: def(
    'induction_ioi',
    'Induction head (IOI)',
    "IOI: the path from the head to the S-inhibition heads' query, key or value carries the answer (effect ≤ −0.1) and it attends from S2 to the token after S1 (≥ 0.2).",
    IOI,
    ['ioi'],
  ),
  copy_suppression: def(
    'copy_suppression',
    'Copy suppression',
    "Weights, on effective embeddings (the token's embedding through block 0 attending only to itself, no positional embedding — McDougall's W_E + MLP0), over the tokens the usable tasks predict: OV — for ≥ 50 % of the test tokens the head's output lowers the token's own logit more than 95 % of the others'; QK — with the token's unembedding as the query, the token's own key ranks in the top 5 % for ≥ 50 % of tokens. Confirmed when, on IOI, its direct path works against the predicted answer.",
    CS,
    ['ioi'],
    // 2: effective embeddings without the positional embedding; test tokens = what the usable tasks predict.
    2,
  ),
  s_suppression: def(
    's_suppression',
    'S-suppression (copy suppression of S)',
    "IOI: the head attends from END to S2 (≥ 0.2, more than to IO), its direct path carries the answer (effect ≤ −0.1) by lowering S, and its OV circuit suppresses the token it reads (McDougall et al.'s OV test on effective embeddings, ≥ 50 % of the test tokens). The contrastive head of additive + contrastive IOI circuits; copy suppression as well only where its QK test also passes.",
    CONTRASTIVE,
    ['ioi'],
  ),
  function_vector: def(
    'function_vector',
    'Function-vector head',
    "Few-shot tasks: patching the head's clean output at the last token into the shuffled-label prompt restores the answer by ≥ 0.1 of the clean − corrupted difference, averaged over the usable ICL tasks (average indirect effect).",
    FV,
    ['icl_antonym', 'icl_country_capital', 'icl_english_french'],
  ),
  translation: def(
    'translation',
    'Translation head',
    "English → French few-shot task: the head's average indirect effect at the last token is ≥ 0.1.",
    FV,
    ['icl_english_french'],
  ),
  fact_mover: def(
    'fact_mover',
    'Fact mover',
    'Factual recall: the direct path from the head to the logits carries the answer (effect ≤ −0.1) and it attends from the last token to the subject (≥ 0.2).',
    FACT,
    ['factual_recall'],
  ),
  classic_induction: def(
    'classic_induction',
    'Induction head (K-composition)',
    "Repeated random tokens: an induction head (patching its output at the last token restores ≥ 0.1, attention to the earlier copy's next token ≥ 0.2) whose keys depend on a previous-token head: corrupting that head's path to the keys has effect ≤ −0.1.",
    INDUCTION,
    ['induction'],
  ),
  pointer_arithmetic_induction: def(
    'pointer_arithmetic_induction',
    'Induction head (positional keys)',
    'An induction head whose keys do not depend on any previous-token head but on position: removing the positional embedding from its key input costs ≥ 0.1 of the effect (learned positions only; rotary models are untestable).',
    INDUCTION,
    ['induction'],
  ),
};

/** A verdict with its registry fields. */
export function verdict(
  role: CircuitRole,
  layer: number,
  head: number,
  fields: Pick<RoleVerdict, 'score' | 'threshold' | 'verdict' | 'reason' | 'confirmation' | 'task'>,
): RoleVerdict {
  const d = ROLE_DEFINITIONS[role];
  return { role, layer, head, ...fields, definition: d.definition, citation: d.citation, version: d.version };
}

/** Every head "untestable" for a role, with the task's reason: a model that cannot do the task gets no false "no". */
export function untestableAll(role: CircuitRole, nLayers: number, nHeads: number, usability: TaskUsability | string): RoleVerdict[] {
  const reason =
    typeof usability === 'string' ? usability : usability.status === 'untestable' ? `untestable on this model: ${usability.detail}` : '';
  const task = typeof usability === 'string' ? ROLE_DEFINITIONS[role].tasks[0] : usability.task;
  const out: RoleVerdict[] = [];
  for (let l = 0; l < nLayers; l++)
    for (let h = 0; h < nHeads; h++)
      out.push(
        verdict(role, l, h, {
          score: NaN,
          threshold: NaN,
          verdict: 'untestable',
          reason,
          confirmation: { method: 'none', effect: null, confirmed: null },
          task,
        }),
      );
  return out;
}
