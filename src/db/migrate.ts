import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely'

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
 * `schema` names the PostgreSQL schema that holds the migration tables. It must be given
 * there: Kysely looks for its tables in every schema of the database, so with several
 * schemas (one per test, or per tenant) it would find another schema's tables and skip
 * creating its own.
 */
export function migrator(db: Kysely<any>, schema?: string): Migrator {
  return new Migrator({ db, provider: new FolderMigrationProvider(), ...(schema ? { migrationTableSchema: schema } : {}) })
}

/** Brings the schema up to date; throws a MigrationError with one clear sentence when it cannot. */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<MigrationResultSet> {
  const result = await migrator(db, schema).migrateToLatest()
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
export async function migrationsCurrent(db: Kysely<any>, schema?: string): Promise<boolean> {
  const migrations = await migrator(db, schema).getMigrations()
  return migrations.every((m) => m.executedAt !== undefined)
}
