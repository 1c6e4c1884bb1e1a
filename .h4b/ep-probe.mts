import * as ort from 'onnxruntime-node';
import { buildOnnxModel } from '../lib/engine/onnx-graph';
import { randomModel } from '../lib/engine/random-model';
const bytes = buildOnnxModel(randomModel({}), { hooks: ['logits'] });
for (const eps of [['cuda', 'cpu'], ['cuda']]) {
  try { const s = await ort.InferenceSession.create(bytes, { executionProviders: eps }); console.log(eps, 'ok'); await s.release(); }
  catch (e) { console.log(eps, 'ERR', (e as Error).message.slice(0, 200)); }
}
