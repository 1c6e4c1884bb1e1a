/**
 * The "publish generation": a value that changes whenever a run or a model diff is published or a checkpoint series
 * written (how many are published, and when the last one was), read from Postgres at most once per `intervalMs`. Every cached page and API response is
 * stamped with the generation current when it was computed, and served only while that generation lasts, so a
 * publish by any process (npm start, a worker's finalize, the CLI) reaches every server within `intervalMs`
 * without any of them being told. Plain JavaScript: Next loads the cache handler that uses it at run time.
 */
import pg from 'pg';

// Published model diffs and checkpoint series (issue 17) count too: their lists and pages are cached the same way.
export const GENERATION_SQL = `SELECT
  (SELECT count(*)::text || ':' || coalesce(floor(extract(epoch FROM max("publishedAt")) * 1000)::text, '') FROM "Run" WHERE status = 'published')
  || '/' || (SELECT count(*)::text || ':' || coalesce(floor(extract(epoch FROM max("publishedAt")) * 1000)::text, '')
             FROM "ModelDiff" WHERE status = 'published')
  || '/' || (SELECT count(*)::text FROM "CheckpointSeries") AS generation`;

/** Reads the generation from the database at DATABASE_URL over one pooled connection; `.close()` ends it. */
export function databaseGenerationReader(connectionString = process.env.DATABASE_URL) {
  let pool = null;
  const read = async () => {
    if (!pool) {
      pool = new pg.Pool({ connectionString, max: 1, idleTimeoutMillis: 30_000 });
      // An idle connection dropped by a database restart must not take the server down: the next read reconnects.
      pool.on('error', () => {});
    }
    const { rows } = await pool.query(GENERATION_SQL);
    return String(rows[0].generation);
  };
  read.close = async () => {
    await pool?.end();
    pool = null;
  };
  return read;
}

/**
 * `current()` resolves to the latest generation read, re-reading when the last read is older than `intervalMs`
 * (one read at a time; concurrent callers share it). While the database cannot be reached the last value stands,
 * so a database outage keeps serving what was cached instead of failing every request.
 */
export class PublishGeneration {
  /** @param {() => Promise<string>} read  @param {{ intervalMs?: number, now?: () => number }} [opts] */
  constructor(read, { intervalMs = 1000, now = () => Date.now() } = {}) {
    this.read = read;
    this.intervalMs = intervalMs;
    this.now = now;
    this.value = null;
    this.readAt = -Infinity;
    this.pending = null;
  }

  /** @returns {Promise<string | null>} */
  async current() {
    if (this.now() - this.readAt < this.intervalMs) return this.value;
    this.pending ??= this.read()
      .then((v) => {
        this.value = v;
      })
      .catch(() => {
        // keep the last value; try again after the interval
      })
      .finally(() => {
        this.readAt = this.now();
        this.pending = null;
      });
    await this.pending;
    return this.value;
  }
}
