import t from 'tap'
import { D, K } from '../../src/answers/cell-key.ts'
import { createRegion, createPartner } from '../../src/admin/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf, type PlanningWorld } from './world.ts'

/**
 * The planning page (issue 18) on a world whose demand and supply are known: every figure,
 * verdict and the order are computed here from the answers the world stored, and compared
 * with the page's CSV (the same table) and the page itself.
 */

type Verdict = 'need_without_offer' | 'both' | 'offer_without_demand' | 'quiet'
const verdictOrder: Verdict[] = ['need_without_offer', 'both', 'offer_without_demand', 'quiet']
const verdictLabel: Record<Verdict, string> = {
  need_without_offer: 'Need without an offer',
  both: 'Demand and supply',
  offer_without_demand: 'Offer without demand',
  quiet: 'No demand, no offer',
}

function inRange(createdAt: string, from: string, to: string) {
  const day = brusselsDayOf(createdAt)
  return day >= from && day <= to
}

/** The supply the world made, by theme slug, for the window of 2026-Q3 (2026-07-01 … 2026-09-30). */
const supplyQ3: Record<string, number> = { 'koken-voeding': 1, 'natuur-tuin': 1, digitaal: 1, 'ambacht-maken': 1 }

interface Expected {
  slug: string
  label: string
  demand: number
  previous: number
  trend: number
  share: string
  supply: number
  pressure: number
  verdict: Verdict
}

function expectedTable(world: PlanningWorld, labels: Record<number, string>, from: string, to: string, prevFrom: string, prevTo: string, supply: Record<string, number>): Expected[] {
  const current = world.answers.filter((a) => inRange(a.createdAt, from, to))
  const previous = world.answers.filter((a) => inRange(a.createdAt, prevFrom, prevTo))
  const total = publishedOf(current)
  const rows: Expected[] = Object.entries(world.themes).map(([slug, id]) => {
    const demand = publishedOf(current.filter((a) => a.themes.includes(slug)))
    const before = publishedOf(previous.filter((a) => a.themes.includes(slug)))
    const s = supply[slug] ?? 0
    const verdict: Verdict = demand >= K && s === 0 ? 'need_without_offer' : s >= 1 && demand === 0 ? 'offer_without_demand' : demand === 0 && s === 0 ? 'quiet' : 'both'
    return {
      slug,
      label: labels[id]!,
      demand,
      previous: before,
      trend: demand - before,
      share: ((100 * demand) / total).toFixed(1).replace('.', ','),
      supply: s,
      pressure: publishedOf(world.openRequests.filter((r) => r.themes.includes(slug))),
      verdict,
    }
  })
  const collator = new Intl.Collator('en')
  return rows.sort((a, b) => verdictOrder.indexOf(a.verdict) - verdictOrder.indexOf(b.verdict) || b.demand - a.demand || b.trend - a.trend || collator.compare(a.label, b.label))
}

function parseCsv(body: string): string[][] {
  t.equal(body.charCodeAt(0), 0xfeff, 'the CSV starts with a byte order mark')
  return body
    .slice(1)
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(';'))
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const world = await buildPlanningWorld(db)
  const themes = await db.selectFrom('themes').select(['id', 'labels']).where('region_id', '=', world.regionId).execute()
  const labels = Object.fromEntries(themes.map((theme) => [theme.id, (JSON.parse(theme.labels) as Record<string, string>).en!]))
  return { app, db, world, labels }
}

