import { afterAll, describe, expect, it } from 'vitest';
import { OnnxRunner } from '../../engine/onnx-runner';
import { buildPlantedFactModel, buildPlantedIoiModel } from '../../testing/planted-circuits';
import { buildPlantedModel } from '../../testing/planted-models';
import { buildPlantedContrastiveModel } from '../../testing/planted-contrastive';
import { buildPlantedBackupModel, buildPlantedInductionKindsModel } from '../../testing/planted-roles';
import { buildPlantedFunctionVectorModel } from '../../testing/planted-function-vectors';
import { buildAllTasks } from '../tasks';
import type { RoleReport } from '../types';
import { detectRoles } from '.';

const runners: OnnxRunner[] = [];
afterAll(() => Promise.all(runners.map((r) => r.dispose())));
const yes = (report: RoleReport, role: string) =>
  report.verdicts
    .filter((v) => v.role === role && v.verdict === 'yes')
    .map((v) => `L${v.layer}H${v.head}`)
    .sort();

describe('role detectors on the planted IOI circuit', () => {
  const { model, tokenizer } = buildPlantedIoiModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('find exactly the planted heads for every IOI role and copy suppression, and call the rest untestable, not "no"', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }), {
      runnerFor: (m) => new OnnxRunner({ ...model, ...m }),
    });
    expect(report.tasks.find((t) => t.task === 'ioi')?.status).toBe('usable');
    expect(yes(report, 'name_mover')).toEqual(['L2H0', 'L2H1']);
    // The copy-suppression head is also a negative name mover on IOI (as GPT-2's L10H7 is).
    expect(yes(report, 'negative_name_mover')).toEqual(['L2H2', 'L3H0']);
    expect(yes(report, 's_inhibition')).toEqual(['L1H0']);
    expect(yes(report, 'duplicate_token_ioi')).toEqual(['L0H0']);
    expect(yes(report, 'induction_ioi')).toEqual([]);
    expect(yes(report, 'backup_name_mover')).toEqual([]);
    // The negative name mover's OV suppresses too, but its query never reads the prediction: not copy suppression.
    expect(yes(report, 'copy_suppression')).toEqual(['L3H0']);
    const cs = report.verdicts.find((v) => v.role === 'copy_suppression' && v.layer === 3 && v.head === 0)!;
    expect(cs.confirmation.confirmed).toBe(true);
    // The copy-suppression head attends to IO, the negative name mover too: neither is an S-suppressing head.
    expect(yes(report, 's_suppression')).toEqual([]);
    // No few-shot, translation or factual ability (their words are not in its vocabulary): every head untestable, never "no".
    for (const role of ['function_vector', 'translation', 'fact_mover']) {
      const vs = report.verdicts.filter((v) => v.role === role);
      expect(vs).toHaveLength(12);
      expect(vs.every((v) => v.verdict === 'untestable')).toBe(true);
    }
    // Repeated random tokens are partly "solved" by the name movers copying names from the context, but no head is an
    // induction head.
    expect(yes(report, 'classic_induction')).toEqual([]);
    expect(yes(report, 'pointer_arithmetic_induction')).toEqual([]);
  });
});

describe('induction kind on the planted attention model (L1H1 K-composes with the previous-token head L0H1)', () => {
  const planted = buildPlantedModel();
  const onnx = new OnnxRunner(planted.model);
  runners.push(onnx);

  it('classic induction on L1H1 only; no positional induction; IOI untestable (names are not single tokens)', async () => {
    const report = await detectRoles(onnx, planted.model, buildAllTasks(planted.tokenizer, { count: 8 }));
    expect(report.tasks.find((t) => t.task === 'induction')?.status).toBe('usable');
    expect(yes(report, 'classic_induction')).toEqual(['L1H1']);
    expect(yes(report, 'pointer_arithmetic_induction')).toEqual([]);
    expect(report.tasks.find((t) => t.task === 'ioi')).toMatchObject({ status: 'untestable', reason: 'tokenizer' });
    expect(report.verdicts.filter((v) => v.role === 'name_mover').every((v) => v.verdict === 'untestable')).toBe(true);
  });
});

