import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { basename, join } from 'node:path'
import { type Kysely, type Migration, type MigrationInfo, type MigrationProvider, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely'

const defaultMigrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url))

export interface MigrateOptions {
  /** The folder of `NNN_name.ts` files; the project's `migrations/` unless a test brings its own. */
  folder?: string
}

/**
 * Loads `migrations/NNN_name.ts` in order; helper files (not starting with a digit) are
 * skipped. It keeps the sha256 of each file's bytes as it read them, for the checksums.
 */
class FolderMigrationProvider implements MigrationProvider {
  readonly checksums = new Map<string, string>()
  private readonly files = new Map<string, string>()

  constructor(readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((file) => /^\d{3}_[\w-]+\.(ts|js)$/.test(file)).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const name = file.replace(/\.(ts|js)$/, '')
      const path = join(this.folder, file)
      this.checksums.set(name, createHash('sha256').update(await readFile(path)).digest('hex'))
      this.files.set(name, file)
      migrations[name] = await import(pathToFileURL(path).href)
    }
    return migrations
  }

  /** The file as a reader finds it: `migrations/004_rollups.ts`. */
  describe(name: string): string {
    return `${basename(this.folder)}/${this.files.get(name) ?? name}`
  }
}

export class MigrationError extends Error {}

interface Setup {
  migrator: Migrator
  provider: FolderMigrationProvider
  /** The PostgreSQL schema the bookkeeping tables live in; undefined on SQLite. */
  schema: string | undefined
}

/**
 * On PostgreSQL the migrator is pinned to the connection's current schema. Kysely finds its
 * own bookkeeping tables through introspection, which lists tables in every schema: without
 * the pin, a `kysely_migration` table in another schema (another test, another tenant,
 * `public`) makes it skip creating its own and then fail on a table it cannot see. The
 * checksum table sits in the same schema.
 */
async function setUp(db: Kysely<any>, options: MigrateOptions): Promise<Setup> {
  const provider = new FolderMigrationProvider(options.folder ?? defaultMigrationsFolder)
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return { migrator: new Migrator({ db, provider }), provider, schema: undefined }
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema ?? undefined
  return { migrator: new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) }), provider, schema }
}

export async function migrator(db: Kysely<any>, options: MigrateOptions = {}): Promise<Migrator> {
  return (await setUp(db, options)).migrator
}

// Migrations are written once (STYLE.md rule 7): a database that ran a file must never meet
// a different file under the same name, because the change would silently not apply to it
// while applying to every fresh database. The migrator records the sha256 of each file it
// applies in `migration_checksum`, next to Kysely's `kysely_migration`, and refuses to start
// when an applied file has changed since.
const checksumTable = 'migration_checksum'

function inSchema(db: Kysely<any>, schema: string | undefined): Kysely<any> {
  return schema ? db.withSchema(schema) : db
}

async function createChecksumTable(db: Kysely<any>, schema: string | undefined): Promise<void> {
  try {
    await (schema ? db.schema.withSchema(schema) : db.schema)
      .createTable(checksumTable)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (col) => col.primaryKey())
      .addColumn('sha256', 'varchar(64)', (col) => col.notNull())
      .addColumn('recorded_at', 'varchar(255)', (col) => col.notNull())
      .execute()
  } catch (error) {
    // On PostgreSQL, `create table if not exists` is not safe against a second instance
    // doing the same at the same moment: the loser fails on the catalog's unique index
    // (23505 on pg_type) once the winner commits. The table then exists, which is all we
    // wanted; Kysely guards its own migration tables the same way.
    if (!(await checksumTableExists(db, schema))) throw error
  }
}

async function checksumTableExists(db: Kysely<any>, schema: string | undefined): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true })
  return tables.some((table) => table.name === checksumTable && (schema === undefined || table.schema === schema))
}

/** The recorded checksums; none when the table does not exist yet (a database older than it). */
async function recordedChecksums(db: Kysely<any>, schema: string | undefined): Promise<Map<string, string>> {
  let rows: { name: string; sha256: string }[]
  try {
    rows = await inSchema(db, schema).selectFrom(checksumTable).select(['name', 'sha256']).execute()
  } catch (error) {
    if (missingTable(error)) return new Map()
    throw error
  }
  return new Map(rows.map((row) => [row.name, row.sha256]))
}

