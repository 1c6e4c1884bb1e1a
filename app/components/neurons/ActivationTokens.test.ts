import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ACT_LEVELS, ActivationTokens, activationClass, activationColor, tokenTitle } from './ActivationTokens';

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
    expect(html).not.toContain('0.5000');
    expect(html).toMatch(/neuron-token-max"[^>]*title="&quot;c&quot; · position 12 · activation 0.3000"/);
    // Only the max token carries its title in the HTML; the others get theirs on hover (page weight, issue 16).
    expect(html.match(/title=/g)).toHaveLength(1);
    expect(html).not.toContain('style=');
    expect(tokenTitle('b', 11, 0.2)).toBe('"b" · position 11 · activation 0.2000');
  });

  it('shades with a short class per token: activationClass steps, the colours of activationColor', () => {
    const html = renderToStaticMarkup(createElement(ActivationTokens, { pieces: ['a', 'b', 'c', 'd'], acts: [2, 1, 0, -2], scale: 2 }));
    expect(html.match(/class="[^"]*"/g)).toEqual([
      'class="neuron-tokens"',
      `class="neuron-token act-p${ACT_LEVELS}"`,
      `class="neuron-token act-p${ACT_LEVELS / 2}"`,
      'class="neuron-token"',
      `class="neuron-token act-n${ACT_LEVELS}"`,
    ]);
    expect(activationClass(0.01, 2)).toBe('');
    expect(activationClass(5, 2)).toBe(`act-p${ACT_LEVELS}`);
    expect(activationClass(1, 0)).toBe('');
    // globals.css holds one rule per step with activationColor's colour at that step (numbers as prettier writes them).
    const css = readFileSync(path.join(__dirname, '../../globals.css'), 'utf8');
    const rgba = (c: string) => c.match(/[\d.]+/g)!.map(Number);
    const rule = (name: string) => rgba(css.match(new RegExp(`\\.${name} \\{\\s*background: (rgba\\([^)]*\\))`))![1]);
    for (let k = 1; k <= ACT_LEVELS; k++) {
      expect(rule(`act-p${k}`)).toEqual(rgba(activationColor((2 * k) / ACT_LEVELS, 2)));
      expect(rule(`act-n${k}`)).toEqual(rgba(activationColor((-2 * k) / ACT_LEVELS, 2)));
    }
  });

  it('shades by activation relative to the scale', () => {
    expect(activationColor(2, 2)).toBe('rgba(234, 88, 12, 0.850)');
    expect(activationColor(0, 2)).toBe('rgba(234, 88, 12, 0.000)');
    expect(activationColor(-4, 2)).toBe('rgba(37, 99, 235, 0.600)');
  });
});
