/**
 * What proxy.ts refuses before a request reaches an `/api` route handler, each in the API's one error shape
 * (lib/api/errors.ts): a path no route serves (404), a method the route does not answer (405 with `Allow`),
 * a body over MAX_BODY_BYTES by its Content-Length (413; route handlers also stop reading at that size,
 * lib/api/body.ts, for bodies sent without a length).
 */
import { allowedMethods, matchApiRoute } from './api-routes';
import { jsonError } from './errors';

/** Largest request body the API reads: live text is at most 4,096 characters, so 1 MB is generous. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function refuseApiRequest(method: string, pathname: string, headers: Headers): Response | null {
  const route = matchApiRoute(pathname);
  if (!route) {
    return jsonError(404, `no API endpoint at ${pathname.slice(0, 200)}; every endpoint is listed in /api/v1/openapi.json`);
  }
  const allowed = allowedMethods(route);
  if (!allowed.includes(method.toUpperCase())) {
    const response = jsonError(405, `method ${method.slice(0, 20)} is not allowed here; ${route.path} answers ${allowed.join(', ')}`, {
      allow: allowed,
    });
    response.headers.set('Allow', allowed.join(', '));
    return response;
  }
  const length = headers.get('content-length');
  if (length !== null && /^\d+$/.test(length.trim()) && Number(length) > MAX_BODY_BYTES) {
    return jsonError(
      413,
      `request body too large: ${Number(length).toLocaleString('en-US')} bytes; the API reads at most ${MAX_BODY_BYTES.toLocaleString('en-US')}`,
      {
        limitBytes: MAX_BODY_BYTES,
      },
    );
  }
  return null;
}
