/**
 * Bounds on live inference, so that a visitor's custom text can never tie up the server:
 * text length (characters before tokenizing, tokens after), hooks per request, how many
 * requests may wait, and how long one may run.
 */
export const LIVE_LIMITS = {
  /** Tokens per text, BOS included (further capped by the model's n_ctx). */
  maxTokens: 256,
  /** Characters per text, checked before tokenizing (a token is rarely longer than 16 characters). */
  maxChars: 4096,
  /** Hooks per request. */
  maxHooks: 64,
  /** Requests waiting behind the running one; beyond this a request is refused as busy. */
  maxBacklog: 8,
  /** Milliseconds one request may run (model load included) before its worker is killed and restarted. */
  runTimeoutMs: 30_000,
  /** Milliseconds a request may wait in the queue before it is refused as busy. */
  queueTimeoutMs: 30_000,
  /** Milliseconds an idle worker process stays alive (keeping its loaded models) before it exits. */
  idleExitMs: 5 * 60_000,
} as const;

export type LiveLimits = { -readonly [K in keyof typeof LIVE_LIMITS]: number };

/**
 * Live runs a client may make per minute: one budget (the `live` rate-limit bucket, lib/api/live-budget.ts) for every
 * live feature, pages and API alike; over it, 429 with Retry-After. HEADWIKI_LIVE_PER_MINUTE overrides it.
 */
export const LIVE_REQUESTS_PER_MINUTE =
  Number(process.env.HEADWIKI_LIVE_PER_MINUTE) > 0 ? Number(process.env.HEADWIKI_LIVE_PER_MINUTE) : 60;

/** Seconds a client refused as busy (a full queue, a wait too long) is told to wait before retrying. */
export const LIVE_BUSY_RETRY_AFTER_S = 5;
