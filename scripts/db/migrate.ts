/**
 * Applies prisma/migrations/* to DATABASE_URL (lib/postgres/migrate.ts does the work).
 *
 *   DATABASE_URL=postgresql://... npx tsx scripts/db/migrate.ts      (npm run db:migrate)
 */
import { applyMigrations } from '../../lib/postgres/migrate';

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set. Example: DATABASE_URL=postgresql://user:pass@127.0.0.1:5432/headwiki');
    process.exit(2);
  }
  await applyMigrations(url, { log: (m) => console.log(m) });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
