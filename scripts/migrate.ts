import { ConfigError, loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { MigrationError, migrateToLatest } from '../src/db/migrate.ts'
import { ensureRollups } from '../src/answers/index.ts'

/** `npm run migrate`: brings the configured database up to date and says what ran. */
try {
  const config = loadConfig()
  const database = openDatabase(config.databaseUrl)
  try {
    const result = await migrateToLatest(database.db)
    const ran = result.results ?? []
    console.log(ran.length === 0 ? 'migrations: already up to date' : ran.map((r) => `migrated: ${r.migrationName}`).join('\n'))
    // As at start-up: rollups a migration emptied (004, 018) are refilled from the responses.
    if (await ensureRollups(database.db)) console.log('rollups: rebuilt from the responses')
  } finally {
    await database.close()
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(`leervraag: ${error.message}`)
    process.exit(1)
  }
  throw error
}
