// The migration tooling on a real Postgres: the committed migrations match schema.prisma, are
// recorded in _prisma_migrations exactly as Prisma records them, and new migrations get generated.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../lib/paths';
import { applyMigrations } from '../../lib/postgres/migrate';
import { createNewMigration, diffMigrationsToSchema, migrationSlug, timestampPrefix } from './new-migration';
import { pgConfigFromUrl } from '../../lib/postgres/schema-engine';
import { startTestDatabase, type TestDatabase } from '../../lib/postgres/test-database';

let db: TestDatabase;
let scratch: string;

beforeAll(async () => {
  db = await startTestDatabase(); // also runs applyMigrations on the repository's migrations
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'headwiki-migrations-test-'));
});

afterAll(async () => {
  await db?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A fresh database on the test server, for migrations that must not touch the main one. */
async function freshDatabase(name: string): Promise<string> {
  await query(db.url, `CREATE DATABASE ${name}`);
  return db.url.replace(/\/headwiki$/, `/${name}`);
}

const migrationsDir = path.join(repoRoot, 'prisma/migrations');
const migrationNames = fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('the repository migrations', () => {
  it('produce exactly prisma/schema.prisma (no migration missing)', async () => {
    const sql = await diffMigrationsToSchema({
      schemaPath: path.join(repoRoot, 'prisma/schema.prisma'),
      migrationsDir,
      databaseUrl: db.url,
    });
    expect(sql).toBe('');
  });

  it('are recorded in _prisma_migrations as Prisma does (sha256 checksums), and re-applying is a no-op', async () => {
    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
    }>(
      db.url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const r of rows) {
      const sql = fs.readFileSync(path.join(migrationsDir, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
    const logs: string[] = [];
    expect(await applyMigrations(db.url, { log: (m) => logs.push(m) })).toEqual({ applied: [], total: migrationNames.length });
    expect(logs).toEqual([`Database schema is up to date (${migrationNames.length} migrations)`]);
  });

  it("create the tables, and every table holding a run's results has the immutability trigger", async () => {
    const tables = (
      await query<{ tablename: string }>(db.url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    ).map((t) => t.tablename);
    expect(tables).toEqual(
      expect.arrayContaining(['Corpus', 'Document', 'HeadMetric', 'HeadPattern', 'Model', 'Run', 'RunExampleText', '_prisma_migrations']),
    );
    // A table with a runId column stores a run's results: once the run is published they must never change.
    const runTables = (
      await query<{ table_name: string }>(
        db.url,
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'runId' ORDER BY 1",
      )
    )
      .map((t) => t.table_name)
      .filter((t) => t !== 'QueueWorker'); // a worker's current run: live status, not a result
    expect(runTables.length).toBeGreaterThan(4);
    const triggers = (await query<{ tgname: string }>(db.url, 'SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1')).map(
      (t) => t.tgname,
    );
    expect(triggers).toEqual(
      expect.arrayContaining(['Run_published_is_immutable', ...runTables.map((t) => `${t}_published_is_immutable`)]),
    );
  });
});

describe('applyMigrations', () => {
  it('applies pending migrations in order and reports each', async () => {
    const url = await freshDatabase('apply_order');
    const logs: string[] = [];
    const result = await applyMigrations(url, { log: (m) => logs.push(m) });
    expect(result).toEqual({ applied: migrationNames, total: migrationNames.length });
    expect(logs.slice(0, migrationNames.length)).toEqual(migrationNames.map((n) => `Applied migration ${n}`));
  });

  it('surfaces the database error of a failing migration', async () => {
    const dir = path.join(scratch, 'broken');
    fs.mkdirSync(path.join(dir, '20200101000000_broken'), { recursive: true });
    fs.copyFileSync(path.join(migrationsDir, 'migration_lock.toml'), path.join(dir, 'migration_lock.toml'));
    fs.writeFileSync(path.join(dir, '20200101000000_broken/migration.sql'), 'CREATE TABLE a (x int);\nSELECT * FROM no_such_table;\n');
    const url = await freshDatabase('apply_broken');
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/no_such_table/);
  });

  it('names what is missing', async () => {
    await expect(applyMigrations(db.url, { migrationsDir: path.join(scratch, 'nothing') })).rejects.toThrow('No migrations found in');
    await expect(applyMigrations('mysql://x@localhost/db')).rejects.toThrow('DATABASE_URL must start with postgresql://');
  });
});

describe('createNewMigration', () => {
  it('writes the SQL that takes the existing migrations to a changed schema', async () => {
    const dir = path.join(scratch, 'grow');
    fs.cpSync(migrationsDir, dir, { recursive: true });
    const schemaPath = path.join(scratch, 'grown.prisma');
    fs.writeFileSync(
      schemaPath,
      fs.readFileSync(path.join(repoRoot, 'prisma/schema.prisma'), 'utf8') + '\nmodel NeuronStat {\n  id    Int   @id\n  value Float\n}\n',
    );
    const result = await createNewMigration({
      name: 'Add neuron stats',
      schemaPath,
      migrationsDir: dir,
      databaseUrl: db.url,
      now: new Date('2030-01-02T03:04:05Z'),
    });
    expect(result.migrationName).toBe('20300102030405_add_neuron_stats');
    expect(result.sql).toContain('CREATE TABLE "NeuronStat"');
    expect(result.sql).not.toContain('CREATE TABLE "Run"');
    expect(fs.readFileSync(path.join(dir, '20300102030405_add_neuron_stats/migration.sql'), 'utf8')).toBe(result.sql);

    // Now in sync: nothing more to write.
    const again = await createNewMigration({ name: 'again', schemaPath, migrationsDir: dir, databaseUrl: db.url });
    expect(again).toEqual({ migrationName: null, sql: '' });
    // The shadow databases were dropped again.
    const shadows = await query(db.url, "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
    expect(shadows).toEqual([]);
  });

  it('writes an empty migration for hand-written SQL', async () => {
    const dir = path.join(scratch, 'empty');
    const result = await createNewMigration({ name: 'seed data', migrationsDir: dir, empty: true, now: new Date('2030-01-01T00:00:00Z') });
    expect(result.migrationName).toBe('20300101000000_seed_data');
    expect(fs.readFileSync(path.join(dir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
  });

  it('names directories as Prisma does', () => {
    expect(migrationSlug('Add Neuron-Stats!')).toBe('add_neuron_stats');
    expect(() => migrationSlug('  !! ')).toThrow('has no letters or digits');
    expect(timestampPrefix(new Date('2025-12-31T23:59:58.999Z'))).toBe('20251231235958');
  });
});

describe('pgConfigFromUrl', () => {
  it('keeps the database as an explicit field (a shadow database must be able to override it)', () => {
    expect(pgConfigFromUrl('postgresql://me:p%40ss@db.example:6543/headwiki?sslmode=require')).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'me',
      password: 'p@ss',
      database: 'headwiki',
      ssl: { rejectUnauthorized: false },
    });
    expect(() => pgConfigFromUrl('postgresql://me@localhost:5432')).toThrow('DATABASE_URL names no database');
    expect(() => pgConfigFromUrl('not a url')).toThrow('DATABASE_URL is not a valid URL');
  });
});
