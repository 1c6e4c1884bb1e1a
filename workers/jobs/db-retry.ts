/**
 * Riding out a database restart: a job's few database calls are retried while Postgres is unreachable
 * (connection refused/reset, server shutting down), so that the job finishes once it is back instead of
 * failing — and pg-boss' own calls reconnect by themselves. Other errors are thrown at once.
 */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', 'P1001', 'P1017', 'P2024']);
const TRANSIENT_MESSAGE =
  /connection terminated|terminating connection|ECONNREFUSED|ECONNRESET|the database system is (starting up|shutting down)|Can't reach database|server closed the connection|Connection refused|DatabaseNotReachable|ConnectionClosed|Timed out fetching a new connection|Client has encountered a connection error|Connection terminated unexpectedly/i;

export function isTransientDbError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const anyErr = e as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    if (typeof anyErr.code === 'string' && TRANSIENT_CODES.has(anyErr.code)) return true;
    if (typeof anyErr.message === 'string' && TRANSIENT_MESSAGE.test(anyErr.message)) return true;
    const kind =
      (anyErr.cause as { kind?: unknown } | undefined)?.kind ??
      (anyErr.meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)?.driverAdapterError?.cause?.kind;
    if (typeof kind === 'string' && /NotReachable|ConnectionClosed|SocketTimeout/.test(kind)) return true;
    e = anyErr.cause;
  }
  return false;
}

export async function withDbRetry<T>(
  what: string,
  fn: () => Promise<T>,
  options: { maxMs?: number; log?: (msg: string) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (options.maxMs ?? 5 * 60_000);
  let delayMs = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransientDbError(err) || Date.now() + delayMs > deadline) throw err;
      if (attempt === 1)
        options.log?.(`${what}: database unreachable (${err instanceof Error ? err.message.split('\n')[0] : err}); retrying`);
      await new Promise((r) => setTimeout(r, delayMs));
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }
}
