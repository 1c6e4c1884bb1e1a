import { afterEach, describe, expect, it, vi } from 'vitest';
import { forwardCommand, type ForwardReport } from './forward';

describe('headwiki forward', () => {
  afterEach(() => vi.restoreAllMocks());

  it("prints each position's input token, argmax prediction and logit for stories260K", async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void printed.push(s));
    await forwardCommand(['--model', 'stories260K', '--prompt', 'Once upon a time']);
    const report = JSON.parse(printed.join('\n')) as ForwardReport;
    expect(report.model).toBe('stories260K');
    expect(report.prependBos).toBe(true);
    expect(report.positions.map((p) => [p.token.id, p.token.piece, p.argmax.id, p.argmax.piece])).toEqual([
      [1, '<s>', 403, '▁Once'],
      [403, '▁Once', 407, '▁upon'],
      [407, '▁upon', 261, '▁a'],
      [261, '▁a', 378, '▁time'],
      [378, '▁time', 432, ','],
    ]);
    // The same numbers the reference forward gives (see lib/engine/onnx-runner.test.ts), to float32 rounding.
    expect(report.positions.map((p) => p.logit)).toEqual([17.0235, 18.46, 17.137, 18.8744, 17.7994].map((v) => expect.closeTo(v, 3)));
  });

  it('runs without BOS when asked', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void printed.push(s));
    await forwardCommand(['--model', 'stories260K', '--prompt', 'Once upon a time', '--no-bos']);
    const report = JSON.parse(printed.join('\n')) as ForwardReport;
    expect(report.prependBos).toBe(false);
    expect(report.positions.map((p) => p.token.id)).toEqual([403, 407, 261, 378]);
  });

  it('names what is missing or wrong', async () => {
    await expect(forwardCommand(['--prompt', 'hi'])).rejects.toThrow(/--model is required/);
    await expect(forwardCommand(['--model', 'stories260K'])).rejects.toThrow(/--prompt is required/);
    await expect(forwardCommand(['--model', 'no-such-model', '--prompt', 'hi'])).rejects.toThrow(/Unknown model "no-such-model"/);
  });
});
