/**
 * A head's circuit roles (issue 19), each verdict with its task (linking to the task's circuit page), score and
 * threshold, the reason in words, the intervention that confirms it, and its definition's citation.
 */
import Link from 'next/link';
import { circuitPath, roleTitle } from '@/lib/api/circuit-roles-view';
import type { HeadRoleRecord } from '@/lib/db/circuits';

const VERDICT_TEXT = { yes: 'yes', no: 'no', untestable: 'untestable on this model' } as const;

/** Compact near the top of the head page: the roles the head has, one line for the rest, the full table folded. */
export function HeadRolesSection({ roles, modelSlug, pageRun }: { roles: HeadRoleRecord[]; modelSlug: string; pageRun?: string }) {
  if (roles.length === 0) return <p className="notice">This run measured no circuit roles.</p>;
  const yes = roles.filter((r) => r.verdict === 'yes');
  const no = roles.filter((r) => r.verdict === 'no').map((r) => roleTitle(r.role));
  const untestable = roles.filter((r) => r.verdict === 'untestable').map((r) => roleTitle(r.role));
  return (
    <>
      {yes.length > 0 ? <RolesTable roles={yes} modelSlug={modelSlug} pageRun={pageRun} testId="head-roles" /> : null}
      <p className="small" data-testid="head-roles-summary">
        {yes.length === 0 ? 'No circuit role. ' : ''}
        {no.length > 0 ? `Tested and not: ${no.join(', ')}. ` : ''}
        {untestable.length > 0 ? `Untestable on this model (its task is not performed or not expressible): ${untestable.join(', ')}.` : ''}
      </p>
      {no.length + untestable.length > 0 ? (
        <details className="small">
          <summary>Every verdict, with its reason</summary>
          <RolesTable roles={roles} modelSlug={modelSlug} pageRun={pageRun} testId="head-roles-all" />
        </details>
      ) : null}
    </>
  );
}

function RolesTable({
  roles,
  modelSlug,
  pageRun,
  testId,
}: {
  roles: HeadRoleRecord[];
  modelSlug: string;
  pageRun?: string;
  testId: string;
}) {
  const shown = [...roles].sort((a, b) => Number(b.verdict === 'yes') - Number(a.verdict === 'yes') || a.role.localeCompare(b.role));
  return (
    <table className="data-table compact" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">Role</th>
          <th scope="col">Verdict</th>
          <th scope="col">Task</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((r) => (
          <tr key={r.role} data-verdict={r.verdict}>
            <td title={r.definition}>
              {roleTitle(r.role)}{' '}
              <a className="small muted" href={r.citation.url} title={r.citation.text}>
                [source]
              </a>
            </td>
            <td className={r.verdict === 'yes' ? 'role-yes' : undefined}>
              <strong>{VERDICT_TEXT[r.verdict]}</strong>
              {r.score !== null ? (
                <span className="small muted">
                  {' '}
                  · {r.score.toFixed(2)}
                  {r.threshold !== null ? ` vs ${r.threshold}` : ''}
                </span>
              ) : null}
            </td>
            <td>
              <Link href={circuitPath(modelSlug, r.task, pageRun)}>{r.task}</Link>
            </td>
            <td className="small">
              {r.reason}
              {r.confirmation.effect !== null ? ` (${r.confirmation.method}: ${r.confirmation.effect.toFixed(3)})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
