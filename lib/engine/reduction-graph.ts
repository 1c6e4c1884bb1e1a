import type { OnnxGraphBuilder } from './onnx-builder';
import type { HookName } from './types';
import { OBSERVED_INPUT, REDUCED_SUMS, reducedName } from './reductions';

/**
 * The graph part of lib/engine/reductions.ts: per requested hook x [batch, pos, units], reductions over the observed
 * positions (input `reductions:observed` [batch, length], 1 or 0, length ≥ pos) as extra outputs [batch, units]
 * ([batch, 5, units] for the sums). Kept to few passes over x (on the CPU every extra elementwise node is a pass
 * through memory): one Where + ReduceMax for the max, one Where + ReduceMin for the min, and the sums as
 * MatMuls of the mask with x, x², x³, x⁴ and [x > 0], over x padded to `length` positions (fixed shapes: the same
 * accumulation order for every batch; see reductions.ts).
 */
export function buildReductions(b: OnnxGraphBuilder, hooks: HookName[], units: (hook: HookName) => number): void {
  const observed = b.input(OBSERVED_INPUT, 'float32', ['batch', 'pos']);
  // [batch, pos, 1] for selecting positions, [batch, 1, pos] as the MatMul's row of weights.
  const keep = b.op('Cast', [b.op('Unsqueeze', [observed, b.int64Constant([2])])], { to: 9 }, undefined, 'reductions_keep');
  const row = b.op('Unsqueeze', [observed, b.int64Constant([1])], {}, undefined, 'reductions_row');
  // Zeros to append along positions: [0, 0, 0, 0, length − pos, 0] (Pad's [begin…, end…] layout).
  const length = b.op('Slice', [b.op('Shape', [observed]), b.int64Constant([1]), b.int64Constant([2])]);
  const zeros2 = b.int64Constant([0, 0, 0, 0]);
  for (const x of hooks) {
    const d = units(x);
    const seq = b.op('Slice', [b.op('Shape', [x]), b.int64Constant([1]), b.int64Constant([2])]);
    const keepHere = b.op('Slice', [keep, b.int64Constant([0]), seq, b.int64Constant([1])]);
    const forMax = b.op('Where', [keepHere, x, b.floatConstant(-Infinity)], {}, undefined, `${x}/masked_low`);
    // No ArgMax: it costs more than the max itself, and the host needs the position only for the few units whose
    // context max enters their top list (it finds it in the activations then).
    b.op('ReduceMax', [forMax], { axes: [1], keepdims: 0 }, reducedName(x, 'max'));
    const forMin = b.op('Where', [keepHere, x, b.floatConstant(Infinity)], {}, undefined, `${x}/masked_high`);
    b.op('ReduceMin', [forMin], { axes: [1], keepdims: 0 }, reducedName(x, 'min'));
    const pads = b.op('Concat', [zeros2, b.op('Sub', [length, seq]), b.int64Constant([0])], { axis: 0 });
    const xl = b.op('Pad', [x, pads], {}, undefined, `${x}/padded`);
    const x2 = b.op('Mul', [xl, xl]);
    const powers = [
      xl,
      x2,
      b.op('Mul', [x2, xl]),
      b.op('Mul', [x2, x2]),
      b.op('Cast', [b.op('Greater', [xl, b.floatConstant(0)])], { to: 1 }),
    ];
    if (powers.length !== REDUCED_SUMS) throw new Error('buildReductions: sums out of step with REDUCED_SUMS');
    b.op(
      'Concat',
      powers.map((p) => b.op('MatMul', [row, p])),
      { axis: 1 },
      reducedName(x, 'sums'),
    );
    b.output(reducedName(x, 'max'), 'float32', ['batch', d]);
    b.output(reducedName(x, 'min'), 'float32', ['batch', d]);
    b.output(reducedName(x, 'sums'), 'float32', ['batch', REDUCED_SUMS, d]);
  }
}
