import t from 'tap'
import { storeAnswer, type World } from '../dashboard/world.ts'
import type { TriedNew } from '../../src/db/types.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf } from './world.ts'

/**
 * Effect over time (issue 18): per complete month, the share who tried something new and
 * how much they liked it, beside the same month a year earlier — computed here from the
 * answers stored, through the cell-key table, and compared with the page.
 */

t.test('effect per month, with the year before, from published counts', async (t) => {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const world = await buildPlanningWorld(db)
  const posters = await db.selectFrom('posters').select(['id', 'partner_id', 'location_id', 'activity_id']).where('region_id', '=', world.regionId).orderBy('id').limit(5).execute()
  const fake: World = { regionId: world.regionId, partners: { a: 0, b: 0 }, locations: [], activities: [], posters: [], themes: [] }
  const extras: { createdAt: string; tried: TriedNew; liked: number; recordKey: number }[] = []
  const tried: TriedNew[] = ['yes', 'a_bit', 'no']
  for (let i = 0; i < 40; i++) {
    for (const month of ['2025-08', '2026-08']) {
      const answer = { createdAt: `${month}-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00.000Z`, tried: tried[(i + (month === '2025-08' ? 1 : 0)) % 3]!, liked: 1 + ((i * 3) % 5), recordKey: (i * 37 + month.length) % 256 }
      const poster = posters[i % posters.length]!
      await storeAnswer(db, fake, { poster: { id: poster.id, partnerId: poster.partner_id, locationId: poster.location_id, activityId: poster.activity_id }, createdAt: answer.createdAt, triedNew: answer.tried, recordKey: answer.recordKey, step2: { liked: answer.liked } })
      extras.push(answer)
    }
  }
  const expected = (month: string) => {
    const base = world.answers.filter((a) => brusselsDayOf(a.createdAt).startsWith(month)).map((a) => ({ tried: 'yes' as TriedNew, liked: null as number | null, recordKey: a.recordKey }))
    const all = [...base, ...extras.filter((a) => brusselsDayOf(a.createdAt).startsWith(month))]
    const p = (list: typeof all) => publishedOf(list)
    const [yes, bit, no] = tried.map((value) => p(all.filter((a) => a.tried === value)))
    const faces = [1, 2, 3, 4, 5].map((f) => p(all.filter((a) => a.liked === f)))
    const facesTotal = faces.reduce((s, n) => s + n, 0)
    return {
      answers: p(all),
      tried: new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format((100 * (yes! + bit!)) / (yes! + bit! + no!)),
      liked: new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(faces.reduce((s, n, i) => s + n * (i + 1), 0) / facesTotal),
    }
  }
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const base = `/admin/regions/${world.regionId}/planning/effect`
  const page = await coordinator.get(`${base}?lang=en`)
  t.equal(page.statusCode, 200)
  const august = expected('2026-08')
  const before = expected('2025-08')
  const row = /<tr><th scope="row">2026-08<\/th>([\s\S]*?)<\/tr>/.exec(page.body)?.[1] ?? ''
  t.match(row, `>${august.answers}</td>`, 'published answers of August 2026')
  t.match(row, `>${august.tried} %</td>`, 'the share who tried something new, from published counts')
  t.match(row, `>${august.liked}</td>`, 'how much they liked it, from published face counts')
  t.match(row, `${before.answers} · ${before.tried} % · ${before.liked}`, 'August 2025 beside it')
  t.notMatch(page.body, '<th scope="row">2026-12</th>', 'the running month is not shown')
  t.match(page.body, '<th scope="row">2026-11</th>', 'the last complete month is')
  t.notMatch(page.body, '<th scope="row">2025-07</th>', 'nothing before the first month with answers')

  t.equal((await coordinator.get(`${base}?activity=abc`)).statusCode, 400, 'a malformed activity')
  t.equal((await coordinator.get(`${base}?activity=999999`)).statusCode, 400, 'an unknown activity')
  t.equal((await coordinator.get(`${base}?activity=${world.activities.digital}`)).statusCode, 200, 'one activity of the region')
  const member = await signedIn(app, db, 'partner', { partnerIds: [world.partners[0]!] })
  const own = await member.get(`${base}?lang=en`)
  t.match(own.body, 'The answers at the posters of Bib Borgloon.', 'a partner member sees their own posters')
  t.equal((await member.get(`${base}?activity=${world.activities.digital}`)).statusCode, 400, "another partner's activity is refused")
  const bridge = await signedIn(app, db, 'bridge', { regionIds: [world.regionId] })
  t.equal((await bridge.get(base)).statusCode, 403)
})
