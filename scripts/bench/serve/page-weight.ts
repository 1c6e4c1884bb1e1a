/**
 * Page weight for scripts/bench/serve.ts: a page's HTML bytes, how much of it is Next's flight (RSC) payload
 * (the `self.__next_f.push(...)` scripts), and its DOM size as Chromium parses it (elements, as Lighthouse counts
 * them), with JavaScript off so the count is the server's HTML, not what scripts add.
 */
import { chromium, type Browser } from '@playwright/test';
import fs from 'node:fs';

export interface PageWeight {
  status: number;
  htmlBytes: number;
  flightBytes: number;
  domElements: number;
}

const FLIGHT_SCRIPT = /<script>self\.__next_f\.push\(([\s\S]*?)\)<\/script>/g;

export function flightBytes(html: string): number {
  let n = 0;
  for (const m of html.matchAll(FLIGHT_SCRIPT)) n += Buffer.byteLength(m[0]);
  return n;
}

export async function openBrowser(): Promise<Browser> {
  const debian = '/usr/bin/chromium';
  return chromium.launch({
    executablePath: process.env.HEADWIKI_CHROMIUM ?? (fs.existsSync(debian) ? debian : undefined),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
  });
}

export async function measurePage(browser: Browser, url: string): Promise<PageWeight> {
  const res = await fetch(url, { headers: { 'accept-encoding': 'identity' }, signal: AbortSignal.timeout(240_000) });
  const html = await res.text();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.route('**/*', (route) =>
      route.request().resourceType() === 'document'
        ? route.fulfill({ status: res.status, contentType: 'text/html', body: html })
        : route.abort(),
    );
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const domElements = await page.evaluate(() => document.getElementsByTagName('*').length);
    return { status: res.status, htmlBytes: Buffer.byteLength(html), flightBytes: flightBytes(html), domElements };
  } finally {
    await context.close();
  }
}
