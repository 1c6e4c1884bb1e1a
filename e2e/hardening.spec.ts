import { expect, test, type APIResponse } from '@playwright/test';

/**
 * Serving hardening against `npm start`'s server: security headers and a Content-Security-Policy the pages run
 * under without a violation, embeds frameable, permalinks from HEADWIKI_PUBLIC_URL (never the Host header), and
 * one live-inference budget per client for pages and API. Clients are told apart by X-Forwarded-For, which the
 * e2e server honours from loopback only because playwright.config.ts names loopback in HEADWIKI_TRUSTED_PROXIES.
 */

test('pages carry the security headers and run under their Content-Security-Policy without a violation', async ({ page, request }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const pages = [
    '/models/stories260K',
    '/models/stories260K/heads/1.3',
    '/models/stories260K/neurons/0/5',
    '/models/stories260K/composition',
    '/search?q=little',
    '/docs/api',
  ];
  for (const path of pages) {
    const res = await page.goto(path);
    expect(res?.status()).toBe(200);
    const h = res!.headers();
    expect(h['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(h['content-security-policy']).toContain("object-src 'none'");
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin');
    await page.waitForLoadState('networkidle');
  }
  // Scripts ran (the attention viewer hydrates and answers the keyboard) and nothing was blocked.
  await page.goto('/models/stories260K/heads/1.3');
  await expect(page.locator('svg').first()).toBeVisible();
  expect(violations).toEqual([]);

  const embed = await request.get('/models/stories260K/heads/1.3?embed=1');
  expect(embed.headers()['content-security-policy']).toContain('frame-ancestors *');
  const api = await request.get('/api/v1/models');
  expect(api.headers()['x-content-type-options']).toBe('nosniff');
});

test('permalinks come from HEADWIKI_PUBLIC_URL, not from the Host header', async ({ request, baseURL }) => {
  const html = await (
    await request.get('/models/stories260K', { headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil2.example' } })
  ).text();
  expect(html.includes('evil.example') || html.includes('evil2.example')).toBe(false);
  // playwright.config.ts sets HEADWIKI_PUBLIC_URL to the base URL.
  const permalink = /data-testid="permalink">([^<]*)</.exec(html)?.[1];
  expect(permalink).toMatch(new RegExp(`^${baseURL!.replace(/[.:/]/g, '\\$&')}/runs/r[0-9a-z]+/models/stories260K$`));
});

test('one live budget per client: at least 60 runs a minute, then 429 with Retry-After, shared by the API and the pages', async ({
  request,
}) => {
  const client = { 'X-Forwarded-For': '203.0.113.61' };
  const url = '/api/v1/models/stories260K/attention?text=Once%20upon&layer=1&head=3';
  let ok = 0;
  let limited: APIResponse | null = null;
  for (let i = 0; i < 80 && !limited; i++) {
    const res = await request.get(url, { headers: client });
    if (res.status() === 200) ok++;
    else if (res.status() === 429) limited = res;
    else throw new Error(`unexpected ${res.status()}: ${await res.text()}`);
  }
  expect(ok).toBeGreaterThanOrEqual(60);
  expect(limited).not.toBeNull();
  expect(Number(limited!.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
  expect((await limited!.json()).error).toMatchObject({ status: 429, bucket: 'live' });

  // The same client's page form draws on the same budget... (the bucket refills one run a second: on a slow machine a
  // token may come back between the 429 and the page, so drain again before each try)
  let pageHtml = '';
  for (let attempt = 0; attempt < 5 && !pageHtml.includes('too many live requests'); attempt++) {
    while ((await request.get(url, { headers: client })).status() === 200);
    pageHtml = await (await request.get('/models/stories260K/heads/1.3?text=Once%20upon', { headers: client })).text();
  }
  expect(pageHtml).toContain('too many live requests');
  // ...and another client has its own.
  expect((await request.get(url, { headers: { 'X-Forwarded-For': '203.0.113.62' } })).status()).toBe(200);
});