/** The first applied migration whose file no longer has the checksum recorded for it. */
async function changedMigration(setup: Setup, db: Kysely<any>, migrations: readonly MigrationInfo[]): Promise<string | undefined> {
  const recorded = await recordedChecksums(db, setup.schema)
  for (const migration of migrations) {
    if (migration.executedAt === undefined) continue
    const before = recorded.get(migration.name)
    const now = setup.provider.checksums.get(migration.name)
    if (before !== undefined && before !== now) {
      return `${setup.provider.describe(migration.name)} has changed since it was applied to this database (sha256 ${before.slice(0, 12)}… then, ${now?.slice(0, 12)}… now); restore the file as it was and put the change in a new migration`
    }
  }
  return undefined
}

/**
 * Records the checksum of every applied migration that has none. That includes the files a
 * database ran before the checksums existed: their first start with this code trusts them
 * as they are then (trust on first use), and holds them to it from then on.
 */
async function recordChecksums(setup: Setup, db: Kysely<any>): Promise<void> {
  await createChecksumTable(db, setup.schema)
  const recorded = await recordedChecksums(db, setup.schema)
  const recordedAt = new Date().toISOString()
  const missing = (await setup.migrator.getMigrations())
    .filter((migration) => migration.executedAt !== undefined && !recorded.has(migration.name))
    .map((migration) => ({ name: migration.name, sha256: setup.provider.checksums.get(migration.name)!, recorded_at: recordedAt }))
  if (missing.length === 0) return
  // Two instances starting together may both record the same file: the first one wins.
  await inSchema(db, setup.schema)
    .insertInto(checksumTable)
    .values(missing)
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
}

/** Brings the schema up to date; throws a MigrationError with one clear sentence when it cannot. */
export async function migrateToLatest(db: Kysely<any>, options: MigrateOptions = {}): Promise<MigrationResultSet> {
  const setup = await setUp(db, options)
  // Checked before anything runs; the checksum table is created after Kysely's own tables,
  // so that a schema problem on PostgreSQL is reported by Kysely as it always was.
  const changed = await changedMigration(setup, db, await setup.migrator.getMigrations())
  if (changed) throw new MigrationError(changed)
  const result = await setup.migrator.migrateToLatest()
  if (result.error) {
    const error = result.error as Error
    const failed = result.results?.find((r) => r.status === 'Error')
    if (/corrupted migrations/i.test(error.message)) {
      throw new MigrationError(`the database has migrations that this version of Leervraag does not know (${error.message}); run a newer version`)
    }
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${error.message}`)
  }
  await recordChecksums(setup, db)
  return result
}

/**
 * True when every known migration has run and none of the applied files has changed since
 * (for /readyz). It only reads: recording checksums is left to migrateToLatest.
 */
/**
 * Whether every migration of this code ran and none changed since. `/readyz` asks this, so
 * it reads Kysely's table directly: the migrator's own `getMigrations` first looks for its
 * tables through introspection, a catalog query over every column of every table, which on
 * PostgreSQL took more than the readiness check's two seconds on a loaded machine.
 */
export async function migrationsCurrent(db: Kysely<any>, options: MigrateOptions = {}): Promise<boolean> {
  const setup = await setUp(db, options)
  const known = await setup.provider.getMigrations()
  let executed: { name: string; timestamp: string }[]
  try {
    executed = await inSchema(db, setup.schema).selectFrom('kysely_migration').select(['name', 'timestamp']).execute()
  } catch (error) {
    if (missingTable(error)) return false
    throw error
  }
  const ranAt = new Map(executed.map((row) => [row.name, row.timestamp]))
  const migrations: MigrationInfo[] = Object.entries(known).map(([name, migration]) => {
    const timestamp = ranAt.get(name)
    return { name, migration, executedAt: timestamp === undefined ? undefined : new Date(timestamp) }
  })
  if (!migrations.every((m) => m.executedAt !== undefined)) return false
  return (await changedMigration(setup, db, migrations)) === undefined
}

/** A query on a table that does not exist (yet): PostgreSQL's 42P01, SQLite's message. */
function missingTable(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown }
  return code === '42P01' || /no such table/.test(String(message))
}
