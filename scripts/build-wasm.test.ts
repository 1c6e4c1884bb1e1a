import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS, compileKernel, moduleText } from './build-wasm';

describe('npm run build:wasm', () => {
  for (const k of KERNELS) {
    it(`${k.module} is what ${k.source} compiles to (run npm run build:wasm after editing the source)`, () => {
      expect(readFileSync(k.module, 'utf8')).toBe(moduleText(k, compileKernel(k.source)));
    });
  }
});
