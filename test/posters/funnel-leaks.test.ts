import t from 'tap'
import { addDays, dayStartUtc, today } from '../../src/answers/index.ts'
import { cellKey, D, K, publish } from '../../src/answers/cell-key.ts'
import { answerStepOne, buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

/**
 * Attacks through HTTP on the poster funnel (issue 15, finding 6): a partner member must not
 * watch a poster's counter move one answer at a time, nor read a count of 1 … 4.
 */

type FunnelJson = { posters: { posterId: number; last30Days: Record<string, number>; allTime: Record<string, number> }[] }

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const mine = await seedPoster(database)
  // Printed a week ago: the funnel has complete days.
  const weekAgo = dayStartUtc(addDays(today(), -7))
  await db.updateTable('posters').set({ created_at: weekAgo }).where('id', '=', mine.posterId).execute()
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [mine.partnerId] })
  const partner = new Browser(app)
  if ((await partner.signIn('partner@example.be', testPassword)).statusCode !== 303) throw new Error('partner cannot sign in')
  return { app, db, mine, partner }
}

const numbersOf = (json: FunnelJson) => json.posters.flatMap((row) => [...Object.values(row.last30Days), ...Object.values(row.allTime)])

t.test('an answer stored today changes nothing the same day, on the preview page or in the JSON', async (t) => {
  const { app, mine, partner } = await setup(t)
  const json = async () => (await partner.get('/admin/posters/funnel.json')).json() as FunnelJson
  const funnelOf = (html: string) => /<h2>Scans en antwoorden[^]*?<\/table>/.exec(html)?.[0] ?? html
  const beforeJson = await json()
  const beforePage = funnelOf((await partner.get(`/admin/posters/${mine.posterId}`)).body)
  app.scanCounter.record(mine.posterId)
  await app.scanCounter.flush()
  const { res } = await answerStepOne(app, mine.code)
  t.equal(res.statusCode, 303, 'one answer stored')
  t.same(await json(), beforeJson, 'the JSON is the same after one scan and one answer')
  t.equal(funnelOf((await partner.get(`/admin/posters/${mine.posterId}`)).body), beforePage, 'the page too')
})

t.test('a poster with one or two answers yesterday never shows 1 … 4', async (t) => {
  const { db, mine, partner } = await setup(t)
  const yesterday = addDays(today(), -1)
  for (const answers of [1, 2]) {
    const at = new Date(Date.parse(dayStartUtc(yesterday)) + (10 + answers) * 3_600_000).toISOString()
    await db
      .insertInto('responses')
      .values({ poster_id: mine.posterId, region_id: mine.regionId, partner_id: mine.partnerId, location_id: mine.locationId, activity_id: mine.activityId, created_at: at, language: 'nl', tried_new: 'yes', step: 2, record_key: 7 * answers })
      .execute()
    await db.insertInto('poster_scans').values({ poster_id: mine.posterId, day: yesterday, scans: answers }).onConflict((oc) => oc.columns(['poster_id', 'day']).doUpdateSet({ scans: answers })).execute()
    const numbers = numbersOf((await partner.get('/admin/posters/funnel.json')).json() as FunnelJson)
    t.ok(numbers.every((n) => n === 0 || n >= 5), `${answers} answer(s) yesterday: published ${numbers.join(', ')}`)
    const page = (await partner.get(`/admin/posters/${mine.posterId}`)).body
    const cells = [...page.matchAll(/<td class="n">(\d+)<\/td>/g)].map((m) => Number(m[1]))
    t.ok(cells.length > 0 && cells.every((n) => n === 0 || n >= 5), `the page: ${cells.join(', ')}`)
    t.match(page, `1 tot ${K - 1} wordt 0 of een getal van ${K} tot ${K + D}, grotere getallen schuiven hoogstens ${D} op.`, 'the protection in words, with the cell key’s own numbers')
  }
})

t.test('a poster printed today says that the first figures appear tomorrow', async (t) => {
  const { db, mine, partner } = await setup(t)
  await db.updateTable('posters').set({ created_at: new Date().toISOString() }).where('id', '=', mine.posterId).execute()
  const page = await partner.get(`/admin/posters/${mine.posterId}`)
  t.match(page.body, 'De eerste cijfers verschijnen morgen.')
  const en = await partner.get(`/admin/posters/${mine.posterId}?lang=en`)
  t.match(en.body, 'The first figures appear tomorrow.')
})

t.test('step 1 and step 2 are published from the record keys of the answers they count', async (t) => {
  const { db, mine, partner } = await setup(t)
  const yesterday = addDays(today(), -1)
  const keys = [3, 250, 17, 99, 128, 41, 200]
  for (const [i, key] of keys.entries()) {
    const at = new Date(Date.parse(dayStartUtc(yesterday)) + (8 + i) * 3_600_000).toISOString()
    await db
      .insertInto('responses')
      .values({ poster_id: mine.posterId, region_id: mine.regionId, partner_id: mine.partnerId, location_id: mine.locationId, activity_id: mine.activityId, created_at: at, language: 'nl', tried_new: 'yes', step: i < 6 ? 2 : 1, record_key: key })
      .execute()
  }
  const json = (await partner.get('/admin/posters/funnel.json')).json() as FunnelJson
  const row = json.posters.find((p) => p.posterId === mine.posterId)!
  const sum = (list: number[]) => list.reduce((a, b) => a + b, 0)
  for (const period of ['allTime', 'last30Days'] as const) {
    t.equal(row[period].step1, publish(7, cellKey(sum(keys))), `${period}: step 1 is the published value of the 7 answers' key sum`)
    t.equal(row[period].step2, publish(6, cellKey(sum(keys.slice(0, 6)))), `${period}: step 2 from the 6 answers that reached it`)
  }
})
