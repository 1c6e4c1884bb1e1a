/** Messages between the server process and the live-inference worker process (structured clone over IPC). */
import type { LiveErrorKind } from './errors';

export interface LiveRequestMessage {
  type: 'forward';
  id: number;
  /** Model slug, as in the database. */
  slug: string;
  /** A bundled model's name, a checkpoint file or a model folder: what lib/models/registry.ts resolves. */
  source: string;
  text: string;
  hooks: string[];
  maxTokens: number;
}

export interface LiveActivation {
  shape: number[];
  data: Float32Array;
}

export interface LiveForwardResult {
  modelSlug: string;
  /** Token ids, BOS first. */
  tokenIds: number[];
  /** Raw vocabulary pieces of tokenIds (format them with lib/format/token-display.ts). */
  tokens: string[];
  /** Hook name → activation (batch 1). */
  activations: Record<string, LiveActivation>;
}

export type LiveResponseMessage =
  | { type: 'result'; id: number; result: LiveForwardResult }
  | { type: 'error'; id: number; kind: LiveErrorKind; message: string; details?: Record<string, unknown> };
