import t from 'tap'
import { K } from '../../src/answers/cell-key.ts'
import { createActivity, createLocation, setActivityThemes } from '../../src/admin/queries.ts'
import apiRoutes from '../../src/api/routes.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf } from './world.ts'

/**
 * The planning page narrowed to a municipality (issue 18). The planning world's five
 * partners each have one location; here the first two are put in Hasselt (the second under
 * Kortessem's code, merged into Hasselt in 2025) and the other three in Tongeren-Borgloon.
 * Supply is placed by hand: offers whose place names a municipality, an activity with
 * posters in both. Every expected figure is worked out from the answers the world stored and
 * from that placement, never from the page's queries.
 */

const hasselt = '71072'
const kortessem = '73040'
const tongeren = '73111'
type Verdict = 'need_without_offer' | 'both' | 'offer_without_demand' | 'quiet'
const verdictLabel: Record<Verdict, string> = {
  need_without_offer: 'Need without an offer',
  both: 'Demand and supply',
  offer_without_demand: 'Offer without demand',
  quiet: 'No demand, no offer',
}

function parseCsv(body: string): string[][] {
  return body
    .slice(1)
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => line.split(';'))
}

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  await app.register(apiRoutes, { prefix: '/pinned/api', publicBaseUrl: 'https://leervraag.example.be', now: () => now })
  const world = await buildPlanningWorld(db)
  const posters = await db.selectFrom('posters').select(['partner_id', 'location_id', 'activity_id']).where('region_id', '=', world.regionId).execute()
  const locationOf = (partnerIndex: number) => posters.find((p) => p.partner_id === world.partners[partnerIndex] && p.activity_id !== world.activities.digital)!.location_id
  const codes = [hasselt, kortessem, tongeren, tongeren, tongeren]
  for (const [index, code] of codes.entries()) await db.updateTable('locations').set({ municipality_nis: code }).where('id', '=', locationOf(index)).execute()
  // The digital activity has posters at P2's location (Hasselt, by its old code) and at "Campus Borgloon": put the campus in Tongeren-Borgloon.
  const campus = posters.find((p) => p.activity_id === world.activities.digital && p.location_id !== locationOf(1))!.location_id
  await db.updateTable('locations').set({ municipality_nis: tongeren }).where('id', '=', campus).execute()
  // Supply in one municipality only.
  const base = { schedule: null, cost: null, languages: ['nl'], textLanguage: 'nl', audience: 'all' as const, link: null, contact: null, archived: false }
  await createOffer(db, world.regionId, { ...base, title: 'Nederlands oefenen', provider: 'Huis van het Nederlands', place: 'Dijk 111, 3700 Tongeren', themeIds: [world.themes['talen']!] })
  await createOffer(db, world.regionId, { ...base, title: 'Digicafé', provider: 'Bib Hasselt', place: 'Hasselt', themeIds: [world.themes['digitaal']!] })
  const sewing = await createActivity(db, { partnerId: world.partners[2]!, title: 'Herstelcafé', audience: 'all' })
  await setActivityThemes(db, world.regionId, sewing, [world.themes['ambacht-maken']!])
  await createPoster(db, { activityId: sewing, locationId: await createLocation(db, world.regionId, { name: 'Zaal Riemst', municipality: 'Riemst' }) })
  const themes = await db.selectFrom('themes').select(['id', 'labels']).where('region_id', '=', world.regionId).execute()
  const labels = Object.fromEntries(themes.map((theme) => [theme.id, (JSON.parse(theme.labels) as Record<string, string>).en!]))
  const { token } = await createApiToken(db, { regionId: world.regionId, name: 'plan-muni', userId: null })
  const api = (query: string) => app.inject({ url: `/pinned/api/v1/regions/${world.regionId}/summary?${query}`, headers: { authorization: `Bearer ${token}` } })
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [world.regionId] })
  return { app, db, world, labels, coordinator, api }
}

