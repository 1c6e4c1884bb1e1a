/**
 * Applies prisma/migrations/* to a database, the offline equivalent of `prisma migrate deploy`:
 * the same engine code (Prisma's schema engine, as wasm) applies the pending migrations in order
 * and records each in `_prisma_migrations`, so either tool can take over from the other.
 *
 * Its command line is scripts/db/migrate.ts (npm run db:migrate).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NO_FILTERS, openSchemaEngine, readMigrationsList, redactUrl } from './schema-engine';

/** The repository's prisma/migrations (this file is lib/postgres/migrate.ts). */
const defaultMigrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');

export interface ApplyMigrationsOptions {
  /** Defaults to the repository's prisma/migrations. */
  migrationsDir?: string;
  log?: (msg: string) => void;
}

export interface ApplyMigrationsResult {
  /** Migrations applied by this call, oldest first; empty when the database was up to date. */
  applied: string[];
  /** Every migration in the folder. */
  total: number;
}

export async function applyMigrations(databaseUrl: string, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsResult> {
  const log = options.log ?? (() => {});
  if (!databaseUrl) throw new Error('applyMigrations: databaseUrl is empty (set DATABASE_URL)');
  const migrationsDir = path.resolve(options.migrationsDir ?? defaultMigrationsDir);
  const migrationsList = readMigrationsList(migrationsDir);
  const total = migrationsList.migrationDirectories.length;
  if (total === 0) throw new Error(`No migrations found in ${migrationsDir}`);
  if (migrationsList.lockfile.content === null) {
    throw new Error(`${path.join(migrationsDir, 'migration_lock.toml')} is missing (it names the provider, postgresql)`);
  }

  const t0 = Date.now();
  const session = await openSchemaEngine({ databaseUrl });
  try {
    const { appliedMigrationNames } = await session.run(`applying migrations to ${redactUrl(databaseUrl)}`, (engine) =>
      engine.applyMigrations({ migrationsList, filters: NO_FILTERS }),
    );
    if (appliedMigrationNames.length === 0) {
      log(`Database schema is up to date (${total} migrations)`);
    } else {
      for (const name of appliedMigrationNames) log(`Applied migration ${name}`);
      log(`${appliedMigrationNames.length} of ${total} migrations applied in ${Date.now() - t0} ms`);
    }
    return { applied: appliedMigrationNames, total };
  } finally {
    await session.close();
  }
}
