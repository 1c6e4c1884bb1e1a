/**
 * The head table's role columns (issue 19): one column per circuit role the run measured, one verdict per head.
 * Built on the server from the run's HeadRole rows; the table shows ✓ (yes), – (no) or "n/a" (untestable here).
 */
import type { HeadRoleRecord } from '@/lib/db/circuits';
import { headName } from '@/lib/format/head-name';
import { ROLE_TITLES, roleShort, roleTitle } from './circuit-roles-view';

export interface RoleColumns {
  columns: { role: string; title: string; short: string }[];
  /** head name (`L1H7`) → role → verdict. */
  byHead: Record<string, Record<string, 'yes' | 'no' | 'untestable'>>;
}

export function roleColumns(roles: readonly Pick<HeadRoleRecord, 'layer' | 'head' | 'role' | 'verdict'>[]): RoleColumns {
  const order = Object.keys(ROLE_TITLES);
  const present = [...new Set(roles.map((r) => r.role))].sort(
    (a, b) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1) || a.localeCompare(b),
  );
  const byHead: RoleColumns['byHead'] = {};
  for (const r of roles) (byHead[headName(r.layer, r.head)] ??= {})[r.role] = r.verdict;
  return { columns: present.map((role) => ({ role, title: roleTitle(role), short: roleShort(role) })), byHead };
}
