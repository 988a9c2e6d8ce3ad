import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { openDatabase } from './db/database.ts'
import { MigrationError, migrateToLatest } from './db/migrate.ts'

/** Reads the configuration, migrates, listens, and closes gracefully on a signal. */
async function main() {
  const config = loadConfig()
  const database = openDatabase(config.databaseUrl)
  try {
    await migrateToLatest(database.db, database.schema)
  } catch (error) {
    await database.close().catch(() => {})
    throw error
  }
  const app = await buildApp(config, { database })
  app.addHook('onClose', () => database.close())

  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return
      closing = true
      app.log.info({ signal }, 'shutting down')
      // close() stops accepting connections and waits for in-flight requests.
      app.close().then(
        () => process.exit(0),
        (error) => {
          app.log.error({ err: error }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
  await app.listen({ port: config.port, host: config.host })
}

main().catch((error: unknown) => {
  // One clear line for what an operator can fix; a stack trace only for the unexpected.
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(`leervraag: ${error.message}`)
  } else if (error instanceof Error && /ECONNREFUSED|ENOTFOUND|password authentication|does not exist/.test(error.message)) {
    console.error(`leervraag: cannot reach the database: ${error.message}`)
  } else {
    console.error('leervraag: failed to start', error)
  }
  process.exit(1)
})
