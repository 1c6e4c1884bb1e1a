/**
 * The live-inference worker process (started by live-engine.ts with `node --import tsx`). It keeps the
 * models it has loaded, one request at a time: tokenize with BOS, check the token limit, run the ONNX engine,
 * send the activations back. Everything heavy happens here, so the web server's event loop never blocks.
 * Relative imports only: this file runs from the source tree, outside any bundler's path aliases.
 */
import { OnnxRunner } from '../engine/onnx-runner';
import { assertKnownHooks } from '../engine/hooks';
import { resolveModel, type ResolvedModel } from '../models/registry';
import type { LiveErrorKind } from './errors';
import type { LiveActivation, LiveRequestMessage, LiveResponseMessage } from './protocol';

interface LoadedModel extends ResolvedModel {
  runner: OnnxRunner;
}

/** A few models stay loaded (each holds its weights and ONNX sessions); the least recently used goes first. */
const MAX_LOADED_MODELS = 3;
const loaded = new Map<string, Promise<LoadedModel>>();

class RequestError extends Error {
  constructor(
    readonly kind: LiveErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function load(slug: string, source: string): Promise<LoadedModel> {
  const key = `${slug}\n${source}`;
  let entry = loaded.get(key);
  if (entry) {
    loaded.delete(key);
    loaded.set(key, entry);
    return entry;
  }
  entry = (async () => {
    let resolved: ResolvedModel;
    try {
      resolved = await resolveModel(source);
    } catch (err) {
      throw new RequestError('unknown_model', `model ${slug} cannot be loaded for live inference: ${(err as Error).message}`);
    }
    // One thread: the web server, the database and other workers share the cores.
    const runner = new OnnxRunner(resolved.model, { intraOpNumThreads: 1, maxCachedSessions: 4 });
    return { ...resolved, runner };
  })();
  entry.catch(() => loaded.delete(key));
  loaded.set(key, entry);
  for (const [k, old] of loaded) {
    if (loaded.size <= MAX_LOADED_MODELS) break;
    loaded.delete(k);
    old.then((m) => m.runner.dispose()).catch(() => undefined);
  }
  return entry;
}

async function forward(msg: LiveRequestMessage): Promise<LiveResponseMessage> {
  const { model, tokenizer, runner } = await load(msg.slug, msg.source);
  const { cfg } = model;
  try {
    assertKnownHooks(cfg, msg.hooks);
  } catch (err) {
    throw new RequestError('input', (err as Error).message);
  }
  const tokenIds = tokenizer.encode(msg.text, { bos: true });
  const limit = Math.min(msg.maxTokens, cfg.n_ctx);
  if (tokenIds.length > limit) {
    throw new RequestError(
      'too_long',
      `text too long: it is ${tokenIds.length} tokens (BOS included); live inference on ${msg.slug} takes at most ${limit} tokens. Shorten the text.`,
      { tokens: tokenIds.length, limit },
    );
  }
  const cache = await runner.run([tokenIds], msg.hooks);
  const activations: Record<string, LiveActivation> = {};
  for (const hook of msg.hooks) {
    const t = cache.get(hook)!;
    activations[hook] = { shape: t.shape, data: t.data };
  }
  return {
    type: 'result',
    id: msg.id,
    result: { modelSlug: msg.slug, tokenIds, tokens: tokenIds.map((id) => tokenizer.piece(id)), activations },
  };
}

process.on('message', (msg: LiveRequestMessage) => {
  if (msg?.type !== 'forward') return;
  void forward(msg)
    .catch((err): LiveResponseMessage => {
      if (err instanceof RequestError) return { type: 'error', id: msg.id, kind: err.kind, message: err.message, details: err.details };
      return { type: 'error', id: msg.id, kind: 'engine', message: `live inference failed: ${(err as Error)?.message ?? String(err)}` };
    })
    .then((reply) => process.send!(reply));
});

// The server went away: nothing left to answer.
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready' });
