import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SQLite from 'better-sqlite3'
import t from 'tap'
import { openDatabase } from '../../src/db/database.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { verifySqliteBackup } from '../../src/ops/backup.ts'
import { seedPoster } from '../helpers.ts'
import { childEnv } from './server-process.ts'

// Servers start in child processes through tsx: on a busy machine that alone can take tens of seconds.
t.setTimeout(300_000)

const root = fileURLToPath(new URL('../../', import.meta.url))

function runBackup(env: Record<string, string>, args: string[] = []) {
  const environment = childEnv(env)
  const child = spawn('npm', ['run', '--silent', 'backup', '--', ...args], { cwd: root, env: environment })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += String(chunk)))
  child.stderr.on('data', (chunk) => (stderr += String(chunk)))
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

t.test('npm run backup copies a live SQLite database while it is written to, and verifies the copy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-backup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const databasePath = join(dir, 'live.db')
  const database = openDatabase(`sqlite:${databasePath}`)
  t.teardown(() => database.close())
  await migrateToLatest(database.db)
  const fixture = await seedPoster(database)
  const insert = database.sqlite!.prepare(
    `insert into responses (poster_id, region_id, partner_id, location_id, activity_id, created_at, language, tried_new, step, record_key) values (?, ?, ?, ?, ?, ?, 'nl', 'yes', 1, abs(random() % 256))`,
  )
  const answer = () => insert.run(fixture.posterId, fixture.regionId, fixture.partnerId, fixture.locationId, fixture.activityId, new Date().toISOString())
  database.sqlite!.transaction(() => {
    for (let i = 0; i < 2_000; i++) answer()
  })()

  // The server keeps answering during the backup.
  let writtenDuring = 0
  const writer = setInterval(() => {
    answer()
    writtenDuring++
  }, 10)
  const result = await runBackup({ DATABASE_URL: `sqlite:${databasePath}` })
  clearInterval(writer)

  t.equal(result.code, 0, result.stderr)
  const path = result.stdout.trim()
  t.match(path, new RegExp(`^${dir}/backups/leervraag-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z\\.db$`), 'prints the path of the copy, next to the database')
  t.match(result.stderr, 'integrity ok')
  t.ok(writtenDuring > 0, `${writtenDuring} answers were written while the backup ran`)
  t.equal(statSync(path).mode & 0o777, 0o600, 'readable by its owner only')

  const copy = new SQLite(path, { readonly: true })
  t.teardown(() => copy.close())
  t.same(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }])
  const count = (copy.prepare('select count(*) as n from responses').get() as { n: number }).n
  const live = (database.sqlite!.prepare('select count(*) as n from responses').get() as { n: number }).n
  t.ok(count >= 2_000 && count <= live, `a consistent snapshot: ${count} of the ${live} answers now live`)
  const migrations = copy.prepare('select count(*) as n from kysely_migration').get() as { n: number }
  t.ok(migrations.n > 0, 'the schema history comes along, so the copy starts as it is')

  const again = await runBackup({ DATABASE_URL: `sqlite:${databasePath}` }, [path])
  t.equal(again.code, 1, 'an existing backup is never overwritten')
  t.match(again.stderr, /^leervraag: .* already exists; choose another name\n$/)
})

t.test('a damaged copy fails the check', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-backup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const good = join(dir, 'good.db')
  const database = openDatabase(`sqlite:${good}`)
  await migrateToLatest(database.db)
  await seedPoster(database)
  await database.close()
  const damaged = join(dir, 'damaged.db')
  copyFileSync(good, damaged)
  const bytes = readFileSync(damaged)
  // Overwrite the second half of the file (table and index pages) with noise.
  for (let i = Math.floor(bytes.length / 2); i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff
  writeFileSync(damaged, bytes)
  t.doesNotThrow(() => verifySqliteBackup(good))
  t.throws(() => verifySqliteBackup(damaged), { message: /damaged\.db (failed its integrity check|cannot be read as a database)/ })
  t.throws(() => verifySqliteBackup(join(dir, 'missing.db')), { message: /missing\.db cannot be read as a database/ })
  t.notOk(existsSync(join(dir, 'missing.db')), 'checking never creates a file')
})

t.test('on PostgreSQL, npm run backup points to pg_dump', async (t) => {
  const result = await runBackup({ DATABASE_URL: 'postgres://leervraag@127.0.0.1:1/leervraag' })
  t.equal(result.code, 1)
  t.equal(result.stdout, '')
  t.match(result.stderr, /^leervraag: npm run backup copies an SQLite database; for PostgreSQL use pg_dump/)
})
