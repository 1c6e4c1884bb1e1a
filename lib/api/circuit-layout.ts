/**
 * Where the circuit graph draws each node and edge (app/components/circuits/CircuitGraph.tsx): the residual
 * stream read top to bottom — embed, then per layer a row of its heads and a row for its MLP, then logits — so
 * the drawing reads at 390 px as at 1,400 px (one column of rows, scaled by its viewBox). Pure, for tests.
 */
import type { Circuit, CircuitEdge, CircuitNode } from '@/lib/circuits/types';

export interface PlacedNode extends CircuitNode {
  x: number;
  y: number;
}

export interface PlacedEdge extends CircuitEdge {
  /** SVG path from the sender's bottom to the receiver's top. */
  d: string;
  /** Stroke width, by |effect| relative to the strongest edge. */
  width: number;
}

export interface CircuitLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Width grows with the widest row (a phone shows a 3-node row at full size; GPT-2's 20-head rows get room). */
export const LAYOUT = { minWidth: 300, nodeSpacing: 84, rowGap: 64, margin: 28, nodeHalfHeight: 13 };

/** A layer's heads on one row and its MLP on the next, so that head -> same-layer MLP edges also flow down. */
function rowOf(node: CircuitNode, nLayers: number): number {
  if (node.kind === 'embed') return 0;
  if (node.kind === 'logits') return 2 * nLayers + 1;
  return 2 * (node.layer ?? 0) + (node.kind === 'mlp' ? 2 : 1);
}

/** Heads first, by index, then the layer's MLP: the order the model computes them. */
function orderInRow(a: CircuitNode, b: CircuitNode): number {
  const rank = (n: CircuitNode) => (n.kind === 'mlp' ? 1e6 : (n.head ?? 0));
  return rank(a) - rank(b);
}

export function layoutCircuit(circuit: Pick<Circuit, 'nodes' | 'edges'>, nLayers: number): CircuitLayout {
  const { rowGap, margin, nodeHalfHeight } = LAYOUT;
  // Only rows that hold a node take space; the order of layers is kept.
  const rows = new Map<number, CircuitNode[]>();
  for (const n of circuit.nodes) rows.set(rowOf(n, nLayers), [...(rows.get(rowOf(n, nLayers)) ?? []), n]);
  const rowKeys = [...rows.keys()].sort((a, b) => a - b);
  const widest = Math.max(1, ...[...rows.values()].map((r) => r.length));
  const width = Math.max(LAYOUT.minWidth, widest * LAYOUT.nodeSpacing + 2 * margin);
  const placed = new Map<string, PlacedNode>();
  rowKeys.forEach((key, i) => {
    const row = rows.get(key)!.sort(orderInRow);
    const step = (width - 2 * margin) / row.length;
    row.forEach((n, j) => placed.set(n.id, { ...n, x: margin + step * (j + 0.5), y: margin + i * rowGap }));
  });
  // An edge to a node the circuit does not list is not drawn (and no node is invented for it).
  const drawn = circuit.edges.filter((e) => placed.has(e.from) && placed.has(e.to));
  const strongest = Math.max(1e-9, ...drawn.map((e) => Math.abs(e.effect)));
  const edges: PlacedEdge[] = [];
  for (const e of drawn) {
    const from = placed.get(e.from)!;
    const to = placed.get(e.to)!;
    const y1 = from.y + nodeHalfHeight;
    const y2 = to.y - nodeHalfHeight;
    const mid = (y1 + y2) / 2;
    edges.push({
      ...e,
      d: `M${from.x.toFixed(1)},${y1.toFixed(1)} C${from.x.toFixed(1)},${mid.toFixed(1)} ${to.x.toFixed(1)},${mid.toFixed(1)} ${to.x.toFixed(1)},${y2.toFixed(1)}`,
      width: 1 + 4 * (Math.abs(e.effect) / strongest),
    });
  }
  // Strongest edges last, so they are drawn on top.
  edges.sort((a, b) => Math.abs(a.effect) - Math.abs(b.effect));
  return { width, height: 2 * margin + Math.max(0, rowKeys.length - 1) * rowGap, nodes: [...placed.values()], edges };
}
