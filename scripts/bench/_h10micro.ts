import { UnitStream, rangesFromCalibration } from '@/lib/metrics/streaming';
import { makeRng } from '@/lib/sampling/random';
const units = Number(process.argv[2] ?? 172), seq = 128, ctxs = 400;
const rng = makeRng(1);
const data = Float32Array.from({ length: 16 * seq * units }, () => rng.next() * 2 - 0.5);
const tokens = Array.from({ length: seq }, () => rng.int(500));
const ranges = rangesFromCalibration(new Float64Array(units).fill(-0.5), new Float64Array(units).fill(1.5));
const s = new UnitStream({ ranges, before: 127, after: 16 });
for (let round = 0; round < 10; round++) {
  const t0 = performance.now();
  for (let c = 0; c < ctxs; c++) s.observeContext({ doc: round * ctxs + c, tokens, data, offset: (c % 16) * seq * units, posStride: units, unitStride: 1, firstPos: 1 });
  const ms = performance.now() - t0;
  console.log(`round ${round}: ${(ms * 1e6 / (ctxs * (seq - 1) * units)).toFixed(1)} ns/element`);
}
