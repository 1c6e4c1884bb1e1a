import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { StoredNeuronExample } from '@/lib/db/neurons';
import { NeuronExampleView } from './NeuronExampleView';

/** A 128-token example whose max is token 100 (a GPT-2-sized context window). */
function example(): StoredNeuronExample {
  const n = 128;
  return {
    kind: 'top',
    rank: 0,
    value: 3,
    contextId: 1,
    docIndex: 0,
    chunk: 0,
    position: 110,
    windowStart: 10,
    tokenIds: Array.from({ length: n }, (_, i) => i),
    tokens: Array.from({ length: n }, (_, i) => `▁word${i}`),
    acts: Array.from({ length: n }, (_, i) => (i === 100 ? 3 : Math.sin(i) * 0.123456)),
  };
}

const tokens = (html: string) => html.match(/class="neuron-token[ "]/g)?.length ?? 0;

describe('NeuronExampleView', () => {
  it('inlines the whole window only when eager; otherwise the short window and a pointer to the JSON', () => {
    const eager = renderToStaticMarkup(createElement(NeuronExampleView, { ex: example(), scale: 3, label: '#1' }));
    const lazy = renderToStaticMarkup(
      createElement(NeuronExampleView, { ex: example(), scale: 3, label: '#1', eager: false, jsonHref: '/api/v1/x' }),
    );
    // Short window: 10 tokens before the max, the max, 4 after.
    expect(tokens(lazy)).toBe(15);
    expect(tokens(eager)).toBe(15 + 128);
    expect(lazy).toContain('data-testid="neuron-example-lazy"');
    expect(lazy).toContain('href="/api/v1/x"');
    expect(eager).not.toContain('neuron-example-lazy');
    // Both mark the max token, with its value in the title.
    expect(lazy).toMatch(/neuron-token-max"[^>]*title="[^"]*position 110 · activation 3.0000"/);
    expect(eager.match(/neuron-token-max/g)).toHaveLength(2);
  });

  it('costs well under 100 bytes a token (no per-token style or title)', () => {
    const eager = renderToStaticMarkup(createElement(NeuronExampleView, { ex: example(), scale: 3, label: '#1' }));
    expect(eager).not.toContain('style=');
    expect(eager.match(/title=/g)).toHaveLength(2);
    // ~35 bytes of markup plus the text per token (the old per-token style and title were ~150).
    expect(eager.length / tokens(eager)).toBeLessThan(60);
  });
});
