/**
 * Prisma's schema engine (migrations, diffs) as WebAssembly, driven from Node through the pg
 * driver adapter. The Prisma CLI's native schema engine is downloaded at install time and cannot be
 * fetched on offline machines; `@prisma/schema-engine-wasm` is an ordinary npm package, so this
 * path works everywhere. The migrations it applies and records are the ones `prisma migrate deploy`
 * would apply, so both stay interchangeable.
 */
import type {
  ColumnType,
  ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { PrismaPg } from '@prisma/adapter-pg';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';

export type { SchemaEngine };
export type MigrationList = Parameters<SchemaEngine['applyMigrations']>[0]['migrationsList'];

export interface OpenSchemaEngineOptions {
  databaseUrl: string;
  /** Prisma schema files the engine may need (diffs against the datamodel); none for applying migrations. */
  schemaFiles?: { path: string; content: string }[];
  /** The engine's own tracing output (JSON lines); silent by default. */
  engineLog?: (line: string) => void;
}

export interface SchemaEngineSession {
  engine: SchemaEngine;
  /** Runs one engine command, turning engine errors and wasm panics into plain Errors with their message. */
  run<T>(what: string, command: (engine: SchemaEngine) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Loading the wasm module. The package is a bundler-style wasm-bindgen build (`import * as wasm
// from "./schema_engine_bg.wasm"`), which Node cannot import; we instantiate the .wasm ourselves
// against the JS glue module, as Prisma's own test harness does.

type WasmGlue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
let wasmGlue: Promise<WasmGlue> | null = null;
// A Rust panic leaves the wasm instance unusable, and the glue module cannot be re-instantiated.
let panicked: string | null = null;

function loadWasmGlue(): Promise<WasmGlue> {
  wasmGlue ??= (async () => {
    installPanicRegistry();
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue: WasmGlue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = fs.readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    const module = await WebAssembly.compile(bytes);
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return wasmGlue;
}

interface PanicRegistry {
  message: string;
  get(): string;
  set_message(m: string): void;
}

/** Without this global the wasm code cannot report why it panicked (only "unreachable"). */
function installPanicRegistry() {
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    get() {
      return this.message;
    },
    set_message(m: string) {
      this.message = m;
    },
  };
  return g.PRISMA_WASM_PANIC_REGISTRY;
}

// ---------------------------------------------------------------------------------------------
// The driver adapter the engine talks through: PrismaPg with three fixes for migration work.

/** pg accepts a URL, but `{ connectionString, database }` silently keeps the URL's database; explicit fields do not. */
export function pgConfigFromUrl(databaseUrl: string): pg.PoolConfig {
  let u: URL;
  try {
    u = new URL(databaseUrl);
  } catch {
    throw new Error(`DATABASE_URL is not a valid URL: ${JSON.stringify(redactUrl(databaseUrl))}`);
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new Error(`DATABASE_URL must start with postgresql://, got ${JSON.stringify(redactUrl(databaseUrl))}`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) throw new Error(`DATABASE_URL names no database: ${JSON.stringify(redactUrl(databaseUrl))}`);
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database,
    ...(sslmode && sslmode !== 'disable' ? { ssl: { rejectUnauthorized: sslmode === 'verify-full' } } : {}),
  };
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

const PG_CHAR_OID = 18; // the one-byte "char" type of the system catalogs (pg_constraint.contype, ...)
const PG_TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER: ColumnType = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils

interface PgQueryResultLike {
  fields: { dataTypeID: number }[];
  rows: unknown[][];
}

/**
 * Fixes applied to every connection (main, transactions, shadow database):
 *  - `"char"` catalog columns: the adapter has no column type for them and the engine panics on
 *    the catalog queries of PostgreSQL 18; they must reach the engine as Character columns.
 *  - executeScript: the adapter splits scripts on ';', which breaks `$$ ... $$` function bodies in
 *    migrations; a script is sent whole instead (simple query protocol, one implicit transaction),
 *    as the native engine does.
 */
function patchQueryable<Q extends SqlDriverAdapter | Transaction>(queryable: Q): Q {
  const q = queryable as Q & { performIO?: (query: SqlQuery) => Promise<PgQueryResultLike> };
  if (typeof q.performIO !== 'function') {
    throw new Error('@prisma/adapter-pg changed its internals (no performIO); lib/postgres/schema-engine.ts needs an update');
  }
  const charColumnsByRows = new WeakMap<object, number[]>();
  const performIO = q.performIO.bind(q);
  q.performIO = async (query: SqlQuery) => {
    const result = await performIO(query);
    if (Array.isArray(result)) return result; // a multi-statement script: one result per statement, none read
    const charColumns = result.fields.flatMap((f, i) => (f.dataTypeID === PG_CHAR_OID ? [i] : []));
    if (charColumns.length > 0) {
      result.fields = result.fields.map((f) => (f.dataTypeID === PG_CHAR_OID ? { ...f, dataTypeID: PG_TEXT_OID } : f));
      charColumnsByRows.set(result.rows, charColumns);
    }
    return result;
  };
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query: SqlQuery): Promise<SqlResultSet> => {
    const resultSet = await queryRaw(query);
    for (const i of charColumnsByRows.get(resultSet.rows) ?? []) resultSet.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return resultSet;
  };
  if ('executeScript' in q) {
    // No parameters => pg uses the simple query protocol, which accepts several statements.
    (q as SqlDriverAdapter).executeScript = async (script: string) => {
      await q.executeRaw({ sql: script, args: [], argTypes: [] });
    };
  }
  if ('startTransaction' in q) {
    const startTransaction = (q as SqlDriverAdapter).startTransaction.bind(q);
    (q as SqlDriverAdapter).startTransaction = async (isolationLevel) => patchQueryable(await startTransaction(isolationLevel));
  }
  return queryable;
}

/**
 * Connections for the engine. Each pool has ONE connection: the engine works like a single session
 * (it takes `pg_advisory_lock` and later unlocks it); spread over a pool, the unlock can land on
 * another connection and the lock stays held by an idle one until it times out (10 s stalls).
 * The shadow database (for diffs) gets its own database and its own connection config.
 */
class MigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly open = new Set<SqlDriverAdapter>();
  constructor(private readonly config: pg.PoolConfig) {}

  async connect(): Promise<SqlDriverAdapter> {
    return this.track(patchQueryable(await new PrismaPg({ ...this.config, max: 1 }).connect()));
  }

  /** Closes every pool the engine opened and did not dispose itself. */
  async disposeAll(): Promise<void> {
    const adapters = [...this.open];
    this.open.clear();
    await Promise.allSettled(adapters.map((a) => a.dispose()));
  }

  private track(adapter: SqlDriverAdapter): SqlDriverAdapter {
    this.open.add(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      this.open.delete(adapter);
      await dispose();
    };
    return adapter;
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadowName = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    const admin = new pg.Client(this.config);
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${shadowName}"`);
    } finally {
      await admin.end();
    }
    const adapter = patchQueryable(await new PrismaPg({ ...this.config, database: shadowName, max: 1 }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose(); // closes the shadow pool first, or DROP DATABASE would find it in use
      const dropper = new pg.Client(this.config);
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    };
    return this.track(adapter);
  }
}

/** The engine expects the adapter wrapped in Prisma's error-capturing binding. */
function bindForEngine(factory: SqlMigrationAwareDriverAdapterFactory): ErrorCapturingSqlMigrationAwareDriverAdapterFactory {
  // Resolved next to @prisma/adapter-pg (its exact-version dependency) rather than from the project root.
  const fromAdapter = createRequire(require.resolve('@prisma/adapter-pg'));
  const utils = fromAdapter('@prisma/driver-adapter-utils') as typeof import('@prisma/driver-adapter-utils');
  return utils.bindMigrationAwareSqlAdapterFactory(factory);
}

// ---------------------------------------------------------------------------------------------

export async function openSchemaEngine(options: OpenSchemaEngineOptions): Promise<SchemaEngineSession> {
  if (panicked) throw new Error(`The schema engine panicked earlier in this process (${panicked}); restart the process`);
  const glue = await loadWasmGlue();
  const config = pgConfigFromUrl(options.databaseUrl);
  const connections = new MigrationAdapterFactory(config);
  const adapterFactory = bindForEngine(connections);
  const datamodels = options.schemaFiles?.map((f) => [f.path, f.content] as [string, string]);
  const engineLog = options.engineLog ?? (() => {});

  const run = async <T>(what: string, command: (engine: SchemaEngine) => Promise<T>): Promise<T> => {
    const registry = installPanicRegistry();
    registry.message = '';
    try {
      return await command(engine);
    } catch (e) {
      const panicMessage = registry.get();
      if (panicMessage) panicked = panicMessage.split('\n')[0];
      throw engineError(what, e, panicMessage, adapterFactory);
    }
  };

  let engine!: SchemaEngine;
  try {
    engine = await run('starting the schema engine', () =>
      glue.SchemaEngine.new({ datamodels }, (line: string) => engineLog(line), adapterFactory),
    );
  } catch (e) {
    await connections.disposeAll();
    throw e;
  }
  let closed = false;
  return {
    engine,
    run,
    async close() {
      if (closed) return;
      closed = true;
      try {
        engine.free();
      } catch {
        // After a panic the instance refuses to be freed; nothing more to release on the wasm side.
      }
      await connections.disposeAll();
    },
  };
}

function engineError(
  what: string,
  e: unknown,
  panicMessage: string,
  adapterFactory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
): Error {
  if (panicMessage) return new Error(`Schema engine panicked while ${what}: ${panicMessage}`);
  let message = typeof e === 'string' ? e : ((e as { message?: string })?.message ?? JSON.stringify(e));
  // Errors raised inside the adapter are parked in its registry; show the database's own words.
  const registry = (adapterFactory as unknown as { errorRegistry?: { consumeError(id: number): { error: unknown } | undefined } })
    .errorRegistry;
  const idMatch = /error id\s*[#:=]?\s*(\d+)/i.exec(message);
  if (registry && idMatch) {
    const parked = registry.consumeError(Number(idMatch[1]));
    if (parked) message += `\nDatabase error: ${describeAdapterError(parked.error)}`;
  }
  const wrapped = new Error(`Schema engine failed while ${what}: ${message}`);
  (wrapped as Error & { cause?: unknown }).cause = e;
  return wrapped;
}

/** A DriverAdapterError carries the driver's error in `cause` ({ kind, message, code, ... }). */
function describeAdapterError(error: unknown): string {
  const cause = (error as { cause?: Record<string, unknown> })?.cause;
  if (cause && typeof cause === 'object') {
    const text = cause.originalMessage ?? cause.message ?? cause.cause ?? cause.kind;
    const code = cause.originalCode ?? cause.code;
    return `${String(text)}${code ? ` (SQLSTATE ${String(code)})` : ''}`;
  }
  return error instanceof Error ? error.message : JSON.stringify(error);
}

// ---------------------------------------------------------------------------------------------
// Reading the migrations folder in the engine's format.

export function readMigrationsList(migrationsDir: string): MigrationList {
  const baseDir = path.resolve(migrationsDir);
  const lockPath = path.join(baseDir, 'migration_lock.toml');
  const directories = fs.existsSync(baseDir)
    ? fs
        .readdirSync(baseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: directories.map((name) => {
      const file = path.join(baseDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file)
            ? { tag: 'ok' as const, value: fs.readFileSync(file, 'utf8') }
            : { tag: 'error' as const, value: `${file} is missing` },
        },
      };
    }),
  };
}

export const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };
