/**
 * Errors of live inference, each with the HTTP status an API route should answer with.
 * The messages are written for the visitor who typed the text.
 */
export type LiveErrorKind = 'input' | 'too_long' | 'unknown_model' | 'busy' | 'timeout' | 'engine';

const STATUS: Record<LiveErrorKind, number> = {
  input: 400,
  too_long: 413,
  unknown_model: 404,
  busy: 503,
  timeout: 504,
  engine: 500,
};

/**
 * Marks LiveErrors across module copies: Next bundles lib/live once per server layer (route handlers, server
 * components), while the one live engine on globalThis creates its errors with whichever copy started it —
 * so `instanceof` alone misses errors made by the other copy (a too-long text became a 500 on the head page).
 */
const BRAND = Symbol.for('headwiki.LiveError');

export class LiveError extends Error {
  readonly status: number;
  readonly [BRAND] = true;
  constructor(
    readonly kind: LiveErrorKind,
    message: string,
    /** Machine-readable extras for the API body, e.g. `{ limit: 256, tokens: 300 }`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LiveError';
    this.status = STATUS[kind];
  }
}

export function isLiveError(err: unknown): err is LiveError {
  return err instanceof LiveError || (err instanceof Error && (err as unknown as Record<symbol, unknown>)[BRAND] === true);
}
