import onnxProto from 'onnx-proto';

/**
 * A tiny builder over the protobufjs-generated ONNX classes: named nodes, float32/float16/int64
 * initializers and typed graph inputs/outputs, serialised to the bytes that
 * `InferenceSession.create(Uint8Array)` accepts.
 */

const { onnx } = onnxProto;

/** The opset the engine targets: LayerNormalization exists, ReduceMean still takes `axes` as an attribute. */
export const ONNX_OPSET = 17;
/** IR version 8 is the one that goes with opset 17 (and the newest the onnx-proto schema knows). */
const IR_VERSION = 8;

export type ElemType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'bool';
/** A dimension: a fixed size or a symbolic name such as `batch`. */
export type Dim = number | string;
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

const ELEM_TYPE_CODE: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT, // 1
  float16: onnx.TensorProto.DataType.FLOAT16, // 10
  bfloat16: onnx.TensorProto.DataType.BFLOAT16, // 16
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** The ONNX TensorProto data type of an element type (the `to` attribute of a Cast). */
export function elemTypeCode(elemType: ElemType): number {
  return ELEM_TYPE_CODE[elemType];
}

function valueInfo(name: string, elemType: ElemType, dims: Dim[] | null): onnxProto.onnx.IValueInfoProto {
  const shape =
    dims === null
      ? undefined
      : {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        };
  return { name, type: { tensorType: { elemType: ELEM_TYPE_CODE[elemType], shape } } };
}

/**
 * Integers are encoded as INT (or INTS); anything wrapped in `{ float }` / `{ floats }` as FLOAT(S).
 * That keeps call sites short (`{ axis: -1 }`, `{ epsilon: { float: 1e-5 } }`) and unambiguous.
 */
