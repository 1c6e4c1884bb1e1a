/**
 * The load generator of scripts/bench/serve.ts: `connections` clients, each sending its next request as soon as
 * the previous answer is read (closed loop, like wrk/autocannon), over keep-alive sockets, for `seconds`.
 * node:http rather than fetch: its per-request cost is a fraction of undici's fetch, and the clients share the
 * machine with the server, so a cheap client keeps the ratios honest.
 */
import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  /** Status codes seen, with counts (non-2xx/304 count as errors). */
  statuses: Record<string, number>;
  reqPerS: number;
  p50: number;
  p99: number;
  bytes: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function drive(
  base: string,
  path: string,
  { connections, seconds }: { connections: number; seconds: number },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(path, base);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.get(url, { agent, headers: { 'accept-encoding': 'identity' } }, (res) => {
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          latencies.push(performance.now() - start);
          const s = String(res.statusCode);
          statuses[s] = (statuses[s] ?? 0) + 1;
          if (!(res.statusCode! < 300 || res.statusCode === 304)) errors++;
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      });
      req.on('error', () => {
        statuses.error = (statuses.error ?? 0) + 1;
        errors++;
        resolve();
      });
    });
  const client = async () => {
    while (performance.now() < end) await one();
  };
  await Promise.all(Array.from({ length: connections }, client));
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statuses,
    reqPerS: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    bytes,
  };
}
