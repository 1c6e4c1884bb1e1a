// The stamping server in front of Next, with a stand-in handler: the socket's address reaches the app whatever
// the client writes, and requests Node refuses get the JSON error shape.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_HEADER } from '../../lib/api/client-address';
import { createStampingServer, MAX_HEADER_BYTES } from './serve-next';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = createStampingServer((req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ peer: req.headers[PEER_HEADER] ?? null, xff: req.headers['x-forwarded-for'] ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function get(
  headers: Record<string, string>,
  method = 'GET',
  path = '/api/v1/models',
): Promise<{ status: number; type: string; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), allow: res.headers.allow, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createStampingServer', () => {
  it('stamps the socket address, replacing a forged stamp; X-Forwarded-For passes untouched', async () => {
    const res = await get({ [PEER_HEADER]: '6.6.6.6', 'X-Forwarded-For': '1.2.3.4' });
    expect(JSON.parse(res.body)).toEqual({ peer: '127.0.0.1', xff: '1.2.3.4' });
  });

  it('answers oversized headers with a JSON 431', async () => {
    const res = await get({ 'X-Big': 'x'.repeat(MAX_HEADER_BYTES + 100) });
    expect(res.status).toBe(431);
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: { status: 431, message: expect.stringMatching(/headers too large/) } });
  });

  it('answers methods Next has no handler for with a JSON 405 and Allow (a JSON 404 at an unknown API path)', async () => {
    const api = await get({}, 'TRACE');
    expect([api.status, api.allow]).toEqual([405, 'GET, HEAD, OPTIONS']);
    expect(JSON.parse(api.body).error.status).toBe(405);
    const page = await get({}, 'TRACE', '/models/x');
    expect([page.status, page.allow, page.type]).toEqual([405, 'GET, HEAD, POST', 'application/json']);
    expect((await get({}, 'TRACE', '/api/v1/nosuch')).status).toBe(404);
    expect((await get({}, 'GET')).status).toBe(200);
  });

  it('answers a HEAD with oversized headers with the status line and headers only', async () => {
    const res = await get({ 'X-Big': 'x'.repeat(MAX_HEADER_BYTES + 100) }, 'HEAD');
    expect([res.status, res.body]).toEqual([431, '']);
  });
});
