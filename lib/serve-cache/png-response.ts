/**
 * A PNG of a published run (immutable): a year's caching for browsers and a strong ETag. The request is not read,
 * so that Next can render the route once and serve it from its cache (lib/serve-cache).
 */
import { createHash } from 'node:crypto';
import { cacheControl } from '@/lib/api/respond';

export function pngResponse(png: Buffer): Response {
  return new Response(new Uint8Array(png), {
    status: 200,
    headers: {
      'Content-Type': 'image/png',
      'Cache-Control': cacheControl(true),
      ETag: `"${createHash('sha1').update(png).digest('base64url')}"`,
    },
  });
}
