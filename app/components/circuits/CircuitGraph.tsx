/**
 * A task's circuit as an SVG graph, rendered on the server (reads without JavaScript): the residual stream from
 * embed (top) to logits (bottom), one row per layer; an edge's colour is the receiver's input it reaches
 * (q, k, v, MLP, logits), its width the metric's change when that edge alone was corrupted. Head nodes link
 * to their pages; each node and edge has a <title> tooltip.
 */
import { layoutCircuit, LAYOUT } from '@/lib/api/circuit-layout';
import type { Circuit } from '@/lib/circuits/types';

export const CHANNEL_COLORS: Record<string, string> = {
  q: '#1f6fb4',
  k: '#d9822b',
  v: '#2e8b57',
  mlp_in: '#7a7a7a',
  logits: '#8e44ad',
};

export function CircuitGraph({
  circuit,
  nLayers,
  headHref,
  rolesOf,
}: {
  circuit: Pick<Circuit, 'nodes' | 'edges'>;
  nLayers: number;
  headHref: (layer: number, head: number) => string;
  /** Role names of a head in this task, shown in its tooltip and under its name. */
  rolesOf?: (layer: number, head: number) => string[];
}) {
  const layout = layoutCircuit(circuit, nLayers);
  const h = LAYOUT.nodeHalfHeight;
  return (
    <figure className="circuit-graph" data-testid="circuit-graph">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width="100%"
        style={{ maxWidth: Math.round(layout.width * 1.5), height: 'auto' }}
        role="img"
        aria-label={`Circuit graph: ${layout.nodes.length} nodes, ${layout.edges.length} edges`}
      >
        {layout.edges.map((e) => (
          <path
            key={`${e.from}-${e.to}-${e.channel}`}
            d={e.d}
            fill="none"
            stroke={CHANNEL_COLORS[e.channel] ?? '#555'}
            strokeWidth={e.width}
            strokeOpacity={0.75}
            data-testid="circuit-edge"
          >
            <title>{`${e.from} → ${e.to} (${e.channel}): effect ${e.effect.toFixed(3)}`}</title>
          </path>
        ))}
        {layout.nodes.map((n) => {
          const roles = n.kind === 'head' && rolesOf ? rolesOf(n.layer!, n.head!) : [];
          const w = n.kind === 'mlp' ? 58 : 52;
          const box = (
            <g data-testid="circuit-node">
              <title>{[n.id, ...roles].join(' — ')}</title>
              <rect
                x={n.x - w / 2}
                y={n.y - h}
                width={w}
                height={2 * h}
                rx={n.kind === 'head' ? 6 : 2}
                fill={n.kind === 'head' ? (roles.length > 0 ? '#fff3c4' : '#f4f4f4') : '#e8eef6'}
                stroke="#333"
                strokeWidth={1}
              />
              <text x={n.x} y={n.y + 4} textAnchor="middle" fontSize={12} fill="#111">
                {n.id}
              </text>
              {roles.length > 0 ? (
                <text x={n.x} y={n.y + h + 11} textAnchor="middle" fontSize={9.5} fill="#444">
                  {roles.join(', ')}
                </text>
              ) : null}
            </g>
          );
          return n.kind === 'head' ? (
            <a key={n.id} href={headHref(n.layer!, n.head!)}>
              {box}
            </a>
          ) : (
            <g key={n.id}>{box}</g>
          );
        })}
      </svg>
      <figcaption className="small muted">
        Edge colour: the input the edge reaches —{' '}
        {Object.entries(CHANNEL_COLORS).map(([channel, color]) => (
          <span key={channel} style={{ color, fontWeight: 600, marginRight: '0.6em' }}>
            {channel === 'mlp_in' ? 'MLP' : channel}
          </span>
        ))}
        ; width: the edge&apos;s effect. Highlighted heads have a role in this task.
      </figcaption>
    </figure>
  );
}
