import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import type { DatabaseHandle } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import { ensureRollups } from './answers/index.ts'
import { closeGracefullyOnSignal } from './ops/shutdown.ts'
import { openMigratedDatabase, startupFailureLine } from './ops/startup.ts'

export interface StartOptions {
  /** An open database to serve (the demo seeds it first); it is migrated and closed with the server. */
  database?: DatabaseHandle
}

/** Migrates, listens, and closes gracefully on SIGINT/SIGTERM. Used by src/server.ts and `npm run demo`. */
export async function start(config: Config, options: StartOptions = {}): Promise<FastifyInstance> {
  let database: DatabaseHandle
  if (options.database) {
    database = options.database
    await migrateToLatest(database.db)
  } else {
    database = await openMigratedDatabase(config.databaseUrl)
  }
  // A database that had answers before the dashboard rollups existed gets them filled once.
  await ensureRollups(database.db)
  const app = await buildApp(config, { database })
  app.addHook('onClose', () => database.close())
  closeGracefullyOnSignal(app)
  await app.listen({ port: config.port, host: config.host })
  return app
}

/** One clear line for what an operator can fix; a stack trace only for the unexpected. Then exit. */
export function exitOnStartError(error: unknown): never {
  console.error(startupFailureLine(error) ?? error)
  process.exit(1)
}