/** Supply per theme slug in 2026-Q3, per municipality, as placed above and in the planning world. */
const supplyQ3: Record<string, Record<string, { offers: number; activities: number }>> = {
  // The digital activity (a poster at P2's location) and the Digicafé offer ("Hasselt").
  [hasselt]: { digitaal: { offers: 1, activities: 1 } },
  // The digital activity (its campus poster) and the language offer ("3700 Tongeren"). "Bib Borgloon" names no municipality; the Naaicafé has no poster.
  [tongeren]: { digitaal: { offers: 0, activities: 1 }, talen: { offers: 1, activities: 0 } },
  // Riemst: only the Herstelcafé, whose location no answer came from.
  '73066': { 'ambacht-maken': { offers: 0, activities: 1 } },
}

t.test('demand, supply and verdicts per municipality, as computed from the answers and the placement', async (t) => {
  const { world, labels, coordinator, api } = await setup(t)
  const base = `/admin/regions/${world.regionId}/planning`
  const partnersIn: Record<string, number[]> = { [hasselt]: [0, 1], [tongeren]: [2, 3, 4], '73066': [] }
  const q3 = (a: { createdAt: string }) => brusselsDayOf(a.createdAt) >= '2026-07-01' && brusselsDayOf(a.createdAt) <= '2026-09-30'
  const q2 = (a: { createdAt: string }) => brusselsDayOf(a.createdAt) >= '2026-04-01' && brusselsDayOf(a.createdAt) <= '2026-06-30'
  for (const code of [hasselt, tongeren, '73066']) {
    const here = new Set(partnersIn[code]!.map((index) => world.partners[index]!))
    const answers = world.answers.filter((a) => here.has(a.partner))
    const csv = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&municipality=${code}&lang=en`)).body)
    const rows = csv.slice(2)
    const total = publishedOf(answers.filter(q3))
    for (const [slug, id] of Object.entries(world.themes)) {
      const row = rows.find((line) => line[0] === labels[id])
      const demand = publishedOf(answers.filter((a) => q3(a) && a.themes.includes(slug)))
      const previous = publishedOf(answers.filter((a) => q2(a) && a.themes.includes(slug)))
      const supply = supplyQ3[code]![slug] ?? { offers: 0, activities: 0 }
      const count = supply.offers + supply.activities
      const verdict: Verdict = demand >= K && count === 0 ? 'need_without_offer' : count >= 1 && demand === 0 ? 'offer_without_demand' : demand === 0 && count === 0 ? 'quiet' : 'both'
      if (row === undefined) {
        t.ok(demand === 0 && count === 0, `${code} ${slug}: left out only as a hidden theme without demand or supply`)
        continue
      }
      const pressure = publishedOf(world.openRequests.filter((r) => here.has(r.partner) && r.themes.includes(slug)))
      t.same(
        { verdict: row[1], demand: row[2], previous: row[4], supply: row[7], offers: row[8], activities: row[9], pressure: row[11] },
        {
          verdict: verdictLabel[verdict],
          demand: String(demand),
          previous: String(previous),
          supply: String(count),
          offers: String(supply.offers),
          activities: String(supply.activities),
          pressure: String(pressure),
        },
        `${code} ${slug}: every figure`,
      )
      if (demand > 0) t.equal(row[3], ((100 * demand) / total).toFixed(1).replace('.', ','), `${code} ${slug}: the share of the municipality's answers`)
    }
    // The same answers publish the same total on the dashboard (its API) as on the planning page.
    const summary = (await api(`period=2026-Q3&municipality=${code}`)).json()
    const page = await coordinator.get(`${base}?period=2026-Q3&municipality=${code}&lang=en`)
    t.equal(page.statusCode, 200)
    t.equal(summary.responses.count, total, `${code}: the dashboard's published total is the one computed here`)
    t.match(page.body, `${total} answers in `, `${code}: and the planning page says the same`)
  }
  const hasseltCsv = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&municipality=${hasselt}&lang=en`)).body)
  const tongerenCsv = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&municipality=${tongeren}&lang=en`)).body)
  const verdictOf = (csv: string[][], slug: string) => csv.find((line) => line[0] === labels[world.themes[slug]!])![1]
  // The world is built so that these hold whatever the record keys: check the world too.
  t.equal(verdictOf(hasseltCsv, 'talen'), verdictLabel.need_without_offer, 'Hasselt: 17 language answers, nothing on offer there')
  t.equal(verdictOf(tongerenCsv, 'talen'), verdictLabel.both, 'Tongeren-Borgloon: the language offer is there')
  t.equal(hasseltCsv[2]![0], labels[world.themes['talen']!], 'the need without an offer comes first')

  const page = await coordinator.get(`${base}?period=2026-Q3&municipality=${hasselt}&lang=en`)
  t.match(page.body, 'Only the answers, activities and offers in Hasselt.')
  t.match(page.body, `<option value="${hasselt}" selected>Hasselt</option>`, 'the form offers the region’s municipalities, the chosen one selected')
  t.match(page.body, `<option value="${tongeren}">Tongeren-Borgloon</option>`)
  t.match(page.body, /Activity:<\/span> Computerclub CVO · CVO Haspengouw · locations with a poster: 1/, 'an activity counts its places in the municipality only')
  t.notMatch(page.body, 'Nederlands oefenen', 'an offer in another municipality is not supply here')
  t.match(page.body, `municipality=${hasselt}`, 'the CSV link keeps the municipality')
  const retired = parseCsv((await coordinator.get(`${base}/export.csv?period=2026-Q3&municipality=${kortessem}&lang=en`)).body)
  t.same(retired.slice(2), hasseltCsv.slice(2), 'a code merged in 2025 reads as the municipality that took it over')
})

