import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { useHydrated } from './use-hydrated';

function Probe() {
  return createElement('span', null, useHydrated() ? 'browser' : 'server');
}

describe('useHydrated', () => {
  it("is false in the server's HTML, so JavaScript-only controls are left out of it", () => {
    expect(renderToString(createElement(Probe))).toBe('<span>server</span>');
  });
});
