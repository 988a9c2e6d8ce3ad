import t from 'tap'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { K, publish } from '../../src/answers/cell-key.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { pdfLines } from '../posters/pdf-tools.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { localDayOf, makeAnswers, now, storeDataset } from './dataset.ts'
import { buildWorld, storeAnswer } from './world.ts'

/**
 * Issue 15 as an outside tester attacks it, over HTTP only (page, CSV, PDF, share link,
 * API), against a seeded world. Each expected figure is worked out here from the stored
 * answers (their true count and record keys) with publish(), not from the dashboard's code.
 *
 * The world: the known data set (dataset.ts) and a small location "Kerk Bree" with, in ISO
 * week 2026-W47, three answers (age band 65+) and, at a second poster, six answers of which
 * two tried something new. The clock says 2026-11-27 15:00 UTC: figures run up to the 26th.
 */

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now })
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const bree = await createLocation(db, world.regionId, { name: 'Kerk Bree' })
  const club = await createActivity(db, { partnerId: world.partners.a, title: 'Leesclub', audience: 'seniors' })
  const posterOne = await createPoster(db, { activityId: club, locationId: bree })
  const reading = await createActivity(db, { partnerId: world.partners.a, title: 'Voorleesuur', audience: 'seniors' })
  const posterTwo = await createPoster(db, { activityId: reading, locationId: bree })
  const one = { id: posterOne.id, partnerId: world.partners.a, locationId: bree, activityId: club }
  const two = { id: posterTwo.id, partnerId: world.partners.a, locationId: bree, activityId: reading }
  // Record keys drawn as the answer writer does: the test reads them back from the database.
  for (let i = 0; i < 3; i++) await storeAnswer(db, world, { poster: one, createdAt: `2026-11-1${7 + i}T10:00:00.000Z`, triedNew: 'no', step2: { liked: 4, ageBand: '65_plus' } })
  for (let i = 0; i < 6; i++) await storeAnswer(db, world, { poster: two, createdAt: `2026-11-20T1${i}:00:00.000Z`, triedNew: i < 2 ? 'yes' : 'no' })
  const userId = await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('coordinator@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'attack', userId: null })
  const api = async (path: string, query: string) => app.inject({ url: `/pinned/api/v1/regions/${world.regionId}/${path}?${query}`, headers: { authorization: `Bearer ${token}` } })

  /** The published count of the stored answers that `pick` selects, from their true count and record keys. */
  async function expected(pick: (row: { day: string; location_id: number; poster_id: number; age_band: string | null; tried_new: string }) => boolean): Promise<number> {
    const rows = await db.selectFrom('responses').select(['created_at', 'location_id', 'poster_id', 'age_band', 'tried_new', 'record_key']).where('region_id', '=', world.regionId).execute()
    let count = 0
    let keys = 0
    for (const row of rows) {
      if (!pick({ ...row, day: localDayOf(String(row.created_at)) })) continue
      count++
      keys += row.record_key
    }
    return publish(count, keys % 256)
  }
  return { app, db, world, userId, bree, club, one, two, coordinator, api, expected }
}

const w47 = (day: string) => day >= '2026-11-16' && day <= '2026-11-22'
const november = (day: string) => day >= '2026-11-01' && day <= '2026-11-26'
const digits = (text: string) => Number(text.replace(/\D/g, ''))

