import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ActivationTokens, activationColor } from './ActivationTokens';

describe('ActivationTokens', () => {
  it('renders hostile pieces as inert, visible text', () => {
    const html = renderToStaticMarkup(
      createElement(ActivationTokens, {
        pieces: ['<script>alert(1)</script>', '\u202Eevil', '<0x1B>', '▁ok', '<img src=x onerror=alert(1)>'],
        acts: [1, 0.5, 0, -1, 2],
        scale: 2,
        highlight: 4,
      }),
    );
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('\\u202Eevil');
    expect(html).not.toContain('\u202E');
    expect(html).toContain('\\x1B');
    expect(html).toContain('␣ok');
    expect(html).toContain('activation 2.0000');
    expect(html.match(/neuron-token-max/g)).toHaveLength(1);
  });

  it('shows the from/to slice of shared arrays with positions and highlight relative to it', () => {
    const pieces = ['a', 'b', 'c', 'd', 'e'];
    const acts = [0.1, 0.2, 0.3, 0.4, 0.5];
    const html = renderToStaticMarkup(
      createElement(ActivationTokens, { pieces, acts, scale: 1, from: 1, to: 4, highlight: 1, firstIndex: 11 }),
    );
    expect(html.match(/class="neuron-token( [^"]*)?"/g)).toHaveLength(3);
    expect(html).toContain('position 11 · activation 0.2000');
    expect(html).toContain('position 13 · activation 0.4000');
    expect(html).not.toContain('0.5000');
    expect(html).toMatch(/neuron-token-max"[^>]*title="&quot;c&quot; · position 12/);
  });

  it('shades by activation relative to the scale', () => {
    expect(activationColor(2, 2)).toBe('rgba(234, 88, 12, 0.850)');
    expect(activationColor(0, 2)).toBe('rgba(234, 88, 12, 0.000)');
    expect(activationColor(-4, 2)).toBe('rgba(37, 99, 235, 0.600)');
  });
});
