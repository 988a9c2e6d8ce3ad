import t from 'tap'
import { cellKey, publish } from '../../src/answers/cell-key.ts'
import { createTheme } from '../../src/admin/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { signedIn } from '../dashboard/people.ts'
import { storeAnswer, type World } from '../dashboard/world.ts'
import { brusselsDayOf, buildPlanningWorld, now, publishedOf, type StoredAnswer } from './world.ts'

/**
 * The overview over several regions (issue 18): two planning worlds with other record keys,
 * one of which renamed a default theme and both of which made themes of their own. Every
 * figure is computed here from the answers the worlds stored, and checked against what each
 * region's own dashboard publishes (its CSV) for the same period.
 */

const inQ3 = (a: { createdAt: string }) => {
  const day = brusselsDayOf(a.createdAt)
  return day >= '2026-07-01' && day <= '2026-09-30'
}

/** The figures of the overview's table: theme label → the cells of its row, as text. */
function overviewTable(html: string): Map<string, string[]> {
  const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'))
  const rows = new Map<string, string[]>()
  for (const row of body.split('<tr>').slice(1)) {
    const label = /<th scope="row">([^<]*)<\/th>/.exec(row)![1]!
    rows.set(label, [...row.matchAll(/<td data-label="[^"]*">(.*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')))
  }
  return rows
}

/** The theme rows of a region's dashboard CSV in Dutch (section "Leerthema"): label → published count. */
function dashboardThemes(csv: string): Map<string, number> {
  const themes = new Map<string, number>()
  for (const line of csv.replace(/^\uFEFF/, '').split('\r\n')) {
    const cells = line.split(';')
    if (cells[0] === 'Leerthema') themes.set(cells[1]!.replace(/^"|"$/g, ''), Number(cells[4]))
  }
  return themes
}

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const db = database.db
  const north = await buildPlanningWorld(db)
  const south = await buildPlanningWorld(db, { seed: 7, name: 'Regio Haspengouw' })
  // The south renamed "Talen": it is still the default theme with the key "talen".
  await db.updateTable('themes').set({ labels: JSON.stringify({ nl: 'Taal en spreken', en: 'Language and speaking' }) }).where('region_id', '=', south.regionId).where('slug', '=', 'talen').execute()
  // Themes of their own: beekeeping in the north, with six answers in Q3; bicycle repair in the south, never asked for.
  const keys = [12, 200, 37, 99, 141, 250]
  const beekeeping = await createTheme(db, north.regionId, { slug: 'imkeren', icon: null, labels: { nl: 'Imkeren', en: 'Beekeeping' }, keywords: {}, position: 50, hidden: false })
  await createTheme(db, south.regionId, { slug: 'fietsherstel', icon: null, labels: { nl: 'Fietsherstel', en: 'Bicycle repair' }, keywords: {}, position: 50, hidden: false })
  const poster = await db.selectFrom('posters').innerJoin('activities', 'activities.id', 'posters.activity_id').select(['posters.id', 'posters.location_id', 'posters.activity_id', 'activities.partner_id']).where('activities.region_id', '=', north.regionId).orderBy('posters.id').executeTakeFirstOrThrow()
  const northWorld = { regionId: north.regionId } as World
  const beeAnswers: StoredAnswer[] = []
  for (const [index, recordKey] of keys.entries()) {
    const createdAt = `2026-08-0${index + 1}T12:00:00.000Z`
    const id = await storeAnswer(db, northWorld, {
      poster: { id: poster.id, partnerId: poster.partner_id, locationId: poster.location_id, activityId: poster.activity_id },
      createdAt,
      triedNew: 'yes',
      recordKey,
      step2: { themeIds: [beekeeping] },
    })
    beeAnswers.push({ id, partner: poster.partner_id, createdAt, themes: ['imkeren'], recordKey })
  }
  north.answers.push(...beeAnswers)
  return { app, db, north, south, beeKeys: keys }
}

t.test('a coordinator of two regions: each region’s published demand per default theme, the total over both as a figure of its own, own themes apart', async (t) => {
  const { app, db, north, south, beeKeys } = await setup(t)
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [north.regionId, south.regionId] })
  const page = await coordinator.get('/admin/planning/overview')
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Periode 2026-Q3: 2026-07-01 tot en met 2026-09-30.', 'the last complete quarter, as the planning page')
  const header = page.body.slice(page.body.indexOf('<thead>'), page.body.indexOf('</thead>'))
  t.match(header, /Regio Haspengouw<\/th><th scope="col">Regio Planning<\/th><th scope="col">Samen/, 'a column per region (by name), then the total')

  const rows = overviewTable(page.body)
  const slugs = Object.keys(north.themes)
  t.equal(rows.size, slugs.length, 'one row per default theme; own themes are not in the table')
  const labels = Object.fromEntries((await db.selectFrom('themes').select(['slug', 'labels']).where('region_id', '=', north.regionId).execute()).map((row) => [row.slug, (JSON.parse(row.labels) as Record<string, string>).nl!]))
  const q3North = north.answers.filter(inQ3)
  const q3South = south.answers.filter(inQ3)
  const [northCsv, southCsv] = await Promise.all([north, south].map((w) => coordinator.get(`/admin/dashboard/${w.regionId}/export.csv?period=2026-Q3&lang=nl`)))
  const northDashboard = dashboardThemes(northCsv!.body)
  const southDashboard = dashboardThemes(southCsv!.body)
  let withDemand = 0
  let differs = 0
  for (const slug of slugs) {
    const label = labels[slug]!
    const n = publishedOf(q3North.filter((a) => a.themes.includes(slug)))
    const s = publishedOf(q3South.filter((a) => a.themes.includes(slug)))
    // The union of both regions' answers with the theme, published through its own cell key.
    const both = publishedOf([...q3North, ...q3South].filter((a) => a.themes.includes(slug)))
    t.same(rows.get(label), [String(s), String(n), String(both)], `${slug}: south ${s}, north ${n}, together ${both}`)
    // The same numbers as each region's dashboard (which lists a theme only when it is not 0).
    t.equal(northDashboard.get(label) ?? 0, n, `${slug}: the north's dashboard publishes ${n}`)
    t.equal(southDashboard.get(slug === 'talen' ? 'Taal en spreken' : label) ?? 0, s, `${slug}: the south's dashboard publishes ${s} (under its own label)`)
    if (n + s > 0) withDemand++
    if (both !== n + s) differs++
  }
  t.ok(withDemand >= 4, 'themes with demand to compare')
  t.comment(`${differs} of ${slugs.length} totals differ from the sum of the regions' figures (each total is a count of its own)`)
  t.ok(rows.has('Talen') && !rows.has('Taal en spreken'), 'matched by key: the renamed theme is in the row of its default label')

  // Answers per region and together.
  t.match(page.body, new RegExp(`Regio Planning</a>: <strong>${publishedOf(q3North)}</strong> antwoorden`))
  t.match(page.body, new RegExp(`Regio Haspengouw</a>: <strong>${publishedOf(q3South)}</strong> antwoorden`))
  t.match(page.body, new RegExp(`Samen:</span> <strong>${publishedOf([...q3North, ...q3South])}</strong> antwoorden`))

  // Own themes, per region, apart.
  const own = page.body.slice(page.body.indexOf('Eigen thema'))
  const bees = publish(beeKeys.length, cellKey(beeKeys.reduce((a, b) => a + b, 0)))
  t.match(own, new RegExp(`<h3>Regio Planning</h3>\\s*<ul class="theme-list overview-own"><li>Imkeren: <strong>${bees}</strong></li></ul>`), `the north's beekeeping: ${bees}`)
  t.equal(northDashboard.get('Imkeren') ?? 0, bees, 'as on its dashboard')
  t.match(own, /<h3>Regio Haspengouw<\/h3>\s*<ul class="theme-list overview-own"><li>Fietsherstel: <strong>0<\/strong><\/li><\/ul>/, 'the south’s own theme, never asked for')

  // Another period, and the English page.
  const month = await coordinator.get('/admin/planning/overview?period=2026-08&lang=en')
  t.equal(month.statusCode, 200)
  t.match(month.body, 'Period 2026-08: 2026-08-01 to 2026-08-31.')
  const august = (a: StoredAnswer) => brusselsDayOf(a.createdAt).startsWith('2026-08')
  t.same(overviewTable(month.body).get('Languages'), [
    String(publishedOf(south.answers.filter((a) => august(a) && a.themes.includes('talen')))),
    String(publishedOf(north.answers.filter((a) => august(a) && a.themes.includes('talen')))),
    String(publishedOf([...north.answers, ...south.answers].filter((a) => august(a) && a.themes.includes('talen')))),
  ])
  for (const [query, status] of [
    ['period=2026-Q4', 400],
    ['period=2026-Q3-td', 400],
    ['period=decade', 400],
    [`period=${'9'.repeat(40)}`, 400],
  ] as const) {
    t.equal((await coordinator.get(`/admin/planning/overview?${query}`)).statusCode, status, query)
  }
})

