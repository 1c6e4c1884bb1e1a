import { defineConfig } from '@playwright/test';
import fs from 'node:fs';

// Debian's Chromium where present (machines without Playwright's browser download), else Playwright's own.
const debianChromium = '/usr/bin/chromium';
const executablePath = process.env.HEADWIKI_CHROMIUM ?? (fs.existsSync(debianChromium) ? debianChromium : undefined);
const port = Number(process.env.HEADWIKI_E2E_PORT ?? 3100);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // The real `npm start` path, on its own port and its own embedded Postgres data directory.
    command: 'npx tsx scripts/start.ts',
    url: `http://127.0.0.1:${port}/api/v1/models`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HEADWIKI_STATE_DIR: process.env.HEADWIKI_E2E_STATE_DIR ?? '.headwiki/e2e',
      HEADWIKI_PG_PORT: process.env.HEADWIKI_E2E_PG_PORT ?? '54339',
      NEXT_TELEMETRY_DISABLED: '1',
      // Loopback is trusted as a proxy, so a spec can speak as another client with X-Forwarded-For (the fuzz has its
      // own rate-limit budgets); requests without the header are 127.0.0.1 as before.
      HEADWIKI_TRUSTED_PROXIES: '127.0.0.1,::1',
      HEADWIKI_PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
  },
});