function attribute(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; wrap floats as { float: x }`);
    return { name, type: T.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  /** Inputs that carry weights (fed by the caller on every run); dropped like initializers when nothing reads them. */
  private readonly weightInputNames = new Set<string>();
  private readonly usedNames = new Set<string>();
  private readonly constantCache = new Map<string, string>();
  private counter = 0;
  /** Intervened tensors: the node that defines one writes `{name}/clean`, then `name = keep ? clean : replacement`. */
  private readonly interventions = new Map<string, { keep: string; replacement: string }>();

  constructor(private readonly graphName: string) {}

  /**
   * Makes `name` (a hook, defined later by op()) intervenable: its value becomes Where(keep, clean, replacement)
   * with two graph inputs, so every consumer of the hook sees the intervened value while the graph stays the same.
   * (A select, not clean · mask + add: masked attention scores are -inf, and -inf · 0 is NaN.)
   */
  intervene(name: string, keep: string, replacement: string): void {
    this.interventions.set(name, { keep, replacement });
  }

  /** An unused intermediate name, readable in a graph viewer (`blocks.0.attn/q_heads_3`); claimed by its definition. */
  private fresh(hint: string): string {
    let name = `${hint}_${this.counter++}`;
    while (this.usedNames.has(name)) name = `${hint}_${this.counter++}`;
    return name;
  }

  /** The intervened hook's final Where is an ordinary op with that name. */
  private claimIntervened(name: string): string {
    this.interventions.delete(name);
    return name;
  }

  private claim(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`ONNX graph: tensor name ${name} is defined twice`);
    this.usedNames.add(name);
    return name;
  }

  input(name: string, elemType: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), elemType, dims));
    return name;
  }

  /**
   * A weight (float32, or float16 for a 16-bit graph) supplied on every run as a graph input instead of stored in the
   * graph: the serialised model stays small (protobuf caps it at 2 GB) and every session reads the caller's one copy.
   */
  weightInput(name: string, dims: number[], elemType: 'float32' | 'float16' = 'float32'): string {
    this.input(name, elemType, dims);
    this.weightInputNames.add(name);
    return name;
  }

  /** Marks an already-defined tensor as a graph output (a hook the caller can fetch). */
  output(name: string, elemType: ElemType, dims: Dim[] | null): void {
    if (!this.usedNames.has(name)) throw new Error(`ONNX graph: output ${name} is not a tensor of the graph`);
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** A float32 weight, stored as raw little-endian bytes (the compact form onnxruntime reads fastest). */
  floatInitializer(name: string, data: Float32Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new Error(`initializer ${name}: ${data.length} values for shape [${dims.join(', ')}] (expected ${expected})`);
    }
    this.initializers.push({
      name: this.claim(name),
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** A float16 weight from its IEEE half bits (a 16-bit graph's initializer), stored raw like float32 ones. */
  float16Initializer(name: string, bits: Uint16Array, dims: number[]): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (bits.length !== expected) {
      throw new Error(`initializer ${name}: ${bits.length} values for shape [${dims.join(', ')}] (expected ${expected})`);
    }
    this.initializers.push({
      name: this.claim(name),
      dataType: onnx.TensorProto.DataType.FLOAT16,
      dims,
      rawData: new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength),
    });
    return name;
  }

  /** `x` converted to the element type `to` (ONNX Cast). */
  cast(x: string, to: ElemType, out?: string, hint?: string): string {
    return this.op('Cast', [x], { to: ELEM_TYPE_CODE[to] }, out, hint ?? `${x}/as_${to}`);
  }

  int64Initializer(name: string, values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({
      name: this.claim(name),
      dataType: onnx.TensorProto.DataType.INT64,
      dims,
      rawData: new Uint8Array(data.buffer),
    });
    return name;
  }

  /** Small constants (shapes, axes, scalars) are shared: one initializer per distinct value. */
  int64Constant(values: number[], scalar = false): string {
    const key = `i64:${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.constantCache.get(key);
    if (!name) {
      name = this.int64Initializer(this.fresh('const_i64'), values, scalar ? [] : [values.length]);
      this.constantCache.set(key, name);
    }
    return name;
  }

  floatConstant(value: number): string {
    const key = `f32:${Object.is(value, -0) ? '-0' : String(value)}`;
    let name = this.constantCache.get(key);
    if (!name) {
      name = this.floatInitializer(this.fresh('const_f32'), Float32Array.of(value), []);
      this.constantCache.set(key, name);
    }
    return name;
  }

  /**
   * Adds one node with a single output and returns that output's name. `out` names the output
   * (hooks are named exactly as TransformerLens names them); otherwise a fresh name is made from `hint`.
   */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string, hint?: string): string {
    const intervention = out === undefined ? undefined : this.interventions.get(out);
    if (intervention) {
      const clean = this.op(opType, inputs, attrs, undefined, `${out}/clean`);
      return this.op('Where', [intervention.keep, clean, intervention.replacement], {}, this.claimIntervened(out!));
    }
    const output = this.claim(out ?? this.fresh(hint ?? opType));
    this.nodes.push({
      opType,
      input: inputs,
      output: [output],
      name: `${opType}:${output}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  /** Reserves a fresh intermediate name, for nodes with several outputs. */
  name(hint: string): string {
    return this.claim(this.fresh(hint));
  }

  /** Reserves an exact name (a hook) for one output of a multi-output node. */
  claimName(name: string): string {
    return this.claim(name);
  }

  /** A node with several outputs, whose names were reserved with name() or claimName(). */
  multiOp(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): string[] {
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: `${opType}:${outputs[0]}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /**
   * Drops every node and initializer that no graph output depends on. The graph code builds the
   * whole forward pass; pruning is what makes a graph asking only for early hooks stop early.
   */
  private pruned(): {
    nodes: onnxProto.onnx.INodeProto[];
    initializers: onnxProto.onnx.ITensorProto[];
    inputs: onnxProto.onnx.IValueInfoProto[];
  } {
    const needed = new Set(this.outputs.map((o) => o.name as string));
    const kept: onnxProto.onnx.INodeProto[] = [];
    // Nodes are appended in topological order, so one backward sweep finds everything needed.
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      if (!node.output!.some((o) => needed.has(o))) continue;
      kept.push(node);
      for (const input of node.input!) needed.add(input);
    }
    kept.reverse();
    return {
      nodes: kept,
      initializers: this.initializers.filter((t) => needed.has(t.name as string)),
      inputs: this.inputs.filter((i) => !this.weightInputNames.has(i.name as string) || needed.has(i.name as string)),
    };
  }

  /** Serialises the model; the bytes go straight to `InferenceSession.create`. */
  toBytes(): Uint8Array {
    return this.build().bytes;
  }

  /** The serialised model and the weight inputs it kept (the ones a run must feed). */
  build(): { bytes: Uint8Array; weightInputs: string[] } {
    if (this.outputs.length === 0) throw new Error('ONNX graph: no outputs');
    const { nodes, initializers, inputs } = this.pruned();
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'headwiki',
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: this.graphName,
        node: nodes,
        initializer: initializers,
        input: inputs,
        output: this.outputs,
      },
    });
    const weightInputs = inputs.map((i) => i.name as string).filter((n) => this.weightInputNames.has(n));
    return { bytes: onnx.ModelProto.encode(model).finish(), weightInputs };
  }
}
