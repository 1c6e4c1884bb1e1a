// The circuits step on the planted IOI model (lib/testing/planted-circuits.ts) with lib/circuits' real task
// builders, performance check, patching, path patching and discovery: IOI is usable, its circuit is exactly the
// planted one, the tasks the word-level tokenizer cannot express are stored as untestable (tokenizer), and the
// role detectors' verdicts pass through with non-finite scores as null.
import { describe, expect, it } from 'vitest';
import { OnnxRunner } from '@/lib/engine/onnx-runner';
import { buildPlantedIoiModel, PLANTED_IOI_EDGES } from '@/lib/testing/planted-circuits';
import type { RoleReport } from '@/lib/circuits/types';
import { PLANTED_IOI_HEADS } from '@/lib/testing/planted-circuits';
import { computeCircuitWiki, type CircuitComputations } from './compute';
import { circuitComputations } from './computations';

describe('computeCircuitWiki on the planted IOI model', () => {
  it('stores usability, sweeps, path patching, the discovered circuit and role verdicts per task', async () => {
    const { model, tokenizer } = buildPlantedIoiModel();
    const runner = await OnnxRunner.create(model);
    const seen: { discover?: boolean }[] = [];
    // Test-only stand-in for the role detectors: records what the step asks and returns two planted verdicts,
    // one with a NaN score (the step must store it as null).
    const verdict = { definition: 'd', citation: { text: 't', url: 'https://example.org' }, version: 1, task: 'ioi', threshold: 0.5 };
    const computations: CircuitComputations = {
      ...circuitComputations,
      detectRoles: async (_r, _m, _tasks, opts) => {
        seen.push(opts ?? {});
        const report: RoleReport = {
          tasks: [],
          verdicts: [
            {
              ...verdict,
              role: 'name_mover',
              ...PLANTED_IOI_HEADS.nameMovers[0],
              score: 0.9,
              verdict: 'yes',
              reason: 'r',
              confirmation: { method: 'm', effect: 1, confirmed: true },
            },
            {
              ...verdict,
              role: 'fact_mover',
              layer: 0,
              head: 1,
              score: NaN,
              threshold: NaN,
              verdict: 'untestable',
              reason: 'r',
              confirmation: { method: 'm', effect: null, confirmed: null },
            },
          ],
          circuits: [],
          forwardPasses: 5,
          notes: ['a note'],
        };
        return report;
      },
    };
    const wiki = await computeCircuitWiki({ model, tokenizer, runner, seed: 3, promptPairs: 8, computations });
    expect(seen).toEqual([{ discover: false }]);
    const ioi = wiki.tasks.find((t) => t.task === 'ioi')!;
    expect(ioi.usability.status).toBe('usable');
    expect(wiki.notes.usable).toContain('ioi');
    const key = (e: { from: string; to: string; channel: string }) => `${e.from}>${e.to}:${e.channel}`;
    expect(new Set(ioi.circuit!.edges.map(key))).toEqual(new Set(PLANTED_IOI_EDGES.map(key)));
    expect(ioi.sweeps.map((s) => s.axes.join(','))).toEqual(['layer,head', 'layer,head,pos']);
    expect(ioi.sweeps[0].shape).toEqual([4, 3]);
    expect(ioi.pathPatching[0].effects).toHaveLength(4);
    expect(ioi.examples[0].tokens?.length).toBe(ioi.sweeps[1].shape[2]);
    for (const t of wiki.tasks.filter((x) => x.usability.status === 'untestable')) {
      expect(t.circuit).toBeNull();
      expect(t.sweeps).toEqual([]);
    }
    expect(wiki.tasks.length).toBeGreaterThan(1);
    expect(wiki.notes.forwardPasses).toBeGreaterThan(0);
    expect(wiki.roles.map((r) => [r.role, r.layer, r.head, r.score, r.threshold])).toEqual([
      ['name_mover', 2, 0, 0.9, 0.5],
      ['fact_mover', 0, 1, null, null],
    ]);
    expect(wiki.notes.notes).toEqual(['a note']);
  }, 120_000);

  it('without role detectors: tasks, patching and circuits, and no verdicts', async () => {
    const { model, tokenizer } = buildPlantedIoiModel();
    const { detectRoles: _real, ...withoutDetectors } = circuitComputations;
    const wiki = await computeCircuitWiki({
      model,
      tokenizer,
      runner: await OnnxRunner.create(model),
      seed: 3,
      promptPairs: 4,
      computations: withoutDetectors,
    });
    expect(wiki.roles).toEqual([]);
    expect(wiki.tasks.find((t) => t.task === 'ioi')?.circuit).not.toBeNull();
  }, 120_000);
});
