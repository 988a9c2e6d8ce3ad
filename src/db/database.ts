import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './types.ts'

export type Dialect = 'sqlite' | 'postgres'

export interface DatabaseHandle {
  db: Kysely<Database>
  dialect: Dialect
  /** The raw better-sqlite3 connection on SQLite (backups, integrity checks); undefined on PostgreSQL. */
  sqlite?: SQLite.Database
  /** Failed queries and lost or refused connections since the database was opened (for /metrics). */
  readonly errors: { count: number }
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** PostgreSQL only: the schema that every pooled connection uses (tests get one each). */
  searchPath?: string
  poolSize?: number
}

/** `sqlite:data/leervraag.db` → `data/leervraag.db`; `sqlite::memory:` → `:memory:`. */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '')
}

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) return openSqlite(sqlitePath(url))
  return openPostgres(url, options)
}

function openSqlite(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  // WAL with synchronous=NORMAL (better-sqlite3's default) survives a process crash but
  // can lose the last commits on a power cut. An answer we acknowledged to a citizen must
  // survive both, so every commit waits for the WAL to reach the disk. Group commit in the
  // answer writer keeps this affordable.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  // Erased contact data and free text must not linger in free pages of the file.
  sqlite.pragma('secure_delete = ON')

  const errors = { count: 0 }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: countErrors(errors) })
  return {
    db,
    dialect: 'sqlite',
    sqlite,
    errors,
    async close() {
      await db.destroy()
    },
  }
}

/**
 * Kysely's SQLite driver calls `prepare()` for every query; preparing costs about as much
 * as running a small query, which halves throughput on the citizen routes. Statements are
 * reusable, so we keep them by SQL text. The set of distinct SQL strings is bounded by the
 * code (values are always bound), with a cap in case a query builds a variable `in (...)`.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(source: string) {
      // On a full disk or an I/O error SQLite rolls the transaction back by itself; Kysely's
      // own ROLLBACK would then fail with "no transaction is active" and hide the real error
      // (SQLITE_FULL, which the error handler turns into a 503) behind a generic one.
      if (source === 'rollback' && !sqlite.inTransaction) return alreadyRolledBack
      let statement = cache.get(source)
      if (statement === undefined) {
        statement = sqlite.prepare(source)
        if (cache.size >= 500) cache.clear()
        cache.set(source, statement)
      }
      return statement
    },
  }
}

/** Stands in for a ROLLBACK that SQLite has already done (see withStatementCache). */
const alreadyRolledBack = { reader: false, run: () => ({ changes: 0, lastInsertRowid: 0 }) } as unknown as SQLite.Statement

/**
 * Kysely calls its `log` function after every query; only failures are counted, so the cost
 * on a good query is one function call and one comparison.
 */
function countErrors(errors: { count: number }): (event: LogEvent) => void {
  return (event) => {
    if (event.level === 'error') errors.count++
  }
}

function openPostgres(url: string, options: DatabaseOptions): DatabaseHandle {
  const errors = { count: 0 }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // Without a limit a request (or /readyz) waits forever for a connection to a database
    // that does not answer; with one, it fails after five seconds and says so.
    connectionTimeoutMillis: 5_000,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  })
  // An idle pooled connection that the server drops (restart, failover, network cut) emits
  // 'error' on the pool; unhandled, that event would crash the process. The pool discards
  // the connection and makes a new one on the next query.
  // (counted below, once, by the client's own listener)
  pool.on('error', () => {})
  // The same can happen to a connection that is checked out but between two queries; pg
  // then emits 'error' on the client itself, which must have a listener too. The query in
  // flight, if any, still fails with the error, and the pool drops the client on release.
  pool.on('connect', (client) => {
    client.on('error', () => {
      errors.count++
    })
  })
  // Refused or timed-out connections never reach Kysely's query log: count them here.
  const countedPool = {
    connect: () =>
      pool.connect().catch((error: unknown) => {
        errors.count++
        throw error
      }),
    end: () => pool.end(),
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: countedPool }), log: countErrors(errors) })
  return {
    db,
    dialect: 'postgres',
    errors,
    async close() {
      await db.destroy()
    },
  }
}
