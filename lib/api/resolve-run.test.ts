import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';

// The database is another module's concern; here only the resolution rules are under test.
const db = vi.hoisted(() => ({
  models: new Map<string, unknown>(),
  runs: new Map<string, unknown>(),
}));
vi.mock('@/lib/db/models', () => ({ getModel: async (slug: string) => db.models.get(slug) ?? null }));
vi.mock('@/lib/db/runs', () => ({
  getRun: async (id: string) => db.runs.get(id) ?? null,
  getLatestPublishedRun: async (slug: string) =>
    [...db.runs.values()]
      .map((r) => r as RunInfo)
      .filter((r) => r.modelSlug === slug && r.status === 'published')
      .sort((a, b) => b.publishedAt!.getTime() - a.publishedAt!.getTime())[0] ?? null,
}));

const { resolveModelRun, requireModelRun } = await import('./resolve-run');

const model = { slug: 'stories260K', nLayers: 5, nHeads: 8 } as ModelInfo;
function run(id: string, modelSlug: string, status: RunInfo['status'], publishedAt: string | null): RunInfo {
  return {
    id,
    modelSlug,
    corpusSlug: null,
    status,
    options: {},
    codeVersion: 'test',
    seed: 0,
    metricVersions: {},
    error: null,
    createdAt: new Date('2025-01-01T00:00:00Z'),
    publishedAt: publishedAt ? new Date(publishedAt) : null,
    durationMs: null,
  };
}

beforeEach(() => {
  db.models.clear();
  db.runs.clear();
  db.models.set('stories260K', model);
  db.models.set('other', { slug: 'other' });
  db.runs.set('rOld', run('rOld', 'stories260K', 'published', '2025-01-02T00:00:00Z'));
  db.runs.set('rNew', run('rNew', 'stories260K', 'published', '2025-02-01T00:00:00Z'));
  db.runs.set('rRunning', run('rRunning', 'stories260K', 'running', null));
  db.runs.set('rOther', run('rOther', 'other', 'published', '2025-03-01T00:00:00Z'));
});

describe('resolveModelRun', () => {
  it('follows the latest published run unless pinned', async () => {
    expect(await resolveModelRun('stories260K')).toMatchObject({ status: 'ok', run: { id: 'rNew' }, pinned: false });
    expect(await resolveModelRun('stories260K', 'rOld')).toMatchObject({ status: 'ok', run: { id: 'rOld' }, pinned: true });
  });

  it("treats unpublished runs and other models' runs as absent", async () => {
    expect((await resolveModelRun('stories260K', 'rRunning')).status).toBe('unknown-run');
    expect((await resolveModelRun('stories260K', 'rOther')).status).toBe('unknown-run');
    expect((await resolveModelRun('stories260K', 'rNope')).status).toBe('unknown-run');
  });

  it('tells an unknown model from a model without a published run', async () => {
    expect((await resolveModelRun('nope')).status).toBe('unknown-model');
    db.runs.delete('rOther');
    expect((await resolveModelRun('other')).status).toBe('no-published-run');
  });

  it('gives the API a 404 naming what is missing', async () => {
    await expect(requireModelRun('nope')).rejects.toMatchObject({ status: 404, message: expect.stringContaining('unknown model "nope"') });
    await expect(requireModelRun('stories260K', 'rRunning')).rejects.toMatchObject({
      status: 404,
      message: 'run "rRunning" is not a published run of model "stories260K"',
    });
  });
});
