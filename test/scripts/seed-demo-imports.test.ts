import t from 'tap'
import { seedDemo } from '../../scripts/seed-demo.ts'
import { seedDemoImports } from '../../scripts/seed-demo-imports.ts'
import { testDatabase } from '../helpers.ts'

/** The demo's UiTdatabank-shaped file: imported into Zuid-Limburg, moved to the demo's now, idempotent. */
t.test('the demo imports its UiTdatabank file', async (t) => {
  const now = new Date('2027-03-01T09:00:00Z')
  const database = await testDatabase(t)
  const db = database.db
  await seedDemo(db, { now, responses: 200 })
  const result = await seedDemoImports(db, { now })
  if (!result || !('counts' in result)) throw new Error('the demo import failed')
  t.same(result.counts, { imported: 3, updated: 0, unchanged: 0, pending: 1, skipped: 1 })
  const region = await db.selectFrom('regions').select('id').where('slug', '=', 'zuid-limburg').executeTakeFirstOrThrow()
  const activity = await db
    .selectFrom('activities')
    .innerJoin('partners', 'partners.id', 'activities.partner_id')
    .select(['activities.title', 'activities.starts_on', 'partners.name'])
    .where('activities.region_id', '=', region.id)
    .where('activities.title', '=', 'Zaadjes ruilen en moestuintips')
    .executeTakeFirstOrThrow()
  // 12 December 2026 in the file, anchored on 1 December: 11 days after now.
  t.same(activity, { title: 'Zaadjes ruilen en moestuintips', starts_on: '2027-03-12', name: 'Bibliotheek Tongeren' })
  const offer = await db.selectFrom('offers').select(['title', 'provider', 'cost']).where('region_id', '=', region.id).where('title', '=', 'Nederlands oefenen: conversatiereeks').executeTakeFirstOrThrow()
  t.same(offer, { title: 'Nederlands oefenen: conversatiereeks', provider: 'CVO Haspengouw', cost: '30,00 EUR' })
  const again = await seedDemoImports(db, { now })
  t.same(again && 'counts' in again && again.counts, { imported: 0, updated: 0, unchanged: 3, pending: 1, skipped: 1 })
})
