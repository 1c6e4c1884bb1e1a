/**
 * Every `/api/v1` route and the methods its handler answers, for the request proxy (proxy.ts): a path no route
 * matches gets the API's JSON 404, a method the route does not answer a JSON 405 with `Allow` — before Next,
 * whose own answers are an HTML page (unknown paths), an empty 405 without `Allow`, or an empty 400/500 for
 * methods it does not know (TRACE). lib/api/api-routes.test.ts checks this list against the route files in
 * app/api and the OpenAPI endpoint list, so a new route cannot be forgotten here.
 */
export type ApiMethod = 'GET' | 'POST';

export interface ApiRoute {
  /** OpenAPI form: `{name}` is one path segment. */
  path: string;
  methods: readonly ApiMethod[];
}

export const API_ROUTES: readonly ApiRoute[] = [
  { path: '/api/v1/compare', methods: ['GET'] },
  { path: '/api/v1/metrics', methods: ['GET'] },
  { path: '/api/v1/models', methods: ['GET'] },
  { path: '/api/v1/models/{model}/attention', methods: ['GET', 'POST'] },
  { path: '/api/v1/models/{model}/circuits', methods: ['GET'] },
  { path: '/api/v1/models/{model}/circuits/{task}', methods: ['GET'] },
  { path: '/api/v1/models/{model}/composition', methods: ['GET'] },
  { path: '/api/v1/models/{model}/detect', methods: ['GET'] },
  { path: '/api/v1/models/{model}/heads', methods: ['GET'] },
  { path: '/api/v1/models/{model}/heads/{layer}/{head}', methods: ['GET'] },
  { path: '/api/v1/models/{model}/heads/{layer}/{head}/examples', methods: ['GET'] },
  { path: '/api/v1/models/{model}/labels', methods: ['GET'] },
  { path: '/api/v1/models/{model}/literature', methods: ['GET'] },
  { path: '/api/v1/models/{model}/neurons/{layer}', methods: ['GET'] },
  { path: '/api/v1/models/{model}/neurons/{layer}/{neuron}', methods: ['GET'] },
  { path: '/api/v1/models/{model}/neurons/{layer}/{neuron}/probe', methods: ['GET', 'POST'] },
  { path: '/api/v1/models/{model}/roles', methods: ['GET'] },
  { path: '/api/v1/models/{model}/runs', methods: ['GET'] },
  { path: '/api/v1/openapi.json', methods: ['GET'] },
  { path: '/api/v1/runs', methods: ['GET'] },
  { path: '/api/v1/runs/{runId}', methods: ['GET'] },
  { path: '/api/v1/runs/{runId}/export/{file}', methods: ['GET'] },
  { path: '/api/v1/runs/{runId}/progress', methods: ['GET'] },
  { path: '/api/v1/search', methods: ['GET'] },
  { path: '/api/v1/diffs', methods: ['GET'] },
  { path: '/api/v1/diffs/{diffId}', methods: ['GET'] },
  { path: '/api/v1/diffs/{diffId}/export/{file}', methods: ['GET'] },
  { path: '/api/v1/diffs/{diffId}/progress', methods: ['GET'] },
  { path: '/api/v1/series/{seriesId}', methods: ['GET'] },
];

const compiled = API_ROUTES.map((route) => ({ route, segments: route.path.split('/').slice(1) }));

/** The route serving `pathname` (as in the URL, percent-encoded), or null. */
export function matchApiRoute(pathname: string): ApiRoute | null {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  for (const { route, segments } of compiled) {
    if (segments.length !== parts.length) continue;
    if (segments.every((s, i) => (s.startsWith('{') ? parts[i] !== '' : s === parts[i]))) return route;
  }
  return null;
}

/** The methods a route answers, as an `Allow` header: HEAD with GET (Next derives it), OPTIONS always (CORS preflight). */
export function allowedMethods(route: ApiRoute): string[] {
  return [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}
