import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/types.ts'
import { migrator } from '../../src/db/migrate.ts'
import { testDatabase } from '../helpers.ts'
import { rollupSnapshot } from '../dashboard/world.ts'

/**
 * Migration 042 rebuilds the poster-grain rollups with `assisted` as a key column. On a
 * database that already has answers, every rollup row moves over with `assisted = 0` and no
 * figure changes; going back down folds the assisted rows into the others.
 */

const poster = ['rollup_poster_days', 'rollup_poster_months', 'rollup_poster_years', 'rollup_poster_theme_days', 'rollup_poster_theme_months'] as const

t.test('042 on a database with answers: every rollup row kept, as unassisted; down and up again', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  const db = database.db as unknown as Kysely<Database>
  const migrations = await migrator(database.db)
  const before = await migrations.migrateTo('041_digest_mailing')
  t.notOk(before.error, 'migrated up to 041')

  // Rollup rows as 041 knew them (the current answer code would name `assisted`, so they are written by hand).
  const regionId = 7
  const grainOf = (table: string) => (table.endsWith('days') ? ['day', '2026-10-0'] : table.endsWith('months') ? ['month', '2026-0'] : ['year', '202']) as [string, string]
  for (const table of poster) {
    const [grain, stem] = grainOf(table)
    for (let i = 1; i <= 3; i++) {
      const row: Record<string, unknown> = { region_id: regionId, [grain]: `${stem}${grain === 'year' ? i + 3 : i}`, poster_id: 10 + i, age_band: i === 2 ? '25_44' : '', partner_id: 3, location_id: 4, activity_id: 5, audience: 'adults', responses: i, responses_key: 17 * i }
      if (table.includes('theme')) row.theme_id = 20 + i
      else Object.assign(row, { tried_yes: i, tried_yes_key: 17 * i, liked_3: 1, liked_3_key: 9 })
      await (database.db as Kysely<any>).insertInto(table).values(row).execute()
    }
  }
  const old = await rollupSnapshot(db, regionId)
  t.equal(old.rollup_poster_days!.length, 3, 'three rows a table')

  const up = await migrations.migrateToLatest()
  t.notOk(up.error, 'migrated to the latest')
  const after = await rollupSnapshot(db, regionId)
  for (const table of poster) {
    t.equal(after[table]!.length, old[table]!.length, `${table}: every row kept`)
    t.same(after[table]!.map((row) => JSON.parse(row).assisted), after[table]!.map(() => 0), `${table}: as unassisted`)
    t.same(after[table]!.map((row) => { const { assisted: _, ...rest } = JSON.parse(row); return JSON.stringify(rest) }).sort(), [...old[table]!].map((row) => JSON.stringify(JSON.parse(row))).sort(), `${table}: the same counts and key sums`)
  }
  const columns = (await database.db.introspection.getTables()).find((table) => table.name === 'responses')!.columns
  t.match(columns.find((column) => column.name === 'assisted'), { isNullable: false, hasDefaultValue: true }, 'responses.assisted: not null, 0 by default for the answers stored so far')

  const down = await migrations.migrateTo('041_digest_mailing')
  t.notOk(down.error, 'and back down')
  t.same(await rollupSnapshot(db, regionId), old, 'down gives the rollups as they were')
  t.notOk((await migrations.migrateToLatest()).error, 'and up again')
})
