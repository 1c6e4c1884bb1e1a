/**
 * The one live-inference budget per client: every live run — the attention, detect and probe endpoints, a head
 * page's `?text=`, a neuron page's `?probe=` — takes a token from the same `live` bucket (LIVE_REQUESTS_PER_MINUTE
 * a minute, bursts as large), so pages and the API cannot be played against each other. Returns null when the
 * run may go ahead, else the 429 to answer (JSON, Retry-After); pages show its message instead.
 */
import { LIVE_REQUESTS_PER_MINUTE } from '@/lib/live/limits';
import { rateLimit } from './rate-limit';

export function takeLiveRun(request: Request | { headers: Headers }): Response | null {
  return rateLimit(request, { bucket: 'live', perMinute: LIVE_REQUESTS_PER_MINUTE });
}

/** For pages: null when the run may go ahead, else the sentence to show the reader instead of the result. */
export function liveBudgetRefusal(request: Request | { headers: Headers }): string | null {
  const limited = takeLiveRun(request);
  if (!limited) return null;
  return `too many live requests: the limit is ${LIVE_REQUESTS_PER_MINUTE} a minute per visitor, pages and API together; try again in ${limited.headers.get('Retry-After') ?? 'a few'} s`;
}
