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

export class LiveError extends Error {
  readonly status: number;
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
  return err instanceof LiveError;
}
