/**
 * DEV: the reader's-pass figures of issue 18, measured in headless Chromium against a running site.
 *
 *   npx tsx scripts/dev/page-audit.ts http://localhost:3000 [--shots DIR]
 *
 * Prints, per page: the widest element's right edge at 390 px (what overflows a phone); the head page's
 * attention-pattern y at 1,400 and 390 px; tab stops on the model and composition pages; contrast ratios of
 * the muted and greyed-token colours. With --shots, full-page screenshots at both widths.
 */
import { chromium, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

const base = (process.argv[2] ?? 'http://localhost:3000').replace(/\/$/, '');
const shotsAt = process.argv.indexOf('--shots');
const shots = shotsAt > 0 ? process.argv[shotsAt + 1] : null;
const model = process.env.AUDIT_MODEL ?? 'stories260K';
/** Which measurements: AUDIT_PARTS=overflow,head,tabs,contrast (default all). */
const parts = new Set((process.env.AUDIT_PARTS ?? 'overflow,head,tabs,contrast').split(','));

async function firstRunId(page: Page): Promise<string> {
  const res = await page.request.get(`${base}/api/v1/models/${model}/runs`);
  const body = await res.json();
  return body.runs?.[0]?.id ?? body.data?.[0]?.id ?? '';
}

/** The right edge of the widest visible element, and which one it is (the page's horizontal overflow). */
async function widest(page: Page): Promise<{ right: number; what: string; scrollWidth: number }> {
  return page.evaluate(() => {
    let right = 0;
    let what = '';
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // Content clipped by a scrolling ancestor is not overflow of the page.
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') {
          clipped = true;
          break;
        }
      }
      if (clipped) continue;
      if (r.right > right) {
        right = r.right;
        what = `${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').split(' ')[0]}`;
      }
    }
    return { right: Math.round(right), what, scrollWidth: document.documentElement.scrollWidth };
  });
}

/** Elements the Tab key stops at (visible, focusable, not tabindex=-1). */
async function tabStops(page: Page): Promise<number> {
  return page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]';
    return Array.from(document.querySelectorAll<HTMLElement>(sel)).filter((el) => {
      if (el.hasAttribute('disabled')) return false;
      const ti = el.getAttribute('tabindex');
      if (ti !== null && Number(ti) < 0) return false;
      if (el.closest('[inert]')) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    }).length;
  });
}

/** WCAG contrast ratio of an element's text colour on white. */
async function contrastOf(page: Page, selector: string): Promise<number | null> {
  const color = await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el ? getComputedStyle(el).color : null;
  }, selector);
  const m = color ? /rgba?\((\d+), (\d+), (\d+)/.exec(color) : null;
  if (!m) return null;
  const lum = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const L = 0.2126 * lum(+m[1]) + 0.7152 * lum(+m[2]) + 0.0722 * lum(+m[3]);
  return Math.round((1.05 / (L + 0.05)) * 100) / 100;
}

async function main() {
  const browser = await chromium.launch({
    executablePath: fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    args: ['--no-sandbox'],
  });
  const page = await browser.newPage();
  const runId = await firstRunId(page);
  const pages: [string, string][] = [
    ['home', '/'],
    ['models', '/models'],
    ['model', `/models/${model}`],
    ['head', `/models/${model}/heads/1.4`],
    ['composition', `/models/${model}/composition`],
    ['layer', `/models/${model}/layers/1`],
    ['neuron', `/models/${model}/neurons/1/5`],
    ['runs', `/models/${model}/runs`],
    ['run', `/runs/${runId}`],
    ['search', '/search?q=induction'],
    ['metrics', '/metrics'],
    ['api-docs', '/docs/api'],
    ['embed', `/models/${model}/heads/1.4?embed=1`],
  ];
  if (shots) fs.mkdirSync(shots, { recursive: true });
  for (const width of [390, 1400]) {
    await page.setViewportSize({ width, height: 900 });
    for (const [name, url] of parts.has('overflow') ? pages : []) {
      await page.goto(base + url, { waitUntil: 'networkidle' });
      const w = await widest(page);
      const over = w.right > width ? `OVERFLOWS to x=${w.right} (${w.what})` : 'fits';
      console.log(`${width}px ${name.padEnd(12)} scrollWidth=${w.scrollWidth} widest right=${w.right} ${over}`);
      if (shots) await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    }
    if (!parts.has('head')) continue;
    await page.goto(`${base}/models/${model}/heads/1.4`, { waitUntil: 'networkidle' });
    const y = await page.evaluate(() => {
      const el = document.querySelector('[data-testid="attention-pattern"]');
      return el ? Math.round(el.getBoundingClientRect().top + window.scrollY) : null;
    });
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`${width}px head page: attention pattern at y=${y}, page height ${height}`);
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  for (const [name, url] of !parts.has('tabs')
    ? []
    : [
        ['model', `/models/${model}`],
        ['composition', `/models/${model}/composition`],
        ['head', `/models/${model}/heads/1.4`],
        ['neuron', `/models/${model}/neurons/1/5`],
      ]) {
    await page.goto(base + url, { waitUntil: 'networkidle' });
    console.log(`tab stops ${name}: ${await tabStops(page)}`);
  }
  if (!parts.has('contrast')) return void (await browser.close());
  await page.goto(`${base}/models/${model}/heads/1.4`, { waitUntil: 'networkidle' });
  console.log(`contrast .muted: ${await contrastOf(page, '.muted')}:1`);
  console.log(`contrast greyed context token (.vtok.after): ${await contrastOf(page, '.vtok.after')}:1`);
  console.log(`contrast future token (.token.future): ${await contrastOf(page, '.token.future')}:1`);
  console.log(`contrast footer: ${await contrastOf(page, '.site-footer')}:1`);
  const underlined = await page.evaluate(() => {
    const a = document.querySelector('.prose a, p a');
    return a ? getComputedStyle(a).textDecorationLine : null;
  });
  console.log(`paragraph link text-decoration: ${underlined}`);
  await browser.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
