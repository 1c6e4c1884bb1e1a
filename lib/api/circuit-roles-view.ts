/**
 * Names and short forms of circuit roles for pages and the head table's role columns. The definitions,
 * citations and versions are stored with every verdict (lib/circuits); these are display names only.
 */
import type { CircuitRole } from '@/lib/circuits/types';
import { modelPath } from '@/lib/format/paths';

export const ROLE_TITLES: Record<CircuitRole, { title: string; short: string }> = {
  name_mover: { title: 'Name mover', short: 'NM' },
  negative_name_mover: { title: 'Negative name mover', short: 'NNM' },
  backup_name_mover: { title: 'Backup name mover', short: 'BNM' },
  s_inhibition: { title: 'S-inhibition', short: 'S-inh' },
  duplicate_token_ioi: { title: 'Duplicate token (IOI)', short: 'Dup' },
  induction_ioi: { title: 'Induction (IOI)', short: 'Ind' },
  copy_suppression: { title: 'Copy suppression', short: 'CS' },
  s_suppression: { title: 'S-suppression: copy suppression of S (OV test; attends by position)', short: 'S-sup' },
  function_vector: { title: 'Function vector (few-shot)', short: 'FV' },
  translation: { title: 'Translation', short: 'Tr' },
  fact_mover: { title: 'Fact mover', short: 'Fact' },
  classic_induction: { title: 'Induction: K-composition', short: 'Ind-K' },
  pointer_arithmetic_induction: { title: 'Induction: positional', short: 'Ind-pos' },
};

export function roleTitle(role: string): string {
  return ROLE_TITLES[role as CircuitRole]?.title ?? role.replace(/_/g, ' ');
}

export function roleShort(role: string): string {
  return ROLE_TITLES[role as CircuitRole]?.short ?? role;
}

/** `/models/{m}/circuits` and `/models/{m}/circuits/{task}` (pinned under /runs when runId is given). */
export function circuitsPath(model: string, runId?: string): string {
  return `${modelPath(model, runId)}/circuits`;
}

export function circuitPath(model: string, task: string, runId?: string): string {
  return `${circuitsPath(model, runId)}/${encodeURIComponent(task)}`;
}

export function apiCircuitPath(model: string, task: string, runId?: string): string {
  return `/api/v1/models/${encodeURIComponent(model)}/circuits/${encodeURIComponent(task)}${runId ? `?run=${encodeURIComponent(runId)}` : ''}`;
}
