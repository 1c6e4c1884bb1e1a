import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const base = 'http://127.0.0.1:3148';
const shots = [
  ['run', '/runs/r8ck3v5w1zd'],
  ['runs', '/models/stories260K/runs'],
  ['compare', '/compare?a=r4xq9m2k7p0&b=r8ck3v5w1zd'],
  ['search', '/search?q=induction%20%3E%200.5'],
  ['apidocs', '/docs/api'],
  ['runold', '/runs/r4xq9m2k7p0'],
];
for (const [name, path] of shots) {
  const res = await page.goto(base + path, { timeout: 180000 });
  console.log(name, res.status());
  await page.screenshot({ path: `/tmp/h8-${name}.png`, fullPage: name !== 'apidocs' });
}
await browser.close();
