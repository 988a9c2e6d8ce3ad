import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator, PostgresAdapter, sql } from 'kysely'

const migrationsFolder = fileURLToPath(new URL('../../migrations/', import.meta.url))

/** Loads `migrations/NNN_name.ts` in order; helper files (not starting with a digit) are skipped. */
class FolderMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(migrationsFolder)).filter((file) => /^\d{3}_[\w-]+\.(ts|js)$/.test(file)).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      migrations[file.replace(/\.(ts|js)$/, '')] = await import(pathToFileURL(join(migrationsFolder, file)).href)
    }
    return migrations
  }
}

export class MigrationError extends Error {}

/**
 * On PostgreSQL the migrator is pinned to the connection's current schema. Kysely finds its
 * own bookkeeping tables through introspection, which lists tables in every schema: without
 * the pin, a `kysely_migration` table in another schema (another test, another tenant,
 * `public`) makes it skip creating its own and then fail on a table it cannot see.
 */
export async function migrator(db: Kysely<any>): Promise<Migrator> {
  const provider = new FolderMigrationProvider()
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return new Migrator({ db, provider })
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)
  const schema = rows[0]?.schema
  return new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) })
}

/** Brings the schema up to date; throws a MigrationError with one clear sentence when it cannot. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const result = await (await migrator(db)).migrateToLatest()
  if (result.error) {
    const error = result.error as Error
    const failed = result.results?.find((r) => r.status === 'Error')
    if (/corrupted migrations/i.test(error.message)) {
      throw new MigrationError(`the database has migrations that this version of Leervraag does not know (${error.message}); run a newer version`)
    }
    throw new MigrationError(`migration ${failed?.migrationName ?? ''} failed: ${error.message}`)
  }
  return result
}

/** True when every known migration has run (for /readyz). */
export async function migrationsCurrent(db: Kysely<any>): Promise<boolean> {
  const migrations = await (await migrator(db)).getMigrations()
  return migrations.every((m) => m.executedAt !== undefined)
}