t.test('with a partner compared: the partner and the rest within the municipality', async (t) => {
  const { world, labels, coordinator } = await setup(t)
  const p1 = world.partners[0]!
  const csv = parseCsv((await coordinator.get(`/admin/regions/${world.regionId}/planning/export.csv?period=2026-Q3&municipality=${hasselt}&partner=${p1}&lang=en`)).body)
  const q3 = world.answers.filter((a) => brusselsDayOf(a.createdAt) >= '2026-07-01' && brusselsDayOf(a.createdAt) <= '2026-09-30')
  const row = csv.find((line) => line[0] === labels[world.themes['talen']!])!
  t.equal(row[12], String(publishedOf(q3.filter((a) => a.partner === p1 && a.themes.includes('talen')))), "P1's own figure")
  t.equal(row[14], '', 'one other partner in Hasselt: no rest (three are needed)')
})

t.test('an unknown municipality: the page with a message, never a 500', async (t) => {
  const { world, coordinator } = await setup(t)
  const base = `/admin/regions/${world.regionId}/planning`
  for (const code of ['99999', 'abc', '7307', '710720', "71072' or 1=1", '<b>']) {
    for (const path of [base, `${base}/export.csv`]) {
      const response = await coordinator.get(`${path}?lang=en&municipality=${encodeURIComponent(code)}`)
      t.equal(response.statusCode, 400, `${code} on ${path}: 400`)
      t.match(response.body, 'Choose a municipality from the list.', `${code}: says what to do`)
      t.notMatch(response.body, '<b>', 'the input is not echoed as markup')
    }
  }
  t.equal((await coordinator.get(`${base}?municipality=${'1'.repeat(40)}`)).statusCode, 400, 'an overlong value is refused by the schema')
  const nl = await coordinator.get(`${base}?municipality=99999&lang=nl`)
  t.match(nl.body, 'Kies een gemeente uit de lijst.')
  const none = await coordinator.get(`${base}?municipality=&lang=en`)
  t.equal(none.statusCode, 200, 'an empty choice is the whole region')
  t.notMatch(none.body, 'Only the answers, activities and offers in')
})