t.test('finding 1: no hidden cell to solve for; every cell of a week’s table is its own published count', async (t) => {
  const { world, club, one, coordinator, api, expected } = await setup(t)
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-W47`)
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, /<td class="n">(&lt;|<) ?\d+<\/td>|<td class="n">•<\/td>/, 'no "< k" and no "•" cell left to solve for')
  const breakdowns = (await api('breakdowns', 'period=2026-W47')).json()
  t.equal(breakdowns.location.total.count, await expected((r) => w47(r.day)), 'the total is the published total')
  for (const row of breakdowns.location.rows) {
    t.equal(row.responses.count, await expected((r) => w47(r.day) && String(r.location_id) === row.key), `location ${row.name}: published from its own answers`)
  }
  const small = breakdowns.activity.rows.find((row: { key: string }) => row.key === String(club))
  t.ok(small.responses.count === 0 || small.responses.count >= K, `the activity with 3 answers in the week publishes ${small.responses.count}, never 3`)
  t.equal(small.responses.count, await expected((r) => w47(r.day) && r.poster_id === one.id), 'and it is its own published count')
  for (const row of breakdowns.ageBand.rows) {
    t.ok(row.responses.count === 0 || row.responses.count >= 5, `age band ${row.key}: ${row.responses.count} is 0 or at least k`)
  }
})

t.test('finding 2: filtering to a row reads back the same published number, not an exact one', async (t) => {
  const { world, bree, api, expected } = await setup(t)
  const table = (await api('breakdowns', 'period=2026-W47')).json()
  const inTable = table.location.rows.find((row: { key: string }) => row.key === String(bree)).responses.count
  const filtered = (await api('summary', `period=2026-W47&location=${bree}`)).json()
  t.equal(filtered.responses.count, inTable, 'the row through a filter is the same cell as in the table')
  t.equal(inTable, await expected((r) => w47(r.day) && r.location_id === bree))
  const ages = (await api('breakdowns', `period=2026-W47&location=${bree}`)).json()
  const old = ages.ageBand.rows.find((row: { key: string }) => row.key === '65_plus').responses.count
  t.not(old, 3, 'the three answers aged 65+ never show as 3')
})

t.test('finding 3: free day ranges are refused; nested grid periods differ only by published counts', async (t) => {
  const { world, coordinator, api } = await setup(t)
  for (const query of ['period=custom&from=2026-06-01&to=2026-11-22', 'period=custom&from=2026-06-01&to=2026-11-15', 'from=2026-11-16&to=2026-11-22']) {
    const page = await coordinator.get(`/admin/dashboard/${world.regionId}?${query}`)
    t.equal(page.statusCode, 400, `${query}: the page says no`)
    t.match(page.body, 'Vrije dagbereiken tonen we niet', `${query}: and why, in the person’s language`)
    t.notMatch(page.body, /name="from"|name="to"/, 'the form has no free day fields')
    const json = await api('summary', query)
    t.equal(json.statusCode, 400)
    t.equal(json.json().error.code, 'period_off_grid', `${query}: a stable code in the API`)
    const csv = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?${query}`)
    t.equal(csv.statusCode, 400, `${query}: no CSV of another slice`)
  }
  const english = await coordinator.get(`/admin/dashboard/${world.regionId}?period=custom&from=2026-06-01&to=2026-11-22&lang=en`)
  t.match(english.body, 'Free day ranges are not published')
})

t.test('finding 4: shares are worked out from published counts', async (t) => {
  const { world, two, api, expected } = await setup(t)
  const summary = (await api('summary', `period=2026-W47&location=${two.locationId}&activity=${two.activityId}`)).json()
  const whole = await expected((r) => w47(r.day) && r.poster_id === two.id)
  const part = await expected((r) => w47(r.day) && r.poster_id === two.id && r.tried_new === 'yes')
  t.equal(summary.responses.count, whole)
  t.equal(summary.triedNewShare, whole > 0 ? Math.min(100, Math.round((100 * part) / whole)) / 100 : null, 'the share of two published counts, whole percents')
  t.not(summary.triedNewShare, 0.33, 'not 2 of 6 (33 %), which would pin the numerator')
})

t.test('finding 5: age band × location is the same published cell as the age band under a location filter', async (t) => {
  const { world, bree, api, expected, coordinator } = await setup(t)
  const table = (await api('breakdowns', 'period=2026-11')).json()
  const row = table.ageBandByLocation.rows.find((r: { location: number }) => r.location === bree)
  const column = table.ageBandByLocation.columns.indexOf('65_plus')
  const filtered = (await api('breakdowns', `period=2026-11&location=${bree}`)).json()
  const viaFilter = filtered.ageBand.rows.find((r: { key: string }) => r.key === '65_plus').responses.count
  t.equal(row.cells[column].count, viaFilter, 'one cell, one number, whichever way it is asked')
  t.equal(viaFilter, await expected((r) => november(r.day) && r.location_id === bree && r.age_band === '65_plus'))
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&location=${bree}`)
  t.notMatch(page.body, '&lt; 10', 'no higher threshold left to undo')
})

t.test('at most two filters: a third gives the message on the page and a 400 in the API', async (t) => {
  const { world, bree, club, coordinator, api } = await setup(t)
  const three = `period=2026-11&partner=${world.partners.a}&location=${bree}&age=65_plus`
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?${three}`)
  t.equal(page.statusCode, 400)
  t.match(page.body, 'hoogstens 2 filters tegelijk', 'the page explains why')
  t.notMatch(page.body, /<option value="65_plus" selected>/, 'the third filter is not applied')
  const json = await api('summary', `period=2026-11&activity=${club}&location=${bree}&age=65_plus`)
  t.equal(json.statusCode, 400)
  t.same(json.json().error.code, 'too_many_filters')
  t.equal((await api('summary', `period=2026-11&location=${bree}&age=65_plus`)).statusCode, 200, 'two are fine')
})