describe("fact movers on the planted fact model (L1H0 moves the subject's city to the last token)", () => {
  const { model, tokenizer } = buildPlantedFactModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('finds L1H0 and nothing else; IOI and few-shot roles untestable', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }));
    expect(report.tasks.find((t) => t.task === 'factual_recall')?.status).toBe('usable');
    expect(yes(report, 'fact_mover')).toEqual(['L1H0']);
    expect(report.verdicts.filter((v) => v.role === 'fact_mover' && v.verdict === 'no')).toHaveLength(3);
    expect(yes(report, 'copy_suppression')).toEqual([]); // it copies its fact, it does not suppress it
    for (const role of ['name_mover', 'function_vector', 'translation']) {
      expect(report.verdicts.filter((v) => v.role === role).every((v) => v.verdict === 'untestable')).toBe(true);
    }
  });
});

describe('the planted additive + contrastive IOI circuit (L0H0 copies both names, L1H0 attends to S2 and writes −S)', () => {
  const { model, tokenizer } = buildPlantedContrastiveModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('S-suppression on L1H0 alone; no name movers; not copy suppression (its attention ignores the prediction)', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }), {
      runnerFor: (m) => new OnnxRunner({ ...model, ...m }),
    });
    expect(report.tasks.find((t) => t.task === 'ioi')?.status).toBe('usable');
    expect(yes(report, 's_suppression')).toEqual(['L1H0']);
    for (const role of ['name_mover', 'negative_name_mover', 'backup_name_mover', 's_inhibition', 'copy_suppression'])
      expect(yes(report, role)).toEqual([]);
    const cs = report.verdicts.find((v) => v.role === 'copy_suppression' && v.layer === 1 && v.head === 0)!;
    expect(cs.reason).toMatch(/OV suppresses its own token for 100 %.*QK prefers its own token for 0 %.*does not follow the prediction/);
    const ss = report.verdicts.find((v) => v.role === 's_suppression' && v.layer === 1 && v.head === 0)!;
    expect(ss.confirmation.confirmed).toBe(true);
    expect(report.notes.join(' ')).toMatch(/L1H0 attends to S .*writes against S/);
  });
});

describe('backup name mover on the planted IOI circuit + L3H1 (idle while the name movers work, takes over when they are ablated)', () => {
  const { model, tokenizer } = buildPlantedBackupModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('finds L3H1 as the only backup name mover; the planted circuit keeps its roles', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }), {
      runnerFor: (m) => new OnnxRunner({ ...model, ...m }),
    });
    expect(yes(report, 'backup_name_mover')).toEqual(['L3H1']);
    expect(yes(report, 'name_mover')).toEqual(['L2H0', 'L2H1']);
    expect(yes(report, 's_inhibition')).toEqual(['L1H0']);
    expect(yes(report, 'copy_suppression')).toEqual(['L3H0']);
  });
});

describe('classic vs positional induction on the planted induction-kinds model (L1H0 K-composes with L0H0, L1H1 reads positions)', () => {
  const { model, tokenizer } = buildPlantedInductionKindsModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('classic induction on L1H0 only, positional (pointer arithmetic) on L1H1 only', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }));
    expect(report.tasks.find((t) => t.task === 'induction')?.status).toBe('usable');
    expect(yes(report, 'classic_induction')).toEqual(['L1H0']);
    expect(yes(report, 'pointer_arithmetic_induction')).toEqual(['L1H1']);
    expect(yes(report, 'copy_suppression')).toEqual([]);
  });
});

describe('function-vector and translation heads on the planted few-shot model (L2H0: antonyms and capitals, L2H1: French)', () => {
  const { model, tokenizer } = buildPlantedFunctionVectorModel();
  const onnx = new OnnxRunner(model);
  runners.push(onnx);

  it('function-vector heads exactly L2H0 and L2H1 (AIE 2/3, 1/3), translation L2H1 alone; IOI untestable', async () => {
    const report = await detectRoles(onnx, model, buildAllTasks(tokenizer, { count: 8 }));
    for (const task of ['icl_antonym', 'icl_country_capital', 'icl_english_french'])
      expect(report.tasks.find((t) => t.task === task)?.status).toBe('usable');
    expect(yes(report, 'function_vector')).toEqual(['L2H0', 'L2H1']);
    expect(yes(report, 'translation')).toEqual(['L2H1']);
    const aie = (role: string, l: number, h: number) =>
      report.verdicts.find((v) => v.role === role && v.layer === l && v.head === h)!.score;
    expect(aie('function_vector', 2, 0)).toBeCloseTo(2 / 3, 2);
    expect(aie('function_vector', 2, 1)).toBeCloseTo(1 / 3, 2);
    expect(aie('translation', 2, 0)).toBeCloseTo(0, 2);
    expect(report.verdicts.filter((v) => v.role === 'name_mover').every((v) => v.verdict === 'untestable')).toBe(true);
  });
});
