import { resolve } from 'node:path'
import { ConfigError, loadConfig } from '../src/config.ts'
import { sqlitePath } from '../src/db/database.ts'
import { BackupError, backupSqlite, defaultBackupPath } from '../src/ops/backup.ts'

/**
 * `npm run backup [-- destination.db]`: an online, verified copy of the SQLite database
 * while the server keeps running. Prints the path of the copy (and only that) on stdout,
 * so that a cron job can pass it on. PostgreSQL has its own tool: see docs/deploy.md.
 */
try {
  const config = loadConfig()
  if (!config.databaseUrl.startsWith('sqlite:')) {
    throw new BackupError('npm run backup copies an SQLite database; for PostgreSQL use pg_dump (see docs/deploy.md, "Backups")')
  }
  const source = sqlitePath(config.databaseUrl)
  if (source === ':memory:') throw new BackupError('an in-memory database cannot be backed up')
  const destination = process.argv[2] ? resolve(process.argv[2]) : defaultBackupPath(source)
  const backup = backupSqlite(source, destination)
  console.error(`leervraag: backup of ${source} written and verified (${(backup.bytes / 1024).toFixed(0)} KiB, integrity ok)`)
  console.log(backup.path)
} catch (error) {
  if (error instanceof ConfigError || error instanceof BackupError) {
    console.error(`leervraag: ${error.message}`)
    process.exit(1)
  }
  throw error
}
