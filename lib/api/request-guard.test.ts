import { describe, expect, it } from 'vitest';
import { readJsonBody } from './body';
import { MAX_BODY_BYTES, refuseApiRequest } from './request-guard';

const none = new Headers();

describe('refuseApiRequest (proxy.ts)', () => {
  it('answers unknown paths with the JSON 404', async () => {
    const res = refuseApiRequest('GET', '/api/v1/nosuch', none)!;
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).error).toMatchObject({ status: 404, message: expect.stringMatching(/no API endpoint at \/api\/v1\/nosuch/) });
    expect(refuseApiRequest('TRACE', '/api/nope', none)?.status).toBe(404);
  });

  it('answers methods a route does not take with a JSON 405 and Allow', async () => {
    for (const method of ['TRACE', 'DELETE', 'PUT', 'PATCH', 'POST', 'CONNECT', 'FOO']) {
      const res = refuseApiRequest(method, '/api/v1/models', none)!;
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect((await res.json()).error).toMatchObject({ status: 405, allow: ['GET', 'HEAD', 'OPTIONS'] });
    }
    expect(refuseApiRequest('POST', '/api/v1/models/m/attention', none)).toBeNull();
    expect(refuseApiRequest('HEAD', '/api/v1/models', none)).toBeNull();
    expect(refuseApiRequest('OPTIONS', '/api/v1/search', none)).toBeNull();
  });

  it('answers a declared body over the limit with 413', async () => {
    const big = new Headers({ 'content-length': String(20 * 1024 * 1024) });
    const res = refuseApiRequest('POST', '/api/v1/models/m/attention', big)!;
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ status: 413, limitBytes: MAX_BODY_BYTES });
    expect(refuseApiRequest('POST', '/api/v1/models/m/attention', new Headers({ 'content-length': '100' }))).toBeNull();
  });
});

describe('readJsonBody', () => {
  const streamed = (text: string, chunk = 64 * 1024) =>
    new Request('http://x', {
      method: 'POST',
      // A stream has no Content-Length: the limit must hold while reading.
      body: new ReadableStream({
        start(c) {
          const bytes = new TextEncoder().encode(text);
          for (let i = 0; i < bytes.length; i += chunk) c.enqueue(bytes.subarray(i, i + chunk));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);

  it('parses JSON, refuses malformed JSON (400) and bodies over the limit (413) without a Content-Length', async () => {
    expect(await readJsonBody(streamed('{"text": "a"}'), '{}')).toEqual({ text: 'a' });
    await expect(readJsonBody(streamed('{"text"'), '{"text": "x"}')).rejects.toMatchObject({
      status: 400,
      message: 'body: expected JSON such as {"text": "x"}',
    });
    await expect(readJsonBody(streamed(`{"text": "${'a'.repeat(2 * MAX_BODY_BYTES)}"}`), '{}')).rejects.toMatchObject({ status: 413 });
  });
});
