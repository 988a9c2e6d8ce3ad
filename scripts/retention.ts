import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { checkpoint, runRetention } from '../src/followup/retention.ts'

/**
 * `npm run retention`: one retention run (the server also runs it every hour), for cron or
 * by hand. Prints the counts only.
 */
const config = loadConfig(process.env)
const handle = openDatabase(config.databaseUrl)
try {
  const counts = await runRetention(handle.db)
  await checkpoint(handle.sqlite)
  console.log(JSON.stringify({ retention: counts }))
} finally {
  await handle.close()
}
