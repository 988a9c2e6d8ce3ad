import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { rebuildRollups } from '../src/answers/index.ts'

/**
 * Recomputes the dashboard rollups from the stored responses, for one region or all:
 *   tsx scripts/rebuild-rollups.ts [--region 3]
 * Safe to run while the app serves: it works in one transaction.
 */
const { values } = parseArgs({ options: { region: { type: 'string' } } })
const config = loadConfig()
const database = openDatabase(config.databaseUrl)
try {
  await migrateToLatest(database.db)
  const started = Date.now()
  const result = await rebuildRollups(database.db, values.region === undefined ? undefined : Number(values.region))
  console.log(`rollups rebuilt from ${result.responses} responses in ${((Date.now() - started) / 1000).toFixed(1)} s`)
} finally {
  await database.close()
}