t.test('each theme: demand, share, trend, supply, open requests and verdict as computed from the answers; the order', async (t) => {
  const { app, db, world, labels } = await setup(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const base = `/admin/regions/${world.regionId}/planning`

  const page = await coordinator.get(`${base}?lang=en`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Period 2026-Q3: 2026-07-01 to 2026-09-30, compared with 2026-Q2.', 'the default is the last complete quarter')
  t.match(page.body, 'activities between 2026-07-01 and 2026-09-30')
  t.match(page.body, `<a href="${base}" aria-current="page">Planning</a>`, 'the menu links to it')
  t.match(page.body, `at least ${K}, and right to within ${D}; small counts become 0 or a number from ${K} to ${K + D}.`, 'the protection in words, with the cell key’s own numbers')

  const csv = await coordinator.get(`${base}/export.csv?period=2026-Q3&lang=en`)
  t.equal(csv.statusCode, 200)
  t.match(String(csv.headers['content-type']), 'text/csv')
  const [periodLine, header, ...rows] = parseCsv(csv.body)
  t.same(periodLine, ['Period 2026-Q3: 2026-07-01 to 2026-09-30'])
  t.same(header!.slice(0, 3), ['Learning theme', 'Verdict', 'Demand'])
  const expected = expectedTable(world, labels, '2026-07-01', '2026-09-30', '2026-04-01', '2026-06-30', supplyQ3)
  t.same(
    rows.map((row) => row[0]),
    expected.map((row) => row.label),
    'the themes in the order verdict, demand, trend, label',
  )
  for (const [index, e] of expected.entries()) {
    const row = rows[index]!
    t.same(
      { verdict: row[1], demand: row[2], share: row[3], previous: row[4], trend: row[5], supply: row[7], pressure: row[11] },
      { verdict: verdictLabel[e.verdict], demand: String(e.demand), share: e.share, previous: String(e.previous), trend: String(e.trend), supply: String(e.supply), pressure: String(e.pressure) },
      `${e.slug}: every figure`,
    )
  }
  const bySlug = Object.fromEntries(expected.map((e) => [e.slug, e]))
  // The world is built so that these hold whatever the record keys are; check the world too.
  t.equal(bySlug['talen']!.verdict, 'need_without_offer', 'languages: asked for, nothing on offer')
  t.equal(bySlug['natuur-tuin']!.verdict, 'offer_without_demand', 'nature: an offer, no answers in Q3 (the October one is outside)')
  t.equal(bySlug['sport-bewegen']!.verdict, 'quiet', 'sport: its activity starts after the window and its offer is archived')
  t.equal(bySlug['digitaal']!.verdict, 'both')
  t.equal(rows[0]![0], labels[world.themes['talen']!], 'the need without an offer comes first')
  t.equal(rows.find((row) => row[0] === labels[world.themes['talen']!])![6], 'yes', 'languages are emerging (30+ of ~100 against 3 of ~90)')
  t.ok(bySlug['talen']!.pressure >= K, 'open contact requests for languages are published (9 open at the end of yesterday)')

  // The page shows the same numbers, and the supply with places and partners.
  t.match(page.body, /Need without an offer<\/span>\s*<span class="why">\d+ answers asked for it \(at least 5\), and nothing is on offer\./)
  t.match(page.body, /Activity:<\/span> Computerclub CVO · CVO Haspengouw · locations with a poster: 2 · 2026-08-01 – 2026-08-30/)
  t.match(page.body, /Learning offer:<\/span> Kookles voor beginners · CVO Haspengouw · Bib Borgloon · dinsdag 19u/)
  t.notMatch(page.body, 'Oude sportclub', 'an archived offer is not supply')
  t.notMatch(page.body, 'Sportkamp', 'an activity after the window is not supply')

  // The CSV in French and Dutch: the same figures, the words of the language.
  const fr = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&lang=fr`)).body)
  t.same(fr[1]!.slice(0, 3), ['Thème', 'Verdict', 'Demande'])
  t.equal(fr[2]![1], 'Besoin sans offre')
  t.same(fr.slice(2).map((row) => row[2]), rows.map((row) => row[2]), 'the same demand figures in French')
  const nl = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&lang=nl`)).body)
  t.equal(nl[2]![1], 'Nood zonder aanbod')

  // Another kind of period: August 2026, whose supply window is August … October.
  const august = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-08&lang=en`)).body)
  const expectedAugust = expectedTable(world, labels, '2026-08-01', '2026-08-31', '2026-07-01', '2026-07-31', supplyQ3)
  t.same(august.slice(2).map((row) => [row[0], row[1], row[2], row[4]]), expectedAugust.map((e) => [e.label, verdictLabel[e.verdict], String(e.demand), String(e.previous)]), 'a month: every theme and its order')
  // An ISO week, read from the day rollups.
  const week = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-W28&lang=en`)).body)
  const expectedWeek = expectedTable(world, labels, '2026-07-06', '2026-07-12', '2026-06-29', '2026-07-05', supplyQ3)
  t.same(week.slice(2).map((row) => [row[0], row[2], row[4]]), expectedWeek.map((e) => [e.label, String(e.demand), String(e.previous)]), 'a week: every theme and its order')

  // An import marks a cancelled UiTdatabank event: it is no longer supply.
  await db.updateTable('activities').set({ cancelled_at: '2026-07-15T10:00:00.000Z' }).where('id', '=', world.activities.digital!).execute()
  const cancelled = await coordinator.get(`${base}?period=2026-Q3&lang=en`)
  t.notMatch(cancelled.body, 'Computerclub CVO', 'a cancelled activity is not supply')
  const afterCancel = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&lang=en`)).body)
  const digital = afterCancel.find((row) => row[0] === labels[world.themes['digitaal']!])!
  t.equal(digital[7], '0', 'digital skills: no supply left in Q3')
})

t.test('a partner compared with the rest: only where at least three other partners contribute', async (t) => {
  const { app, db, world, labels } = await setup(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const base = `/admin/regions/${world.regionId}/planning`
  const p1 = world.partners[0]!
  const csv = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&partner=${p1}&lang=en`)).body)
  const header = csv[1]!
  t.same(header.slice(12), ['Demand at the partner', 'Share at the partner (%)', 'Demand in the rest of the region', 'Share in the rest of the region (%)'])
  const q3 = world.answers.filter((a) => inRange(a.createdAt, '2026-07-01', '2026-09-30'))
  const row = (slug: string) => csv.find((line) => line[0] === labels[world.themes[slug]!])!
  for (const slug of ['talen', 'koken-voeding']) {
    const own = publishedOf(q3.filter((a) => a.partner === p1 && a.themes.includes(slug)))
    const rest = publishedOf(q3.filter((a) => a.partner !== p1 && a.themes.includes(slug)))
    t.same([row(slug)[12], row(slug)[14]], [String(own), String(rest)], `${slug}: four other partners contribute, so the rest is shown`)
  }
  const digitalOwn = publishedOf(q3.filter((a) => a.partner === p1 && a.themes.includes('digitaal')))
  t.same([row('digitaal')[12], row('digitaal')[14]], [String(digitalOwn), ''], 'digital skills: one other partner, so no rest')

  // A partner member of P1: their own beside the rest; the region's figure withheld where the rest is.
  const member = await signedIn(app, db, 'partner', { partnerIds: [p1] })
  const page = await member.get(`${base}?lang=en`)
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, 'Compare a partner with the rest', 'a partner member cannot pick another partner')
  t.notMatch(page.body, 'Computerclub CVO', "another partner's activity is not named")
  t.match(page.body, 'an activity of CVO Haspengouw', 'only its partner')
  const mine = parseCsv((await member.get(`${base}/export.csv?lang=en`)).body)
  const mineRow = (slug: string) => mine.find((line) => line[0] === labels[world.themes[slug]!])!
  t.equal(mineRow('digitaal')[2], '', "the region's digital figure is withheld (it would be P1 + one other partner)")
  t.equal(mineRow('digitaal')[12], String(digitalOwn), 'their own figure is there')
  t.equal(mineRow('talen')[2], String(publishedOf(q3.filter((a) => a.themes.includes('talen')))), 'the region figure where four others contribute')
  t.equal(mineRow('talen')[11], String(publishedOf(world.openRequests)), 'open requests for languages come from four partners: shown')
  t.equal(mineRow('koken-voeding')[11], '', 'no open requests for cooking: nobody contributes, so nothing is shown')
  t.equal((await member.get(`${base}?partner=${world.partners[1]}`)).statusCode, 400, 'naming another partner is refused')
  t.equal((await member.get(`${base}/export.csv?partner=${world.partners[1]}`)).statusCode, 400)
})

