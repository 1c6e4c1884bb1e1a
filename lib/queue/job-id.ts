import { createHash } from 'node:crypto';

/**
 * A pg-boss job id derived from a name (an RFC 4122 version-5-style UUID from SHA-1). pg-boss inserts
 * with ON CONFLICT DO NOTHING, so sending twice with the same id enqueues once: the run's finalize
 * job can be sent by whichever job finishes last, even by two at once, or again on a retry.
 */
export function deterministicJobId(name: string): string {
  const h = createHash('sha1').update(`headwiki:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
