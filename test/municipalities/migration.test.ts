import t from 'tap'
import type { Kysely } from 'kysely'
import { migrator } from '../../src/db/migrate.ts'
import { testDatabase } from '../helpers.ts'

/**
 * Migration 050 matches the free-text municipalities a database already has to the shipped
 * list: the expected codes were looked up by hand in Statbel's list (src/municipalities/data),
 * not computed with the matcher under test.
 */

const cases: { municipality: string | null; address: string | null; nis: string | null; why: string }[] = [
  { municipality: 'Borgloon', address: null, nis: '73111', why: 'an old name of a 2025 merger: Tongeren-Borgloon' },
  { municipality: 'tongeren', address: null, nis: '73111', why: 'lower case, merged' },
  { municipality: 'St.-Truiden', address: null, nis: '71053', why: '"St." for "Sint"' },
  { municipality: 'Sint Truiden', address: null, nis: '71053', why: 'a space for the hyphen' },
  { municipality: null, address: 'Dijk 111, 3700 Tongeren', nis: '73111', why: 'the postal code in the address' },
  { municipality: 'Kortessem', address: null, nis: '71072', why: 'merged into Hasselt' },
  { municipality: 'Zwijndrecht', address: null, nis: '46030', why: 'merged across provinces into Beveren-Kruibeke-Zwijndrecht' },
  { municipality: 'Hoeselt', address: null, nis: '73110', why: 'Bilzen-Hoeselt' },
  { municipality: 'SCHAERBEEK', address: null, nis: '21015', why: 'the French name of a Brussels municipality' },
  { municipality: 'Léau', address: null, nis: '24130', why: 'accents: Zoutleeuw in French' },
  { municipality: 'Riemst', address: 'Maastrichtersteenweg 220, 3770 Riemst', nis: '73066', why: 'a plain match' },
  { municipality: '3800 Sint-Truiden', address: null, nis: '71053', why: 'a postal code typed with the name' },
  { municipality: 'Gemeente 7', address: null, nis: null, why: 'nonsense' },
  { municipality: 'Bruxelles-Ville centre', address: 'Rue Neuve 1', nis: null, why: 'no municipality by that name, no postal code' },
  { municipality: null, address: null, nis: null, why: 'nothing typed' },
]

t.test('050 matches existing free-text municipalities; the rest stays null', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  const db = database.db as Kysely<any>
  const migrations = await migrator(db)
  t.notOk((await migrations.migrateTo('049_path_questions')).error, 'migrated up to 049')
  const now = new Date().toISOString()
  const region = await db.insertInto('regions').values({ slug: 'haspengouw-050', name: 'Haspengouw', default_language: 'nl', created_at: now }).returning('id').executeTakeFirstOrThrow()
  const ids: number[] = []
  for (const [i, c] of cases.entries()) {
    const row = await db.insertInto('locations').values({ region_id: region.id, name: `Locatie ${i}`, municipality: c.municipality, address: c.address, created_at: now }).returning('id').executeTakeFirstOrThrow()
    ids.push(row.id)
  }
  t.notOk((await migrations.migrateToLatest()).error, 'migrated to the latest')
  const rows = await db.selectFrom('locations').select(['id', 'municipality', 'municipality_nis']).where('region_id', '=', region.id).orderBy('id').execute()
  for (const [i, c] of cases.entries()) {
    const row = rows.find((r) => r.id === ids[i])!
    t.equal(row.municipality_nis, c.nis, `${JSON.stringify(c.municipality ?? c.address)}: ${c.why}`)
    t.equal(row.municipality, c.municipality, 'the typed text is kept')
  }
  t.notOk((await migrations.migrateTo('049_path_questions')).error, 'and back down')
  t.notOk((await migrations.migrateToLatest()).error, 'and up again')
})
