/**
 * "In the literature": what published work says this head does (lib/literature/heads.ts), each claim with its
 * citation and the wiki's own verdict beside it — agrees, disagrees or untestable here — from this run's roles
 * and labels (lib/literature/verdict.ts).
 */
import type { JudgedClaim } from '@/lib/literature/verdict';

const VERDICT_TEXT = { agrees: 'agrees', disagrees: 'disagrees', untestable: 'untestable here' } as const;

export function LiteratureSection({ claims }: { claims: JudgedClaim[] }) {
  return (
    <ul className="literature" data-testid="head-literature">
      {claims.map((c) => (
        <li key={`${c.role}|${c.citation.url}`} data-verdict={c.verdict}>
          <strong>{c.role}</strong> — <a href={c.citation.url}>{c.citation.text}</a> ({c.where}). This wiki:{' '}
          <strong data-testid="literature-verdict">{VERDICT_TEXT[c.verdict]}</strong> <span className="small muted">({c.because})</span>
        </li>
      ))}
    </ul>
  );
}
