/**
 * A task's circuit page (`/models/{model}/circuits/{task}`, pinned twin under /runs): whether the model performs
 * the task (the usability check every role rests on), the circuit automatic discovery found, drawn as a graph,
 * the heads' roles in it, and the activation / path patching heatmaps — each server-rendered, so the page reads
 * without JavaScript. Unknown models, runs and tasks are 404s.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { modelSlugSchema, runIdSchema } from '@/lib/api/params';
import { resolveModelRun } from '@/lib/api/resolve-run';
import { apiCircuitPath, circuitPath, circuitsPath, roleShort, roleTitle } from '@/lib/api/circuit-roles-view';
import { getCircuitTask, getHeadRoles, taskNameSchema } from '@/lib/db/circuits';
import { headName } from '@/lib/format/head-name';
import { headPath, modelPath } from '@/lib/format/paths';
import { Breadcrumbs } from '../Breadcrumbs';
import { CiteThis } from '../CiteThis';
import { CircuitGraph } from './CircuitGraph';
import { SweepGrids } from './SweepGrids';
import { UsabilityLine } from './UsabilityLine';

export async function CircuitPage({ modelSlug, runId, task: taskParam }: { modelSlug: string; runId?: string; task: string }) {
  if (!modelSlugSchema.safeParse(modelSlug).success) notFound();
  if (runId !== undefined && !runIdSchema.safeParse(runId).success) notFound();
  if (!taskNameSchema.safeParse(taskParam).success) notFound();
  const resolved = await resolveModelRun(modelSlug, runId);
  if (resolved.status !== 'ok') notFound();
  const { model, run, pinned } = resolved;
  const task = await getCircuitTask(run.id, taskParam);
  if (!task) notFound();
  const pageRun = pinned ? run.id : undefined;
  const roles = (await getHeadRoles(run.id)).filter((r) => r.task === task.task);
  const found = roles.filter((r) => r.verdict === 'yes');
  const rolesOf = (layer: number, head: number) => found.filter((r) => r.layer === layer && r.head === head).map((r) => roleShort(r.role));
  const byRole = new Map<string, typeof found>();
  for (const r of found) byRole.set(r.role, [...(byRole.get(r.role) ?? []), r]);
  const circuit = task.circuit;
  const notes = ((run.options.circuits as { notes?: string[] } | undefined)?.notes ?? []).filter((n) => typeof n === 'string');

  return (
    <>
      <Breadcrumbs
        items={[
          { label: 'Models', href: '/models' },
          { label: model.displayName, href: modelPath(model.slug, pageRun) },
          { label: 'Circuits', href: circuitsPath(model.slug, pageRun) },
          { label: task.task },
        ]}
      />
      <h1 data-testid="circuit-title">
        {model.displayName}: the {task.task} circuit
      </h1>
      <p className="lede">
        {task.description}
        {task.citation ? (
          <>
            {' '}
            (<a href={task.citation.url}>{task.citation.text}</a>)
          </>
        ) : null}
      </p>
      {/* From ~1,100 px the graph takes the left column, usability and roles the right one (globals.css: .circuit-layout);
          narrower, the same sections stack in reading order: usability, circuit, roles. */}
      <div className="circuit-layout">
        <div className="circuit-usability">
          <UsabilityLine usability={task.usability} metric={task.metric} />
        </div>

        <section className="circuit-graph-section" aria-labelledby="circuit">
          <h2 id="circuit">Circuit</h2>
          {circuit ? (
            <>
              <p className="prose small">
                Found by automatic discovery ({circuit.method.toUpperCase()}-style edge pruning, Conmy et al. 2023): of{' '}
                {circuit.edgesConsidered} edges, the {circuit.edges.length} whose removal moved the {circuit.metric.replace('_', ' ')} by at
                least τ = {circuit.threshold} are kept. Clean {circuit.cleanMetric.toFixed(3)}, corrupted{' '}
                {circuit.corruptedMetric.toFixed(3)}, circuit alone (every other edge corrupted){' '}
                <strong>{circuit.circuitMetric.toFixed(3)}</strong>.
                {circuit.incomplete
                  ? ` Incomplete: discovery stopped after ${circuit.incomplete.receiversDone} of ${circuit.incomplete.receiversTotal} receivers, so edges into the rest were not tested.`
                  : ''}
              </p>
              <CircuitGraph
                circuit={circuit}
                nLayers={model.nLayers}
                headHref={(l, h) => headPath(model.slug, l, h, pageRun)}
                rolesOf={rolesOf}
              />
            </>
          ) : (
            <p className="notice" data-testid="no-circuit">
              No circuit:{' '}
              {task.usability.status === 'usable'
                ? 'discovery did not run on this task in this run.'
                : 'the model does not perform this task (above), so there is nothing to explain.'}
            </p>
          )}
        </section>

        <section className="circuit-roles-section" aria-labelledby="roles">
          <h2 id="roles">Roles in this task</h2>
          {found.length === 0 ? (
            <p className="notice">
              {task.usability.status === 'usable'
                ? 'No head passed a role test on this task.'
                : 'Every role on this task is untestable on this model.'}
            </p>
          ) : (
            <table className="data-table compact" data-testid="circuit-roles">
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Heads (score)</th>
                </tr>
              </thead>
              <tbody>
                {[...byRole].map(([role, rs]) => (
                  <tr key={role}>
                    <td title={rs[0].definition}>{roleTitle(role)}</td>
                    <td>
                      {rs.map((r, i) => (
                        <span key={`${r.layer}.${r.head}`}>
                          {i > 0 ? ', ' : ''}
                          <Link href={headPath(model.slug, r.layer, r.head, pageRun)}>{headName(r.layer, r.head)}</Link> (
                          {r.score?.toFixed(2) ?? '—'})
                        </span>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {notes.length > 0 ? (
            <ul className="prose small" data-testid="circuit-notes">
              {notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
        </section>
      </div>

      <h2 id="patching">Patching</h2>
      <SweepGrids task={task} nHeads={model.nHeads} headHref={(l, h) => headPath(model.slug, l, h, pageRun)} />

      {task.examples.length > 0 ? (
        <>
          <h2 id="prompts">Prompts</h2>
          <table className="data-table compact" data-testid="circuit-prompts">
            <thead>
              <tr>
                <th scope="col">Clean</th>
                <th scope="col">Corrupted</th>
                <th scope="col">Answer / wrong</th>
              </tr>
            </thead>
            <tbody>
              {task.examples.map((e) => (
                <tr key={`${e.clean}|${e.corrupted}`}>
                  <td>{e.clean}</td>
                  <td>{e.corrupted}</td>
                  <td>
                    <code>{e.answer}</code> / <code>{e.wrong}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}

      <p className="small">
        Run <code>{run.id}</code>
        {pinned ? ' (pinned)' : ' (latest)'} · <a href={apiCircuitPath(model.slug, task.task, run.id)}>JSON export</a> ·{' '}
        <Link href={circuitsPath(model.slug, pageRun)}>All tasks of {model.displayName}</Link>
      </p>
      <CiteThis title={`${model.displayName} ${task.task} circuit`} pinnedPath={circuitPath(model.slug, task.task, run.id)} run={run} />
    </>
  );
}