t.test('who gets the overview and its link', async (t) => {
  const { app, db, north, south } = await setup(t)
  const both = await signedIn(app, db, 'coordinator', { regionIds: [north.regionId, south.regionId] })
  const start = await both.get('/admin')
  t.match(start.body, '<a href="/admin/planning/overview">Alle regio&#39;s samen</a>', 'the start page’s menu links to it')
  const regionPage = await both.get(`/admin/regions/${north.regionId}/planning`)
  const switcher = regionPage.body.slice(regionPage.body.indexOf('<nav class="switch"'), regionPage.body.indexOf('</nav>', regionPage.body.indexOf('<nav class="switch"')))
  t.match(switcher, '<a href="/admin/planning/overview">Alle regio&#39;s samen</a>', 'and the region switcher ends with it')

  const one = await signedIn(app, db, 'coordinator', { regionIds: [north.regionId] })
  t.notMatch((await one.get('/admin')).body, '/admin/planning/overview', 'a coordinator of one region has no link')
  const refused = await one.get('/admin/planning/overview')
  t.equal(refused.statusCode, 403, 'and is refused')
  t.match(refused.body, 'Geen toegang', 'with the staff shell’s 403 page')
  const partner = await signedIn(app, db, 'partner', { partnerIds: [north.partners[0]!] })
  t.equal((await partner.get('/admin/planning/overview')).statusCode, 403, 'a partner member is refused')
  t.notMatch((await partner.get('/admin')).body, '/admin/planning/overview', 'and has no link')
  const bridge = await signedIn(app, db, 'bridge', { regionIds: [north.regionId, south.regionId] })
  t.equal((await bridge.get('/admin/planning/overview')).statusCode, 403, 'a bridge figure of two regions is refused')
  t.notMatch((await bridge.get(`/admin/regions/${north.regionId}`)).body, '/admin/planning/overview', 'and has no link in the switcher')
  const admin = await signedIn(app, db, 'admin')
  const all = await admin.get('/admin/planning/overview')
  t.equal(all.statusCode, 200, 'an admin sees every region')
  t.match(all.body, 'Regio Haspengouw</th>')
  const anonymous = await app.inject({ url: '/admin/planning/overview' })
  t.equal(anonymous.statusCode, 303, 'without a session: to the sign-in page')
})
