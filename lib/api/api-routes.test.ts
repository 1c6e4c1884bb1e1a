import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedMethods, API_ROUTES, matchApiRoute } from './api-routes';
import { ENDPOINTS } from './openapi';

const API_DIR = path.join(__dirname, '../../app/api');

/** Every route file under app/api as (OpenAPI path, exported methods). */
function routeFiles(): { path: string; methods: string[] }[] {
  const out: { path: string; methods: string[] }[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(abs);
      else if (entry.name === 'route.ts') {
        const rel = path
          .relative(path.join(API_DIR, '..'), dir)
          .split(path.sep)
          .map((s) => s.replace(/^\[(.+)\]$/, '{$1}'));
        const src = fs.readFileSync(abs, 'utf8');
        const methods = [...src.matchAll(/export (?:const|async function) (GET|POST|PUT|DELETE|PATCH)\b/g)].map((m) => m[1]).sort();
        out.push({ path: `/${rel.join('/')}`, methods });
      }
    }
  };
  visit(API_DIR);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

describe('the API route table', () => {
  it('lists exactly the route files under app/api and the methods they export', () => {
    expect(
      [...API_ROUTES].map((r) => ({ path: r.path, methods: [...r.methods].sort() })).sort((a, b) => a.path.localeCompare(b.path)),
    ).toEqual(routeFiles());
  });

  it('agrees with the OpenAPI endpoint list', () => {
    const documented = new Map<string, string[]>();
    for (const e of ENDPOINTS) documented.set(e.path, [...(documented.get(e.path) ?? []), e.method ?? 'GET'].sort());
    expect(new Map(API_ROUTES.map((r) => [r.path, [...r.methods].sort()]))).toEqual(documented);
  });

  it('matches paths segment by segment', () => {
    expect(matchApiRoute('/api/v1/models/stories260K/heads/1/3')?.path).toBe('/api/v1/models/{model}/heads/{layer}/{head}');
    expect(matchApiRoute('/api/v1/models/stories260K/heads/1/3/')?.path).toBe('/api/v1/models/{model}/heads/{layer}/{head}');
    expect(matchApiRoute('/api/v1/runs/r1/export/head-metrics.csv')?.path).toBe('/api/v1/runs/{runId}/export/{file}');
    expect(matchApiRoute('/api/v1/models//heads')).toBeNull();
    expect(matchApiRoute('/api/v1/nosuch')).toBeNull();
    expect(matchApiRoute('/api/v1/models/x/heads/1')).toBeNull();
    expect(allowedMethods(matchApiRoute('/api/v1/models/x/attention')!)).toEqual(['GET', 'POST', 'HEAD', 'OPTIONS']);
  });
});
