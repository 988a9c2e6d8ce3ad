import t from 'tap'
import { publish } from '../../src/answers/cell-key.ts'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { moderate } from '../../src/followup/moderation.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { buildWorld, storeAnswer } from './world.ts'

/**
 * Attacks through HTTP on what the dashboard gives away besides its figures (issue 15,
 * finding 7): whether a quote is listed under a filter or a short period tells the
 * quote's location, age band, activity, partner, audience or day; and the order of themes
 * whose count is hidden tells which hidden count is larger.
 */

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  // The API with the clock on the data set's last day (registered before the app boots).
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now })
  const world = await buildWorld(db, { k: 5 })
  const moderator = await makeUser(db, 'coordinator', 'moderator@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('moderator@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  return { app, db, world, moderator, coordinator }
}

function voices(html: string): string {
  const match = /<section class="voices"[^]*?<\/section>/.exec(html)
  if (!match) throw new Error('no quotes section on the page')
  return match[0]
}

t.test('the quotes shown do not depend on a location, age band, activity, partner or audience filter, nor on a short or shifted period', async (t) => {
  const { db, world, moderator, coordinator } = await setup(t)
  await storeDataset(db, world, makeAnswers())
  // A location, activity and age band of their own, with enough answers to pass k in every slice.
  const kerk = await createLocation(db, world.regionId, { name: 'Kerk Bree' })
  const activity = await createActivity(db, { partnerId: world.partners.b, title: 'Leesclub', audience: 'seniors' })
  const poster = await createPoster(db, { activityId: activity, locationId: kerk })
  const own = { id: poster.id, partnerId: world.partners.b, locationId: kerk, activityId: activity }
  for (let i = 0; i < 6; i++) await storeAnswer(db, world, { poster: own, createdAt: `2026-11-26T0${i}:30:00.000Z`, triedNew: 'yes', step2: { liked: 4, ageBand: 'under_12' } })
  const id = await storeAnswer(db, world, { poster: own, createdAt: '2026-11-26T10:00:00.000Z', triedNew: 'yes', step2: { liked: 5, ageBand: 'under_12', freeText: 'ik lees graag met mijn kleinkind' } })
  await moderate(db, world.regionId, id, moderator, { action: 'approve' })

  const page = async (query: string) => {
    const res = await coordinator.get(`/admin/dashboard/${world.regionId}?${query}`)
    t.equal(res.statusCode, 200, query)
    return voices(res.body)
  }
  const whole = await page('period=quarter')
  t.match(whole, 'ik lees graag met mijn kleinkind', 'the whole region shows the quote')

  // Each filter with the quote's own value and with another value: the block must be the same bytes.
  const pairs: [string, string, string][] = [
    ['location', String(kerk), String(world.locations[0])],
    ['age', 'under_12', '45_64'],
    ['activity', String(activity), String(world.activities[0]!.id)],
    ['partner', String(world.partners.b), String(world.partners.a)],
    ['audience', 'seniors', 'adults'],
  ]
  for (const [name, hit, miss] of pairs) {
    const withQuote = await page(`period=quarter&${name}=${hit}`)
    const without = await page(`period=quarter&${name}=${miss}`)
    t.equal(withQuote, without, `?${name}=: the quotes block does not tell the quote's ${name}`)
    t.notMatch(withQuote, 'ik lees graag', `?${name}=: no quote under a filter`)
    t.match(withQuote, 'Citaten staan alleen bij de hele regio', `?${name}=: the block says why`)
  }

  // The quote's week and another week: a week lists no quotes, so neither tells the quote's week.
  const week = await page('period=2026-W48')
  const otherWeek = await page('period=2026-W47')
  t.equal(week, otherWeek, 'a week does not tell the quote’s week')
  t.match(week, 'minstens een maand', 'the block explains')
  // A day range cannot be slid over the quote's day any more: off the grid, the page shows the default period's block.
  for (const query of ['period=custom&from=2026-10-27&to=2026-11-25', 'period=custom&from=2026-10-28&to=2026-11-26']) {
    const res = await coordinator.get(`/admin/dashboard/${world.regionId}?${query}`)
    t.equal(res.statusCode, 400, `${query}: refused`)
    t.equal(voices(res.body), whole, `${query}: the quotes block of the default period, unchanged`)
  }
})

t.test('themes are ordered by published count and then by label, never by their true count, on the page, in the CSV and in the API', async (t) => {
  const { app, db, world, coordinator } = await setup(t)
  const [shown, early, late] = world.themes
  // Labels chosen so that the label order is the reverse of the true-count order.
  await db.updateTable('themes').set({ labels: JSON.stringify({ nl: 'Aardrijkskunde', en: 'Aardrijkskunde' }) }).where('id', '=', early!.id).execute()
  await db.updateTable('themes').set({ labels: JSON.stringify({ nl: 'Zeilen', en: 'Zeilen' }) }).where('id', '=', late!.id).execute()
  await db.updateTable('themes').set({ labels: JSON.stringify({ nl: 'Muziek', en: 'Muziek' }) }).where('id', '=', shown!.id).execute()
  const answer = (themeIds: number[], i: number, recordKey: number) =>
    storeAnswer(db, world, { poster: world.posters[0]!, createdAt: `2026-11-${String(10 + i).padStart(2, '0')}T10:00:00.000Z`, triedNew: 'yes', recordKey, step2: { liked: 4, themeIds } })
  let i = 0
  // Record keys chosen so that, under the product's table, the two small themes publish the
  // same number above 0 and the large one more (a search over the table found them).
  for (let n = 0; n < 6; n++) await answer([shown!.id], i++, 20) // "Muziek": 6 answers, cell key 120
  for (let n = 0; n < 3; n++) await answer([late!.id], i++, 49) // "Zeilen": 3 answers, cell key 147
  await answer([early!.id], i++, 219) // "Aardrijkskunde": 1 answer, cell key 219
  const published = { Muziek: publish(6, 120), Zeilen: publish(3, 147), Aardrijkskunde: publish(1, 219) }
  t.equal(published.Zeilen, published.Aardrijkskunde, 'the two small themes publish the same number (so their order could only come from the true counts or the label)')
  const expected = (Object.entries(published) as [string, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'nl'))
    .map(([label]) => label)
  t.same(expected, ['Muziek', 'Aardrijkskunde', 'Zeilen'], 'by published count, then by label: the reverse of the true order of the small two')

  const res = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11`)
  t.equal(res.statusCode, 200)
  const table = /<tbody><tr><td>(?:Muziek|Aardrijkskunde|Zeilen)[^]*?<\/tbody>/.exec(res.body)?.[0] ?? ''
  const onPage = [...table.matchAll(/<tr><td>([^<]+)<\/td>/g)].map((m) => m[1])
  t.same(onPage, expected, 'the page')

  const csv = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`)
  const inCsv = csv.body.split(/\r?\n/).filter((line) => line.startsWith('Leerthema;')).map((line) => line.split(';')[1])
  t.same(inCsv, expected, 'the CSV: the same order')

  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'test', userId: null })
  const api = await app.inject({ url: `/pinned/api/v1/regions/${world.regionId}/themes?period=2026-11`, headers: { authorization: `Bearer ${token}` } })
  t.equal(api.statusCode, 200)
  const ranked = (api.json() as { ranked: { theme: { id: number }; chosen: { count: number } }[] }).ranked
  t.same(ranked.map((row) => row.theme.id), [shown!.id, early!.id, late!.id], 'the API: the same order')
  t.same(ranked.map((row) => row.chosen.count), [published.Muziek, published.Aardrijkskunde, published.Zeilen], 'with the published counts')
})
