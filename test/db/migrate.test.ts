import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { sql } from 'kysely'
import { MigrationError, migrateToLatest, migrationsCurrent, migrator } from '../../src/db/migrate.ts'
import { openDatabase } from '../../src/db/database.ts'
import { testDatabase } from '../helpers.ts'

t.test('migrations run on a fresh database and a second run does nothing', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  t.equal(await migrationsCurrent(database.db), false)
  const first = await migrateToLatest(database.db)
  t.ok((first.results ?? []).length >= 1)
  t.ok((first.results ?? []).every((r) => r.status === 'Success'))
  t.equal(await migrationsCurrent(database.db), true)
  const second = await migrateToLatest(database.db)
  t.equal((second.results ?? []).length, 0)
  const tables = await database.db.introspection.getTables()
  const names = tables.map((table) => table.name)
  for (const table of ['regions', 'partners', 'locations', 'activities', 'posters', 'themes', 'responses', 'response_themes']) {
    t.ok(names.includes(table), `table ${table} exists`)
  }
})

t.test('the SQLite database is durable: WAL, synchronous=FULL, foreign keys on', { skip: database() }, async (t) => {
  const db = await testDatabase(t)
  t.equal(db.sqlite!.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.sqlite!.pragma('synchronous', { simple: true }), 2, 'FULL')
  t.equal(db.sqlite!.pragma('foreign_keys', { simple: true }), 1)
  t.equal(db.sqlite!.pragma('secure_delete', { simple: true }), 1)
})

t.test('a database with a migration this code does not know is refused with one clear sentence', async (t) => {
  const database = await testDatabase(t)
  await sql`insert into kysely_migration (name, timestamp) values ('999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(database.db)
  await t.rejects(migrateToLatest(database.db), /migrations that this version of Leervraag does not know/)
  t.ok(await migrator(database.db))
})

function database() {
  return process.env.TEST_DATABASE_URL ? 'PRAGMAs are SQLite only' : false
}

/**
 * A copy of migrations/ that a test may edit. It sits beside a link to the project's
 * node_modules and a package.json of type module, so that the copied files load as the
 * originals do (as ES modules that find `kysely`).
 */
function migrationsCopy(t: Test): string {
  const root = mkdtempSync(join(tmpdir(), 'leervraag-migrations-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'))
  writeFileSync(join(root, 'package.json'), JSON.stringify({ type: 'module' }))
  const folder = join(root, 'migrations')
  cpSync(fileURLToPath(new URL('../../migrations', import.meta.url)), folder, { recursive: true })
  return folder
}

t.test('an applied migration whose file has changed since is refused, naming the file', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  const folder = migrationsCopy(t)
  await migrateToLatest(database.db, { folder })
  t.equal(await migrationsCurrent(database.db, { folder }), true)

  const file = join(folder, '004_rollups.ts')
  writeFileSync(file, readFileSync(file, 'utf8').replace('const measures', '// an edit after the fact\nconst measures'))
  const refusal = /^migrations\/004_rollups\.ts has changed since it was applied to this database \(sha256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\); restore the file as it was and put the change in a new migration$/
  await t.rejects(migrateToLatest(database.db, { folder }), { name: 'Error', constructor: MigrationError, message: refusal })
  t.equal(await migrationsCurrent(database.db, { folder }), false, '/readyz does not call it current')

  // Putting the file back as it was is enough.
  writeFileSync(file, readFileSync(file, 'utf8').replace('// an edit after the fact\n', ''))
  t.equal((await migrateToLatest(database.db, { folder })).results?.length, 0)
  t.equal(await migrationsCurrent(database.db, { folder }), true)
})

t.test('a database migrated before the checksums existed has them recorded on its next start', async (t) => {
  const database = await testDatabase(t)
  await database.db.deleteFrom('migration_checksum' as never).execute()
  t.equal(await migrationsCurrent(database.db), true, 'no checksum yet is no refusal')
  await migrateToLatest(database.db)
  const recorded = await database.db.selectFrom('migration_checksum' as never).select(['name' as never, 'sha256' as never]).execute()
  const expected = readdirSync(fileURLToPath(new URL('../../migrations', import.meta.url))).filter((f) => /^\d{3}_[\w-]+\.(ts|js)$/.test(f))
  t.equal(recorded.length, expected.length, 'one checksum per applied migration')
  const rollups = recorded.find((row) => (row as { name: string }).name === '004_rollups') as { sha256: string } | undefined
  const bytes = readFileSync(fileURLToPath(new URL('../../migrations/004_rollups.ts', import.meta.url)))
  t.equal(rollups?.sha256, createHash('sha256').update(bytes).digest('hex'), 'the sha256 of the file as it is')
})

t.test('four instances starting together on a fresh PostgreSQL schema all migrate it, once', { skip: process.env.TEST_DATABASE_URL ? false : 'several instances share a database on PostgreSQL only' }, async (t) => {
  // The race CI met in the three-instance test: `create table if not exists` on PostgreSQL
  // fails for the loser of two simultaneous creations (23505 on pg_type).
  const database = await testDatabase(t, { migrate: false })
  const instances = Array.from({ length: 4 }, () => openDatabase(database.url, { poolSize: 2 }))
  t.teardown(() => Promise.all(instances.map((instance) => instance.close())))
  const outcomes = await Promise.allSettled(instances.map((instance) => migrateToLatest(instance.db)))
  t.same(outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason)), [], 'no instance failed to start')
  t.equal(await migrationsCurrent(database.db), true)
  const recorded = await sql<{ n: number }>`select count(*)::int as n from migration_checksum`.execute(database.db)
  const files = readdirSync(fileURLToPath(new URL('../../migrations', import.meta.url))).filter((f) => /^\d{3}_[\w-]+\.(ts|js)$/.test(f))
  t.equal(recorded.rows[0]!.n, files.length, 'each migration recorded once')
})
