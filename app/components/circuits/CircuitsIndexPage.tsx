/**
 * `/models/{model}/circuits` (pinned twin under /runs): every task the run tried, whether the model performs it,
 * and the size of its circuit; each links to the task's circuit page.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { circuitPath, circuitsPath } from '@/lib/api/circuit-roles-view';
import { listCircuitTasks } from '@/lib/db/circuits';
import { modelPath } from '@/lib/format/paths';
import { Breadcrumbs } from '../Breadcrumbs';
import { CiteThis } from '../CiteThis';

export async function CircuitsIndexPage({ modelSlug, runId }: { modelSlug: string; runId?: string }) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  const pageRun = pinned ? run.id : undefined;
  const tasks = await listCircuitTasks(run.id);
  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug, pageRun) },
          { label: 'Circuits' },
        ]}
      />
      <h1>{model.displayName}: circuits</h1>
      <p className="prose">
        Tasks from the literature, each a set of clean and corrupted prompts. A task is first checked: if the model does not perform it (or
        its tokenizer cannot express it), every role on it is &quot;untestable on this model&quot;, never &quot;no&quot;.
      </p>
      {tasks.length === 0 ? (
        <p className="notice">This run computed no circuits.</p>
      ) : (
        <table className="data-table compact" data-testid="circuit-tasks">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">On this model</th>
              <th scope="col">What it is</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.task}>
                <td>
                  <Link href={circuitPath(model.slug, t.task, pageRun)}>{t.task}</Link>
                </td>
                <td>
                  {t.usability.status === 'usable'
                    ? `performs it (accuracy ${(100 * t.usability.performance.accuracy).toFixed(0)}%)`
                    : `untestable: ${t.usability.reason === 'tokenizer' ? 'tokenizer' : 'not performed'}`}
                </td>
                <td className="small">{t.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CiteThis title={`${model.displayName} circuits`} pinnedPath={circuitsPath(model.slug, run.id)} run={run} />
    </>
  );
}
