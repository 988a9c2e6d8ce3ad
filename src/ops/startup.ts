import { sql } from 'kysely'
import { ConfigError } from '../config.ts'
import { type DatabaseHandle, openDatabase, sqlitePath } from '../db/database.ts'
import { MigrationError, migrateToLatest } from '../db/migrate.ts'

/** A start-up problem an operator can fix; its message is the one line they see. */
class StartupError extends Error {}

/** Where the database is, for messages: host, port and name, never the password. */
function describeDatabase(url: string): string {
  if (url.startsWith('sqlite:')) return `the SQLite database at ${sqlitePath(url)}`
  try {
    const parsed = new URL(url)
    return `the PostgreSQL database ${parsed.pathname.slice(1) || '(default)'} at ${parsed.hostname}:${parsed.port || '5432'}`
  } catch {
    return 'the PostgreSQL database'
  }
}

/** The causes people meet, in words; anything else keeps the driver's own message. */
function reason(error: unknown): string {
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown[] }
  // Node reports a refused "localhost" (tried on ::1 and 127.0.0.1) as an AggregateError without a message.
  const first = Array.isArray(errors) && errors.length > 0 ? (errors[0] as { code?: unknown }) : undefined
  const effective = code ?? first?.code
  switch (effective) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running, and on this port?)'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host name'
    case 'ETIMEDOUT':
      return 'no answer (timed out)'
    case '28P01':
    case '28000':
      return 'the user name or password was refused'
    case '3D000':
      return 'that database does not exist (create it first)'
    case '57P03':
      return 'the server is starting up or shutting down'
    case 'SQLITE_CANTOPEN':
    case 'EACCES':
    case 'EROFS':
      return 'the file cannot be opened or created (check the path and its permissions)'
    case 'SQLITE_NOTADB':
      return 'the file is not an SQLite database'
  }
  const text = typeof message === 'string' && message !== '' ? message : String(effective ?? 'unknown error')
  if (/timeout exceeded when trying to connect/i.test(text)) return 'no answer (timed out)'
  return text.split('\n')[0]!
}

/**
 * Opens the configured database, checks that it answers, and brings its schema up to
 * date. Each way this can fail becomes a StartupError that names the database (without
 * the password) and the cause.
 */
export async function openMigratedDatabase(url: string): Promise<DatabaseHandle> {
  const where = describeDatabase(url)
  let database: DatabaseHandle
  try {
    database = openDatabase(url)
  } catch (error) {
    throw new StartupError(`cannot open ${where}: ${reason(error)}`)
  }
  try {
    await sql`select 1`.execute(database.db)
  } catch (error) {
    await database.close().catch(() => {})
    throw new StartupError(`cannot reach ${where}: ${reason(error)}`)
  }
  try {
    await migrateToLatest(database.db)
  } catch (error) {
    await database.close().catch(() => {})
    if (error instanceof MigrationError) throw new StartupError(`${where}: ${error.message}`)
    throw new StartupError(`cannot migrate ${where}: ${reason(error)}`)
  }
  return database
}

/** The line printed when start-up fails: what is wrong, without a stack trace, for known causes. */
export function startupFailureLine(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof StartupError) return `leervraag: ${error.message}`
  return undefined
}
