import { buildApp } from './app.ts'
import { loadConfig } from './config.ts'
import { closeGracefullyOnSignal } from './ops/shutdown.ts'
import { openMigratedDatabase, startupFailureLine } from './ops/startup.ts'

/** Reads the configuration, migrates, listens, and closes gracefully on a signal. */
async function main() {
  const config = loadConfig()
  const database = await openMigratedDatabase(config.databaseUrl)
  const app = await buildApp(config, { database })
  app.addHook('onClose', () => database.close())
  closeGracefullyOnSignal(app)
  await app.listen({ port: config.port, host: config.host })
}

main().catch((error: unknown) => {
  // One clear line for what an operator can fix; a stack trace only for the unexpected.
  console.error(startupFailureLine(error) ?? error)
  process.exit(1)
})
