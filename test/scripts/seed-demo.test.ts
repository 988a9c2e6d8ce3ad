import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { seedDemo } from '../../scripts/seed-demo.ts'
import { testConfig, testDatabase } from '../helpers.ts'

const now = new Date('2026-11-28T12:00:00.000Z')
const sixMonthsAgo = new Date(now.getTime() - 182 * 24 * 60 * 60 * 1000).toISOString()
const sixWeeks = 42 * 24 * 60 * 60 * 1000

t.test('the demo seed builds two regions with activities, posters and plausible answers', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const summary = await seedDemo(db, { now, responses: 1500 })

  t.same(summary.regions.map((r) => r.slug), ['zuid-limburg', 'westhoek'])
  t.equal(summary.responses, 1500)
  const activities = await db.selectFrom('activities').select(['region_id', 'audience']).execute()
  t.equal(activities.length, 25)
  for (const region of summary.regions) {
    const audiences = new Set(activities.filter((a) => a.region_id === region.id).map((a) => a.audience))
    t.ok(audiences.has('children') && audiences.has('seniors'), `${region.slug} has activities for children and seniors`)
  }
  t.ok(summary.posters.length >= 25)
  t.ok(summary.posters.some((p) => p.status === 'paused'), 'one poster is paused, to show that page')

  const responses = await db.selectFrom('responses').selectAll().execute()
  t.equal(responses.length, 1500)
  t.ok(responses.every((r) => r.created_at >= sixMonthsAgo && r.created_at < now.toISOString()), 'all answers lie in the last six months')

  const misplaced = await db
    .selectFrom('responses')
    .innerJoin('posters', 'posters.id', 'responses.poster_id')
    .select('responses.id')
    .where((eb) =>
      eb.or([
        eb('posters.region_id', '!=', eb.ref('responses.region_id')),
        eb('posters.partner_id', '!=', eb.ref('responses.partner_id')),
        eb('posters.location_id', '!=', eb.ref('responses.location_id')),
        eb('posters.activity_id', '!=', eb.ref('responses.activity_id')),
      ]),
    )
    .execute()
  t.equal(misplaced.length, 0, 'denormalised ids agree with the poster')

  const stepTwo = responses.filter((r) => r.step === 2)
  t.ok(stepTwo.length > 1500 * 0.3 && stepTwo.length < 1500 * 0.6, `part of the answers reach step 2 (${stepTwo.length})`)
  t.ok(responses.filter((r) => r.step === 1).every((r) => r.liked === null && r.free_text === null), 'step-1 answers have nothing of step 2')
  const liked = stepTwo.flatMap((r) => (r.liked === null ? [] : [r.liked]))
  t.ok(liked.every((v) => v >= 1 && v <= 5) && liked.reduce((a, b) => a + b, 0) / liked.length > 3.7, 'liked is skewed positive')
  const languages = new Set(responses.map((r) => r.language))
  t.same([...languages].sort(), ['en', 'fr', 'nl'])
  t.ok(stepTwo.some((r) => r.free_text !== null && r.language === 'fr'), 'some free text is French')

  const links = await db
    .selectFrom('response_themes')
    .innerJoin('responses', 'responses.id', 'response_themes.response_id')
    .innerJoin('themes', 'themes.id', 'response_themes.theme_id')
    .select(['response_themes.response_id', 'response_themes.source', 'responses.region_id', 'responses.step', 'responses.created_at', 'themes.region_id as themeRegion', 'themes.slug'])
    .execute()
  t.ok(links.length > 0 && links.every((l) => l.themeRegion === l.region_id && l.step === 2), "themes come from the answer's own region, in step 2")
  const perResponse = new Map<number, number>()
  for (const link of links.filter((l) => l.source === 'chosen')) perResponse.set(link.response_id, (perResponse.get(link.response_id) ?? 0) + 1)
  t.ok(Math.max(...perResponse.values()) <= 3, 'at most three chosen themes per answer')

  // The dashboard reads rollups: the seed fills them as the answer route would.
  const counted = await db.selectFrom('rollup_region_days').select((eb) => eb.fn.sum<number>('responses').as('n')).executeTakeFirstOrThrow()
  t.equal(Number(counted.n), 1500, 'every seeded answer is in the dashboard rollups')
  const classified = await db.selectFrom('response_themes').select('matched').where('source', '=', 'text').execute()
  t.ok(classified.length > 0 && classified.every((row) => row.matched !== null), 'free texts are classified, each with the word that matched')

  // Emerging: in the Westhoek, sustainability is asked for clearly more in the last six
  // weeks than in the six weeks before.
  const westhoek = summary.regions.find((r) => r.slug === 'westhoek')!.id
  const count = (from: number, to: number) =>
    links.filter((l) => l.region_id === westhoek && l.slug === 'duurzaamheid' && Date.parse(l.created_at) >= from && Date.parse(l.created_at) < to).length
  const recent = count(now.getTime() - sixWeeks, now.getTime())
  const before = count(now.getTime() - 2 * sixWeeks, now.getTime() - sixWeeks)
  t.ok(recent > 1.5 * before, `duurzaamheid emerges in the Westhoek (${before} → ${recent})`)
})

t.test('a seeded poster opens the citizen form', async (t) => {
  const database = await testDatabase(t)
  const summary = await seedDemo(database.db, { now, responses: 50 })
  const app = await buildApp(testConfig(), { database })
  t.teardown(() => app.close())
  const children = summary.posters.find((p) => p.audience === 'children' && p.status === 'active')!
  const page = await app.inject({ url: `/q/${children.code}` })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Heb je vandaag iets gedaan wat je nog nooit deed')
  const paused = summary.posters.find((p) => p.status === 'paused')!
  const answer = await app.inject({ method: 'POST', url: `/q/${paused.code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'tried_new=yes' })
  t.equal(answer.statusCode, 409, 'the paused poster takes no answers')
})
