import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { DatabaseHandle, Dialect } from './database.ts'
import type { Database } from './types.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    dialect: Dialect
    /** Failed queries and connections, counted by the database handle (for /metrics). */
    databaseErrors: { readonly count: number }
  }
}

export interface DbPluginOptions {
  handle: DatabaseHandle
  /** Close the database when the app closes (false when the caller owns it, as tests do). */
  closeOnShutdown: boolean
}

export default fp<DbPluginOptions>(
  async function dbPlugin(app: FastifyInstance, { handle, closeOnShutdown }) {
    app.decorate('db', handle.db)
    app.decorate('dialect', handle.dialect)
    app.decorate('databaseErrors', handle.errors)
    if (closeOnShutdown) app.addHook('onClose', () => handle.close())
  },
  { name: 'db' },
)
