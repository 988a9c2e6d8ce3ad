import t from 'tap'
import { sql } from 'kysely'
import { migrateToLatest, migrationsCurrent, migrator } from '../../src/db/migrate.ts'
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
