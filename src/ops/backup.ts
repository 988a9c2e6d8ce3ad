import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync, chmodSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import SQLite from 'better-sqlite3'

export class BackupError extends Error {}

export interface Backup {
  path: string
  bytes: number
}

/** `data/leervraag.db` → `data/backups/leervraag-2026-11-28T16-55-47Z.db`. */
export function defaultBackupPath(databasePath: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')
  return join(dirname(resolve(databasePath)), 'backups', `leervraag-${stamp}.db`)
}

/**
 * An online backup of a live SQLite database, then a check of the copy.
 *
 * VACUUM INTO rather than the page-by-page backup API: it copies one consistent snapshot
 * inside a single read transaction, so writes by the running server (WAL mode lets them
 * continue) neither block it nor make it start over — the backup API restarts whenever
 * another connection writes, and may never finish on a busy server. The copy is also
 * compact, without the free pages of deleted rows.
 *
 * The file is made readable by its owner only: it holds contact data.
 */
export function backupSqlite(databasePath: string, destination: string): Backup {
  if (!existsSync(databasePath)) throw new BackupError(`there is no database at ${databasePath}`)
  if (existsSync(destination)) throw new BackupError(`${destination} already exists; choose another name`)
  mkdirSync(dirname(destination), { recursive: true, mode: 0o700 })
  const source = new SQLite(databasePath, { fileMustExist: true })
  try {
    source.pragma('busy_timeout = 10000')
    source.prepare('VACUUM INTO ?').run(destination)
  } finally {
    source.close()
  }
  chmodSync(destination, 0o600)
  // VACUUM INTO does not sync the new file: a backup must be on disk before we say it exists.
  const fd = openSync(destination, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  verifySqliteBackup(destination)
  return { path: destination, bytes: statSync(destination).size }
}

/** Throws a BackupError unless `PRAGMA integrity_check` finds the file sound. */
export function verifySqliteBackup(path: string): void {
  let copy: SQLite.Database | undefined
  try {
    copy = new SQLite(path, { readonly: true, fileMustExist: true })
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[]
    const problems = rows.map((row) => row.integrity_check).filter((text) => text !== 'ok')
    if (rows.length === 0 || problems.length > 0) throw new BackupError(`the backup ${path} failed its integrity check: ${problems.slice(0, 3).join('; ')}`)
  } catch (error) {
    if (error instanceof BackupError) throw error
    throw new BackupError(`the backup ${path} cannot be read as a database: ${(error as Error).message}`)
  } finally {
    copy?.close()
  }
}
