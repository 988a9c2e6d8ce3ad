import t from 'tap'
import dashboardRoutes, { type DashboardAccess } from '../../src/dashboard/routes.ts'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { buildWorld } from './world.ts'

async function dashboardApp(t: Parameters<typeof buildTestApp>[0], access: (world: Awaited<ReturnType<typeof buildWorld>>) => DashboardAccess | undefined) {
  const { app, database } = await buildTestApp(t)
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  await app.register(dashboardRoutes, { prefix: '/plugin', access: () => access(world), now: () => now })
  return { app, world }
}

t.test('the dashboard page shows the figures, with its filters in the URL', async (t) => {
  const { app, world } = await dashboardApp(t, (world) => ({ regionIds: [world.regionId] }))
  const page = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w` })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Opkomende thema’s')
  t.match(page.body, /Digitale vaardigheden: \d+ van \d+ antwoorden nu, \d+ van \d+ in de periode ervoor\./, 'the emerging theme with its numbers')
  t.match(page.body, '<svg', 'charts are inline SVG')
  t.match(page.body, '<option value="4w" selected>', 'the chosen period is kept in the form')
  t.match(page.body, `href="/plugin/dashboard/${world.regionId}/export.csv?period=4w"`)
  t.notMatch(page.body, '<script', 'no JavaScript')
  t.notMatch(page.body, 'Ik wil leren werken met de computer', 'no free text verbatim')

  const filtered = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=4w&partner=${world.partners.b}&age=25_44` })
  t.equal(filtered.statusCode, 200)
  t.match(filtered.body, `<option value="${world.partners.b}" selected>CVO Limburg</option>`)
  t.match(filtered.body, '<option value="25_44" selected>')

  const english = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=year&lang=en` })
  t.match(english.body, 'Emerging themes')
})

t.test('unknown filter values and impossible periods give the dashboard with a message', async (t) => {
  const { app, world } = await dashboardApp(t, (world) => ({ regionIds: [world.regionId] }))
  for (const [query, message] of [
    ['partner=999999', 'De filter “Partner” heeft een waarde die we niet kennen'],
    ['location=abc', 'De filter “Locatie” heeft een waarde die we niet kennen'],
    ['audience=aliens', 'De filter “Doelgroep”'],
    ['age=200', 'De filter “Leeftijd”'],
    ['period=decade', 'De filter “Periode”'],
    ['period=custom&from=2020-01-01&to=2026-11-27', 'hoogstens vijf jaar'],
    ['period=custom&from=2026-11-01&to=2026-10-01', 'ligt vóór het begin'],
    ['period=custom&from=2026-02-30&to=2026-10-01', 'JJJJ-MM-DD'],
  ] as const) {
    const page = await app.inject({ url: `/plugin/dashboard/${world.regionId}?${query}` })
    t.equal(page.statusCode, 400, query)
    t.match(page.body, message, query)
    t.match(page.body, 'Kerncijfers', `${query}: the dashboard is still shown`)
  }
  const fine = await app.inject({ url: `/plugin/dashboard/${world.regionId}?period=custom&from=2021-11-28&to=2026-11-27` })
  t.equal(fine.statusCode, 200, 'five years is allowed')
  const nonsense = await app.inject({ url: `/plugin/dashboard/${world.regionId}?partner=${'9'.repeat(40)}` })
  t.equal(nonsense.statusCode, 400, 'an overlong value is refused by the schema, not a crash')
})

t.test('access: none, another region, and a partner scope', async (t) => {
  // One app whose access answer the test changes (one database per test: see helpers).
  let current: (world: Awaited<ReturnType<typeof buildWorld>>) => DashboardAccess | undefined = () => undefined
  const { app, world } = await dashboardApp(t, (w) => current(w))
  const url = `/plugin/dashboard/${world.regionId}?period=4w`
  t.equal((await app.inject({ url })).statusCode, 403, 'no dashboard access (the management area sends anonymous people to sign in first)')
  current = (w) => ({ regionIds: [w.regionId + 1000] })
  t.equal((await app.inject({ url })).statusCode, 404, 'another region looks like an unknown one')
  current = () => ({ regionIds: 'all' })
  t.equal((await app.inject({ url: '/plugin/dashboard/987654' })).statusCode, 404, 'unknown region')

  current = (w) => ({ regionIds: [w.regionId], partnerId: w.partners.b })
  const page = await app.inject({ url })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Je ziet alleen de antwoorden bij de affiches van CVO Limburg.')
  t.notMatch(page.body, 'Bibliotheek Hasselt', 'the other partner is not named')
  t.notMatch(page.body, 'Repair Café', 'nor its activities')
  t.notMatch(page.body, 'Bib Hasselt', 'nor locations where only it has posters')
  const sneaky = await app.inject({ url: `/plugin/dashboard/${world.regionId}?partner=${world.partners.a}` })
  t.equal(sneaky.statusCode, 400, 'the other partner is an unknown filter value')
  const csv = await app.inject({ url: `/plugin/dashboard/${world.regionId}/export.csv?period=4w` })
  t.equal(csv.statusCode, 200)
  t.notMatch(csv.body, 'Bibliotheek Hasselt')
  t.notMatch(csv.body, 'Repair Café')
})

t.test('CSV export opens in a Belgian spreadsheet: BOM, semicolons, ISO dates', async (t) => {
  const { app, world } = await dashboardApp(t, (world) => ({ regionIds: [world.regionId] }))
  const csv = await app.inject({ url: `/plugin/dashboard/${world.regionId}/export.csv?period=4w` })
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(csv.headers['content-disposition'], /attachment; filename="leervraag-\d+-2026-10-31-2026-11-27\.csv"/)
  const raw = csv.rawPayload
  t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte order mark')
  const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n')
  t.equal(lines[0], 'section;item;from;to;count;share_percent;previous_count')
  t.ok(lines.every((line) => line.split(';').length === 7 || line.includes('"')), 'seven fields on every line')
  t.match(lines.find((line) => line.startsWith('week;2026-W45;')), /^week;2026-W45;2026-11-02;2026-11-08;\d+;;$/, 'ISO weeks with ISO dates')
  t.match(lines.find((line) => line.startsWith('headline;tried_new;')), /^headline;tried_new;2026-10-31;2026-11-27;;\d+,\d;$/, 'a decimal comma')
  t.ok(lines.some((line) => line.startsWith('theme;Digitale vaardigheden;')))
  const bad = await app.inject({ url: `/plugin/dashboard/${world.regionId}/export.csv?period=custom&from=2010-01-01&to=2026-01-01` })
  t.equal(bad.statusCode, 400)
})
