import { ConfigError, loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrationsCurrent } from '../src/db/migrate.ts'
import { checkpoint, runRetention } from '../src/followup/retention.ts'

/**
 * `npm run retention`: one retention run (the server also runs it every hour), for cron or
 * by hand. Prints the counts only. A wrong configuration or a database whose schema is not
 * current ends with one line on stderr and exit code 1, as the other scripts do: cron mails
 * that line, and a retention run on half a schema could erase by the wrong rules.
 */
class NotMigrated extends Error {}

try {
  const config = loadConfig(process.env)
  const handle = openDatabase(config.databaseUrl)
  try {
    if (!(await migrationsCurrent(handle.db))) {
      throw new NotMigrated('the database schema is not current (never migrated, or behind this version): run npm run migrate first')
    }
    const counts = await runRetention(handle.db)
    await checkpoint(handle.sqlite)
    console.log(JSON.stringify({ retention: counts }))
  } finally {
    await handle.close()
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof NotMigrated) {
    console.error(`leervraag: ${error.message}`)
    process.exit(1)
  }
  throw error
}
