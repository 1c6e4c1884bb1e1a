import { describe, expect, it } from 'vitest';
import { decodeQuerySegment, encodeQuerySegment, parseViewPath, queryRewrite } from './page-query';

describe('parseViewPath', () => {
  it('names every cached page, latest and pinned', () => {
    expect(parseViewPath('/models/gpt2-small')).toEqual({ kind: 'model', model: 'gpt2-small', runId: undefined });
    expect(parseViewPath('/runs/rabc/models/m/heads/1.3')).toEqual({ kind: 'head', model: 'm', runId: 'rabc', head: '1.3' });
    expect(parseViewPath('/models/m/layers/4')).toMatchObject({ kind: 'layer', layer: '4' });
    expect(parseViewPath('/runs/r/models/m/neurons/4/17')).toMatchObject({ kind: 'neuron', layer: '4', neuron: '17', runId: 'r' });
    expect(parseViewPath('/models/m/composition')).toMatchObject({ kind: 'composition', model: 'm' });
    expect(parseViewPath('/search')).toEqual({ kind: 'search' });
  });

  it('leaves every other path alone', () => {
    for (const p of [
      '/models',
      '/models/m/runs',
      '/runs/r',
      '/runs/r/models/m/heatmaps/x.png',
      '/api/v1/models',
      '/models/m/heads',
      '/models/%E0%A4%A/heads/1.2',
    ]) {
      expect(parseViewPath(p), p).toBeNull();
    }
  });
});

describe('queryRewrite', () => {
  it('sends the query to the cached twin, normalised: only what the page reads, sorted, first values, trimmed', () => {
    const a = queryRewrite('/models/m', '?sort=induction&dir=desc&utm_source=x&sort=copying');
    const b = queryRewrite('/models/m', '?dir=desc&sort=induction');
    expect(a).toBe(b);
    expect(a).toMatch(/^\/with-query\/[\w-]+\/models\/m$/);
    expect(decodeQuerySegment(a!.split('/')[2])).toEqual({ dir: 'desc', sort: 'induction' });
  });

  it('folds whitespace in search queries, so repeats of one query share an entry', () => {
    expect(queryRewrite('/search', '?q=%20little%20%20cat%20')).toBe(queryRewrite('/search', '?q=little+cat'));
    expect(decodeQuerySegment(queryRewrite('/search', '?q=little+cat&page=2')!.split('/')[2])).toEqual({ page: '2', q: 'little cat' });
  });

  it('sends live inference to the uncached twin with its query intact', () => {
    expect(queryRewrite('/models/m/heads/1.3', '?text=hello')).toBe('/live-query/models/m/heads/1.3?text=hello');
    expect(queryRewrite('/runs/r/models/m/neurons/0/5', '?probe=x&site=pre')).toBe(
      '/live-query/runs/r/models/m/neurons/0/5?probe=x&site=pre',
    );
    // An empty text is no live request.
    expect(queryRewrite('/models/m/heads/1.3', '?text=&embed=1')).toMatch(/^\/with-query\//);
  });

  it('serves the bare cached page when no parameter it reads is present, and ignores other paths', () => {
    expect(queryRewrite('/models/m', '?utm_source=paper')).toBe('/models/m');
    expect(queryRewrite('/models/m', '')).toBeNull();
    // A client-router flight request of the bare page is the bare page; with parameters, the twin.
    expect(queryRewrite('/models/m/heads/1.2', '?_rsc=abc')).toBeNull();
    expect(queryRewrite('/models/m', '?page=2&_rsc=abc')).toBe(queryRewrite('/models/m', '?page=2'));
    expect(queryRewrite('/models/m/runs', '?sort=x')).toBeNull();
    expect(queryRewrite('/api/v1/models', '?x=1')).toBeNull();
  });
});

describe('query segments', () => {
  it('round-trip any text, and read malformed segments as no parameters', () => {
    const q = { q: '"induction" > 0.5 & ünïcode / ?#', page: '3' };
    expect(decodeQuerySegment(encodeQuerySegment(q))).toEqual(q);
    expect(decodeQuerySegment('not base64!')).toEqual({});
    expect(decodeQuerySegment('x'.repeat(3000))).toEqual({});
  });
});
