import { describe, expect, it } from 'vitest';
import { fixtureCircuitTasks } from './openapi/circuit-fixtures';
import { layoutCircuit } from './circuit-layout';
import { roleColumns } from './head-role-columns';
import { fixtureHeadRoles } from './openapi/circuit-fixtures';

describe('layoutCircuit', () => {
  const circuit = fixtureCircuitTasks(2, 2)[0].circuit!;

  it('puts embed first, then layers in order, logits last; every edge flows downwards', () => {
    const { nodes, edges, height } = layoutCircuit(circuit, 2);
    const y = Object.fromEntries(nodes.map((n) => [n.id, n.y]));
    expect(y.embed).toBeLessThan(y.L0H0);
    expect(y.L0H0).toBeLessThan(y.L1H1);
    expect(y.L1H1).toBeLessThan(y.logits);
    expect(y.logits).toBeLessThan(height);
    expect(edges).toHaveLength(4);
    for (const e of edges) expect(y[e.from]).toBeLessThan(y[e.to]);
  });

  it('widths follow |effect| (strongest = 5 px), drawn last; unknown endpoints are dropped, not invented', () => {
    const { edges } = layoutCircuit(
      { nodes: circuit.nodes, edges: [...circuit.edges, { from: 'L9H9', to: 'logits', channel: 'logits', effect: 9 }] },
      2,
    );
    expect(edges).toHaveLength(4);
    expect(edges.at(-1)).toMatchObject({ from: 'L1H1', to: 'logits', width: 5 });
    expect(edges[0].width).toBeCloseTo(1 + (4 * 0.2) / 1.1);
  });
});

describe('layoutCircuit rows', () => {
  it("a layer's MLP sits below its heads, so head → same-layer MLP edges flow down", () => {
    const { nodes } = layoutCircuit(
      {
        nodes: [
          { id: 'L0H0', kind: 'head', layer: 0, head: 0 },
          { id: 'MLP0', kind: 'mlp', layer: 0, head: null },
        ],
        edges: [{ from: 'L0H0', to: 'MLP0', channel: 'mlp_in', effect: 1 }],
      },
      1,
    );
    expect(nodes.find((n) => n.id === 'MLP0')!.y).toBeGreaterThan(nodes.find((n) => n.id === 'L0H0')!.y);
  });
});

describe('roleColumns', () => {
  it('one column per measured role in registry order, verdicts by head name', () => {
    const cols = roleColumns(fixtureHeadRoles());
    expect(cols.columns.map((c) => c.role)).toEqual(['name_mover', 's_inhibition', 'fact_mover']);
    expect(cols.byHead.L1H1).toEqual({ name_mover: 'yes', fact_mover: 'untestable' });
    expect(cols.byHead.L0H0).toEqual({ name_mover: 'no', s_inhibition: 'yes' });
  });
});
