/**
 * Heads named in published work, per model, each with its citation: what head pages show as "in the literature",
 * beside the wiki's own measured verdict (lib/literature/verdict.ts). Only claims checked against the papers (or
 * their code release) are listed; a head is listed once per role. Model keys are headwiki's model slugs.
 */
import { z } from 'zod';
import type { CircuitRole } from '@/lib/circuits/types';

export interface LiteratureCitation {
  text: string;
  url: string;
}

/** What the wiki measures to check the claim: a circuit role (lib/circuits) or a head label (lib/metrics/causal). */
export type LiteratureCheck =
  { kind: 'role'; role: CircuitRole } | { kind: 'label'; label: 'previous_token' | 'induction' | 'duplicate_token' };

export interface LiteratureClaim {
  model: string;
  layer: number;
  head: number;
  /** The role as the paper names it. */
  role: string;
  check: LiteratureCheck;
  citation: LiteratureCitation;
  /** Where in the paper, in words. */
  where: string;
}

export const WANG_2022: LiteratureCitation = {
  text: 'Wang et al. 2022, Interpretability in the Wild: a Circuit for Indirect Object Identification in GPT-2 small',
  url: 'https://arxiv.org/abs/2211.00593',
};
export const MCDOUGALL_2023: LiteratureCitation = {
  text: 'McDougall et al. 2023, Copy Suppression: Comprehensively Understanding an Attention Head',
  url: 'https://arxiv.org/abs/2310.04625',
};

type Group = { role: string; check: LiteratureCheck; heads: [number, number][]; citation: LiteratureCitation; where: string };

const IOI_WHERE = "the IOI circuit (Figure 2 and the paper's code release)";
const GPT2_SMALL: Group[] = [
  {
    role: 'name mover',
    check: { kind: 'role', role: 'name_mover' },
    heads: [
      [9, 9],
      [9, 6],
      [10, 0],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'negative name mover',
    check: { kind: 'role', role: 'negative_name_mover' },
    heads: [
      [10, 7],
      [11, 10],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'backup name mover',
    check: { kind: 'role', role: 'backup_name_mover' },
    heads: [
      [9, 0],
      [9, 7],
      [10, 1],
      [10, 2],
      [10, 6],
      [10, 10],
      [11, 2],
      [11, 9],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'S-inhibition',
    check: { kind: 'role', role: 's_inhibition' },
    heads: [
      [7, 3],
      [7, 9],
      [8, 6],
      [8, 10],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'induction (in the IOI circuit)',
    check: { kind: 'role', role: 'induction_ioi' },
    heads: [
      [5, 5],
      [5, 8],
      [5, 9],
      [6, 9],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'duplicate token (in the IOI circuit)',
    check: { kind: 'role', role: 'duplicate_token_ioi' },
    heads: [
      [0, 1],
      [0, 10],
      [3, 0],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'previous token (in the IOI circuit)',
    check: { kind: 'label', label: 'previous_token' },
    heads: [
      [2, 2],
      [4, 11],
    ],
    citation: WANG_2022,
    where: IOI_WHERE,
  },
  {
    role: 'copy suppression',
    check: { kind: 'role', role: 'copy_suppression' },
    heads: [[10, 7]],
    citation: MCDOUGALL_2023,
    where: 'the paper studies L10H7 throughout',
  },
  {
    role: 'copy suppression (weaker)',
    check: { kind: 'role', role: 'copy_suppression' },
    heads: [[11, 10]],
    citation: MCDOUGALL_2023,
    where: 'L11H10 performs copy suppression too, to a lesser extent than L10H7 (the paper and its summary post)',
  },
];

function expand(model: string, groups: Group[]): LiteratureClaim[] {
  return groups.flatMap((g) =>
    g.heads.map(([layer, head]) => ({ model, layer, head, role: g.role, check: g.check, citation: g.citation, where: g.where })),
  );
}

const claimSchema = z.object({
  model: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  layer: z.number().int().min(0),
  head: z.number().int().min(0),
  role: z.string().min(1),
  check: z.union([
    z.object({ kind: z.literal('role'), role: z.string().regex(/^[a-z_]+$/) }),
    z.object({ kind: z.literal('label'), label: z.enum(['previous_token', 'induction', 'duplicate_token']) }),
  ]),
  citation: z.object({ text: z.string().min(1), url: z.string().url() }),
  where: z.string().min(1),
});

/** Every claim, validated when the module loads: a malformed entry fails at start-up and in the tests, never on a page. */
export const LITERATURE: readonly LiteratureClaim[] = validateClaims(expand('gpt2-small', GPT2_SMALL));

export function validateClaims(claims: LiteratureClaim[]): LiteratureClaim[] {
  const seen = new Set<string>();
  for (const c of claims) {
    const parsed = claimSchema.safeParse(c);
    if (!parsed.success) throw new Error(`literature claim ${c.model} L${c.layer}H${c.head} ${c.role}: ${parsed.error.issues[0].message}`);
    const key = `${c.model}/${c.layer}.${c.head}/${c.role}`;
    if (seen.has(key)) throw new Error(`literature claim ${key} is listed twice`);
    seen.add(key);
  }
  return claims;
}

/** The claims about one head of one model. */
export function literatureFor(
  model: string,
  layer: number,
  head: number,
  claims: readonly LiteratureClaim[] = LITERATURE,
): LiteratureClaim[] {
  return claims.filter((c) => c.model === model && c.layer === layer && c.head === head);
}

/** Models the literature file names. */
export function literatureModels(claims: readonly LiteratureClaim[] = LITERATURE): string[] {
  return [...new Set(claims.map((c) => c.model))];
}
