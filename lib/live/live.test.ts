import { afterAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../models/registry';
import { OnnxRunner } from '../engine/onnx-runner';
import { LiveEngine, LiveError, liveForward } from './index';

const bundled = async (slug: string) => slug;
const engine = new LiveEngine();
afterAll(() => engine.close());

describe('liveForward (worker process)', () => {
  it('returns the same activations as the in-process engine, with BOS-first tokens', async () => {
    const text = 'Once upon a time, there was a cat.';
    const hooks = ['blocks.1.attn.hook_pattern', 'blocks.1.attn.hook_z'];
    const live = await liveForward({ modelSlug: 'stories260K', text, hooks, engine, resolveSource: bundled });
    const { model, tokenizer } = await resolveModel('stories260K');
    const ids = tokenizer.encode(text, { bos: true });
    expect(live.tokenIds).toEqual(ids);
    expect(live.tokens).toEqual(ids.map((id) => tokenizer.piece(id)));
    const runner = new OnnxRunner(model, { intraOpNumThreads: 1 });
    const cache = await runner.run([ids], hooks);
    for (const hook of hooks) {
      const got = live.activations[hook];
      expect(got.data).toBeInstanceOf(Float32Array);
      expect(got.shape).toEqual(cache.get(hook)!.shape);
      expect(Array.from(got.data)).toEqual(Array.from(cache.get(hook)!.data));
    }
    expect(live.activations['blocks.1.attn.hook_pattern'].shape).toEqual([1, 8, ids.length, ids.length]);
    await runner.dispose();
  });

  it('refuses text over the token limit with a message naming the limit', async () => {
    const small = new LiveEngine({ maxTokens: 8 });
    try {
      const err = await liveForward({
        modelSlug: 'stories260K',
        text: 'Once upon a time there was a little girl named Lily.',
        hooks: ['blocks.0.attn.hook_pattern'],
        engine: small,
        resolveSource: bundled,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(LiveError);
      expect(err.kind).toBe('too_long');
      expect(err.status).toBe(413);
      expect(err.message).toMatch(/at most 8 tokens/);
      expect(err.details.limit).toBe(8);
    } finally {
      small.close();
    }
  });

  it('refuses empty text, too many characters and unknown hooks as 4xx', async () => {
    const call = (text: string, hooks: string[]) =>
      liveForward({ modelSlug: 'stories260K', text, hooks, engine, resolveSource: bundled }).then(
        (): LiveError => {
          throw new Error('expected a LiveError');
        },
        (e) => e as LiveError,
      );
    expect((await call('   ', ['blocks.0.attn.hook_pattern'])).status).toBe(400);
    const long = await call('a'.repeat(engine.limits.maxChars + 1), ['blocks.0.attn.hook_pattern']);
    expect(long.status).toBe(413);
    expect(long.message).toMatch(String(engine.limits.maxChars));
    const hook = await call('Hello', ['blocks.9.attn.hook_pattern']);
    expect(hook.status).toBe(400);
    expect(hook.message).toMatch(/unknown hook/);
    // The worker survived the bad requests.
    expect(
      (await liveForward({ modelSlug: 'stories260K', text: 'Hi', hooks: ['logits'], engine, resolveSource: bundled })).tokenIds[0],
    ).toBe(1);
  });

  it('reports an unknown model as 404', async () => {
    const err = await liveForward({
      modelSlug: 'nope',
      text: 'Hi',
      hooks: ['logits'],
      engine,
      resolveSource: async () => '/definitely/not/a/model',
    }).catch((e) => e);
    expect(err.kind).toBe('unknown_model');
    expect(err.status).toBe(404);
  });

  it('bounds the backlog and kills a request over its time limit, then recovers', async () => {
    // A run limit no model load can meet: the first request times out, its worker is killed.
    const strict = new LiveEngine({ runTimeoutMs: 1, maxBacklog: 1 });
    try {
      const job = { slug: 'stories260K', source: 'stories260K', text: 'Hi', hooks: ['logits'] };
      const first = strict.submit(job).catch((e) => e);
      const second = strict.submit(job).catch((e) => e); // waits: backlog 1
      const third = await strict.submit(job).catch((e) => e); // backlog full
      expect(third.kind).toBe('busy');
      expect(third.status).toBe(503);
      expect(third.details.retryAfterSeconds).toBeGreaterThan(0); // the API's 503 carries it as Retry-After
      expect((await first).kind).toBe('timeout');
      expect((await second).kind).toBe('timeout');
      expect(strict.startedWorkers).toBe(2);
    } finally {
      strict.close();
    }
  });
});

describe('isLiveError', () => {
  it('recognises a LiveError made by another copy of the module (Next bundles one per server layer)', async () => {
    const { isLiveError, LiveError: Own } = await import('./errors');
    const copy = await import(/* a second module instance */ `./errors?copy=${Date.now()}`);
    expect(copy.LiveError).not.toBe(Own);
    const foreign = new copy.LiveError('too_long', 'text too long');
    expect(foreign instanceof Own).toBe(false);
    expect(isLiveError(foreign)).toBe(true);
    expect(isLiveError(new Error('plain'))).toBe(false);
    expect(isLiveError({ kind: 'too_long' })).toBe(false);
  });
});