t.test('the notice says how figures are protected, and up to which day', async (t) => {
  const { world, coordinator } = await setup(t)
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'De cijfers zijn beschermd met kleine, vaste aanpassingen; late antwoorden en gewiste antwoorden kunnen ze nog doen bewegen.')
  t.match(page.body, 'Tabellen tellen daardoor niet altijd precies op tot hun totaal.')
  t.match(page.body, 'Cijfers tot en met 2026-11-26.')
})

t.test('(d) the page, CSV, API, PDF and share link publish the same value for the same cell', async (t) => {
  const { app, db, world, userId, coordinator, api, expected } = await setup(t)
  const { token } = await createShareLink(db, world.regionId, userId)
  const page = (await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11`)).body
  const share = (await app.inject({ url: `/r/${token}?period=month` })).body
  const csv = (await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`)).body
  const pdf = await pdfLines((await coordinator.get(`/admin/dashboard/${world.regionId}/report.pdf?period=2026-11`)).rawPayload)
  const json = (await api('breakdowns', 'period=2026-11')).json()
  const summary = (await api('summary', 'period=2026-11')).json()
  const names = await db.selectFrom('locations').select(['id', 'name']).where('region_id', '=', world.regionId).execute()
  const total = await expected((r) => november(r.day))
  t.equal(summary.responses.count, total, 'API headline')
  t.equal(digits(/<span class="value">([^<]+)<\/span>/.exec(page)![1]!), total, 'page headline')
  t.equal(digits(/<span class="value">([^<]+)<\/span>/.exec(share)![1]!), total, 'share headline')
  let compared = 0
  for (const { id, name } of names) {
    const want = await expected((r) => november(r.day) && r.location_id === id)
    const cellOf = (html: string) => {
      const match = new RegExp(`<th scope="row">${name}</th><td class="n">([^<]+)</td>`).exec(html)
      return match ? digits(match[1]!) : undefined
    }
    t.equal(cellOf(page), want, `${name}: page`)
    t.equal(cellOf(share), want, `${name}: share link`)
    t.equal(json.location.rows.find((row: { key: string }) => row.key === String(id)).responses.count, want, `${name}: API`)
    const csvRow = csv.split(/\r?\n/).find((line) => line.split(';')[1] === name)
    t.equal(csvRow === undefined ? undefined : Number(csvRow.split(';')[4]), want, `${name}: CSV`)
    const pdfRow = pdf.split('\n').find((line) => line.startsWith(`${name} `))
    if (pdfRow !== undefined) {
      t.equal(digits(pdfRow.slice(name.length).trim().split(' ')[0]!), want, `${name}: PDF`)
      compared++
    }
  }
  t.ok(compared >= 3, `${compared} locations compared on paper too`)
})

t.test('(e) an answer stored today changes nothing published until tomorrow', async (t) => {
  const { db, world, bree, one, api, coordinator, expected } = await setup(t)
  const read = async () => {
    const responses = [
      await api('summary', 'period=2026-11'),
      await api('breakdowns', `period=2026-11&location=${bree}`),
      await api('weekly', 'period=2026-Q4-td'),
      await api('summary', 'period=week'),
      await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`),
    ]
    for (const response of responses) t.equal(response.statusCode, 200, 'a figure, not a refusal')
    return responses.map((response) => response.body)
  }
  const before = await read()
  for (let i = 0; i < 7; i++) await storeAnswer(db, world, { poster: one, createdAt: `2026-11-27T0${i}:30:00.000Z`, triedNew: 'yes', step2: { liked: 5, ageBand: '65_plus' } })
  t.same(await read(), before, 'the same bytes after seven answers today')
  t.ok((await expected((r) => r.day === '2026-11-27' && r.poster_id === one.id)) >= 5, 'the seven answers of today are stored (tomorrow they count)')
})
