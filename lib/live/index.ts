/**
 * Live inference for custom text, inside the web server — the only way pages and the API reach the engine.
 *
 * Usage (a route handler or a server action):
 *
 *   import { liveForward, isLiveError } from '@/lib/live';
 *   const { tokenIds, tokens, activations } = await liveForward({
 *     modelSlug: 'stories260K',
 *     text: 'Once upon a time',
 *     hooks: ['blocks.1.attn.hook_pattern'],        // TransformerLens hook names
 *   });
 *   activations['blocks.1.attn.hook_pattern'];       // { shape: [1, n_heads, seq, seq], data: Float32Array }
 *   tokens;                                          // raw pieces, BOS first: format with lib/format/token-display.ts
 *
 * Errors are `LiveError`s with `.status` (the HTTP status to answer with) and `.kind`:
 *   input (400: unknown hook, empty text), too_long (413: over LIVE_LIMITS.maxTokens tokens or maxChars characters;
 *   the message names the limit), unknown_model (404), busy (503: backlog full), timeout (504), engine (500).
 *
 * How: the text is tokenized (BOS prepended) and run by the ONNX engine in ONE worker process
 * (lib/live/worker-main.ts, started on first use, kept while busy, exits after idling), so the server's event
 * loop never blocks on tokenizing or on onnxruntime. Requests run one at a time; at most LIVE_LIMITS.maxBacklog
 * wait; a request running past LIVE_LIMITS.runTimeoutMs has its worker killed (the next one starts afresh).
 * Limits are in lib/live/limits.ts. Bundled models resolve by name (lib/models/registry.ts), others through
 * the Model row's `source`.
 */
import { LiveError } from './errors';
import { LiveEngine } from './live-engine';
import { resolveModelSource, type ModelSourceResolver } from './model-source';
import type { LiveForwardResult } from './protocol';

export { LiveError, isLiveError, type LiveErrorKind } from './errors';
export { LIVE_LIMITS } from './limits';
export type { LiveActivation, LiveForwardResult } from './protocol';
export { LiveEngine } from './live-engine';

export interface LiveForwardInput {
  modelSlug: string;
  text: string;
  hooks: string[];
  /** Tests and tools may bring their own engine or slug → checkpoint resolver. */
  engine?: LiveEngine;
  resolveSource?: ModelSourceResolver;
}

// One engine per server process; kept on globalThis so that Next's dev reloads don't start a second worker.
const GLOBAL_KEY = Symbol.for('headwiki.liveEngine');
export function sharedLiveEngine(): LiveEngine {
  const g = globalThis as { [GLOBAL_KEY]?: LiveEngine };
  return (g[GLOBAL_KEY] ??= new LiveEngine());
}

export async function liveForward(input: LiveForwardInput): Promise<LiveForwardResult> {
  const engine = input.engine ?? sharedLiveEngine();
  const { modelSlug, text, hooks } = input;
  const limits = engine.limits;
  if (typeof text !== 'string') throw new LiveError('input', 'text: expected a string');
  if (text.trim() === '') throw new LiveError('input', 'text: must not be empty');
  if (text.length > limits.maxChars) {
    throw new LiveError(
      'too_long',
      `text too long: ${text.length} characters; live inference takes at most ${limits.maxChars} characters (and ${limits.maxTokens} tokens). Shorten the text.`,
      { characters: text.length, limit: limits.maxChars },
    );
  }
  if (!Array.isArray(hooks) || hooks.length === 0 || hooks.some((h) => typeof h !== 'string')) {
    throw new LiveError('input', 'hooks: expected a non-empty list of hook names such as "blocks.0.attn.hook_pattern"');
  }
  if (hooks.length > limits.maxHooks) throw new LiveError('input', `hooks: at most ${limits.maxHooks} per request, got ${hooks.length}`);
  const source = await (input.resolveSource ?? resolveModelSource)(modelSlug);
  return engine.submit({ slug: modelSlug, source, text, hooks: [...new Set(hooks)] });
}
