import { vi } from 'vitest';
vi.mock('../../scripts/db/test-database', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { startEmbeddedPostgres } = await import('../../scripts/db/embedded-postgres');
  const { applyMigrations } = await import('../../scripts/db/migrate');
  return {
    async startTestDatabase() {
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'h8-pg-'));
      fs.chmodSync(parent, 0o755);
      const server = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), ephemeral: true });
      await applyMigrations(server.url, { migrationsDir: '/tmp/h8-mig' });
      return { url: server.url, port: server.port, async stop() { await server.stop(); fs.rmSync(parent, { recursive: true, force: true }); } };
    },
  };
});
await import(process.env.H8_TEST!);