t.test('bad input and people who may not see it', async (t) => {
  const { app, db, world } = await setup(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  const base = `/admin/regions/${world.regionId}/planning`
  for (const [period, why] of [
    ['2026-Q4', 'not_complete'],
    ['2026-12', 'not_complete'],
    ['2026-W49', 'not_complete'],
    ['2026', 'not_complete'],
    ['2027-Q1', 'not_complete'],
    ['2026-Q4-td', 'invalid'],
    ['2026-td', 'invalid'],
    ['2026-13', 'invalid'],
    ['2026-W54', 'invalid'],
    ['1999', 'invalid'],
    ['9999-Q1', 'invalid'],
    ['2026-q3', 'invalid'],
    ["2026-Q3' or 1=1", 'invalid'],
    ['<script>', 'invalid'],
  ] as const) {
    const response = await coordinator.get(`${base}?lang=en&period=${encodeURIComponent(period)}`)
    t.equal(response.statusCode, 400, `period ${period} → 400`)
    t.match(response.body, why === 'not_complete' ? 'That period is not over yet.' : 'That period does not exist.', `and says why (${period})`)
    t.notMatch(response.body, '<script>', 'the input is not echoed as markup')
  }
  t.equal((await coordinator.get(`${base}?period=${'x'.repeat(40)}`)).statusCode, 400, 'an overlong period is refused by the schema')
  const elsewhere = await createRegion(db, { slug: 'elders-plan', name: 'Elders' })
  const foreignPartner = await createPartner(db, elsewhere, 'Elders', 'other')
  for (const partner of ['abc', '0', '-1', String(foreignPartner), '999999']) {
    const response = await coordinator.get(`${base}?lang=en&partner=${partner}`)
    t.equal(response.statusCode, 400, `partner ${partner} → 400`)
    t.match(response.body, 'Choose a partner of this region from the list.')
  }
  t.equal((await coordinator.get(`${base}/export.csv?period=2026-Q4`)).statusCode, 400, 'the CSV refuses the same')

  const bridge = await signedIn(app, db, 'bridge', { regionIds: [world.regionId] })
  t.equal((await bridge.get(base)).statusCode, 403, 'a bridge figure has no planning page')
  t.notMatch((await bridge.get(`/admin/regions/${world.regionId}`)).body, `${base}"`, 'nor a menu link to it')
  const stranger = await signedIn(app, db, 'coordinator', { regionIds: [elsewhere] })
  t.equal((await stranger.get(base)).statusCode, 404, 'a coordinator of another region: not found')
  t.equal((await stranger.get(`${base}/export.csv`)).statusCode, 404)
  const twoPartners = await signedIn(app, db, 'partner', { partnerIds: [world.partners[0]!, world.partners[1]!] })
  t.equal((await twoPartners.get(base)).statusCode, 403, 'a member of two partners: which figures would be a guess (as the dashboard)')
  const anonymous = await app.inject({ method: 'GET', url: base })
  t.equal(anonymous.statusCode, 303, 'not signed in: to the sign-in page')
})
