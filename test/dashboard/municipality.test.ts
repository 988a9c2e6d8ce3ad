import t from 'tap'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { publish } from '../../src/answers/cell-key.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { now } from './dataset.ts'
import { buildWorld, storeAnswer } from './world.ts'

/**
 * The dashboard's municipality filter (issue 18): the answers at the region's locations in a
 * municipality, its codes merged in 2025 included. Every expected figure is worked out here
 * from the stored answers' true counts and record keys with publish(), the same path as the
 * location filter's tests, never from the dashboard's code.
 */

const week = '2026-W47'

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now })
  const world = await buildWorld(db, { k: 5 })
  const [hasselt, kortessem, tongeren] = world.locations as [number, number, number]
  await db.updateTable('locations').set({ municipality_nis: '71072' }).where('id', '=', hasselt).execute()
  // A retired code (Kortessem, merged into Hasselt in 2025), as an import or a restore could leave it.
  await db.updateTable('locations').set({ municipality_nis: '73040' }).where('id', '=', kortessem).execute()
  await db.updateTable('locations').set({ municipality_nis: '73111' }).where('id', '=', tongeren).execute()
  for (const [i, poster] of world.posters.entries()) {
    for (let j = 0; j < 4 + 3 * i; j++) await storeAnswer(db, world, { poster, createdAt: `2026-11-17T1${j % 10}:0${i}:00.000Z`, triedNew: j % 2 === 0 ? 'yes' : 'no', recordKey: (j * 37 + i * 11 + 5) % 256 })
  }
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'muni', userId: null })
  const api = (endpoint: string, query: string) => app.inject({ url: `/pinned/api/v1/regions/${world.regionId}/${endpoint}?${query}`, headers: { authorization: `Bearer ${token}` } })
  async function truth(locationIds: number[]) {
    const rows = await db.selectFrom('responses').select(['location_id', 'record_key', 'created_at']).where('region_id', '=', world.regionId).execute()
    const picked = rows.filter((row) => row.created_at >= '2026-11-16' && row.created_at < '2026-11-23' && locationIds.includes(row.location_id))
    return { count: picked.length, key: picked.reduce((sum, row) => sum + row.record_key, 0) % 256 }
  }
  await makeUser(db, 'coordinator', 'coordinator-muni@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('coordinator-muni@example.be', testPassword)).statusCode !== 303) throw new Error('the coordinator cannot sign in')
  return { db, world, api, truth, coordinator, hasselt, kortessem, tongeren }
}

t.test('the municipality filter counts the answers of its locations, old codes included, through the published count', async (t) => {
  const { world, api, truth, hasselt, kortessem, tongeren } = await setup(t)
  const both = await truth([hasselt, kortessem])
  t.ok(both.count > 0, `the world: ${both.count} answers at the two Hasselt locations`)
  const summary = await api('summary', `period=${week}&municipality=71072`)
  t.equal(summary.statusCode, 200)
  t.equal(summary.json().responses.count, publish(both.count, both.key), 'Hasselt: the published count of the answers at both its locations (one of them under the old Kortessem code)')
  t.same(summary.json().filters, { municipality: '71072' }, 'the filter is named in the answer')

  const old = await api('summary', `period=${week}&municipality=73040`)
  t.equal(old.json().responses.count, summary.json().responses.count, 'a retired code reads as the municipality that took it over')

  const one = await truth([tongeren])
  const byMunicipality = (await api('summary', `period=${week}&municipality=73111`)).json().responses.count
  const byLocation = (await api('summary', `period=${week}&location=${tongeren}`)).json().responses.count
  t.equal(byMunicipality, publish(one.count, one.key), 'Tongeren-Borgloon: its one location\'s published count')
  t.equal(byMunicipality, byLocation, 'the same answers publish the same number by municipality and by location')

  const empty = await api('summary', `period=${week}&municipality=44021`)
  t.equal(empty.json().responses.count, 0, 'a municipality of the list without locations here: 0')
  t.ok(world.posters.length > 0)
})

t.test('an unknown code: 400 in the API, the dashboard with a message; and it counts as a filter', async (t) => {
  const { world, api, coordinator } = await setup(t)
  for (const code of ['99999', 'abc', '7307']) {
    const response = await api('summary', `period=${week}&municipality=${code}`)
    t.equal(response.statusCode, 400, `${code}: 400`)
    t.equal(response.json().error.code, 'invalid_parameter', `${code}: invalid_parameter`)
  }
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=${week}&municipality=99999`)
  t.equal(page.statusCode, 400, 'the dashboard with its message (400, as for the other filters), never a 500')
  t.match(page.body, /Kerncijfers|Key figures/, 'the dashboard is still shown')
  t.match(page.body, 'De filter “Gemeente” heeft een waarde die we niet kennen')
  const chosen = await coordinator.get(`/admin/dashboard/${world.regionId}?period=${week}&municipality=71072`)
  t.match(chosen.body, '<option value="71072" selected>Hasselt</option>', 'the form offers the region\'s municipalities, the chosen one selected')

  const third = await api('summary', `period=${week}&partner=${world.partners.a}&municipality=71072&audience=all`)
  t.equal(third.statusCode, 400, 'a third filter is refused in the API')
  t.equal(third.json().error.code, 'too_many_filters')
  const two = await api('summary', `period=${week}&partner=${world.partners.a}&municipality=71072`)
  t.equal(two.statusCode, 200, 'two filters, one of them the municipality, are fine')
  const page3 = await coordinator.get(`/admin/dashboard/${world.regionId}?period=${week}&location=${world.locations[0]}&municipality=71072&audience=all`)
  t.match(page3.body, /hoogstens 2 filters|at most 2 filters/i, 'with the message')
  t.notMatch(page3.body, '<option value="all" selected>', 'on the page the third filter is dropped')
})
