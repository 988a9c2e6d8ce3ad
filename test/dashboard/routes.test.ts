import t from 'tap'
import { buildTestApp } from '../helpers.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { dashboardPeople } from './people.ts'
import { buildWorld } from './world.ts'

/** The app with its clock pinned to the data set's last day, and the people who open the dashboard. */
async function dashboardApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t, {}, { now: () => now })
  const world = await buildWorld(database.db, { k: 5 })
  await storeDataset(database.db, world, makeAnswers())
  return { app, world, ...(await dashboardPeople(app, database.db, world)) }
}

t.test('the dashboard page shows the figures, with its filters in the URL', async (t) => {
  const { world, coordinator } = await dashboardApp(t)
  const page = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Opkomende thema’s')
  t.match(page.body, /Digitale vaardigheden: \d+ van \d+ antwoorden nu, \d+ van \d+ in de periode ervoor\./, 'the emerging theme with its numbers')
  t.match(page.body, '<svg', 'charts are inline SVG')
  t.match(page.body, '<option value="2026-11" selected>2026-11 (2026-11-01 – 2026-11-26)</option>', 'the chosen period is kept in the form')
  t.match(page.body, '<optgroup label="Weken"><option value="2026-W48">2026-W48 (2026-11-23 – 2026-11-26)</option>', 'weeks to choose from, the current one up to yesterday')
  t.match(page.body, '<option value="2026-Q4-td">', 'and quarter to date')
  t.match(page.body, `href="/admin/dashboard/${world.regionId}/export.csv?period=2026-11&amp;lang=nl"`, 'the CSV in the page language')
  t.notMatch(page.body, '<script', 'no JavaScript')
  t.notMatch(page.body, 'Ik wil leren werken met de computer', 'no free text verbatim')
  t.match(page.body, 'class="menu"', 'in the staff layout, with the menu')
  t.match(page.body, `href="/admin/dashboard/${world.regionId}?period=2026-11&amp;lang=en"`, 'the language links keep the filters')

  const filtered = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&partner=${world.partners.b}&age=25_44`)
  t.equal(filtered.statusCode, 200)
  t.match(filtered.body, `<option value="${world.partners.b}" selected>CVO Limburg</option>`)
  t.match(filtered.body, '<option value="25_44" selected>')

  const english = await coordinator.get(`/admin/dashboard/${world.regionId}?period=year&lang=en`)
  t.match(english.body, 'Emerging themes')
})

t.test('unknown filter values and impossible periods give the dashboard with a message', async (t) => {
  const { world, coordinator } = await dashboardApp(t)
  for (const [query, message] of [
    ['partner=999999', 'De filter “Partner” heeft een waarde die we niet kennen'],
    ['location=abc', 'De filter “Locatie” heeft een waarde die we niet kennen'],
    ['audience=aliens', 'De filter “Doelgroep”'],
    ['age=200', 'De filter “Leeftijd”'],
    // Issue 15: only periods of the fixed grid, each with a day before today.
    ['period=decade', 'niet op het vaste rooster'],
    ['period=4w', 'niet op het vaste rooster'],
    ['period=2026-W54', 'niet op het vaste rooster'],
    ['period=1999', 'niet op het vaste rooster'],
    ['period=9999', 'niet op het vaste rooster'],
    ['period=%2B010000', 'niet op het vaste rooster'],
    ['period=2026-12', 'ten vroegste morgen'],
    ['period=2027-td', 'ten vroegste morgen'],
    ['period=custom&from=2020-01-01&to=2026-11-27', 'Vrije dagbereiken tonen we niet'],
    ['period=custom&from=9999-12-30&to=9999-12-31', 'Vrije dagbereiken tonen we niet'],
    ['period=custom&from=2026-01-01&to=9999-12-31&lang=en', 'Free day ranges are not published'],
    ['period=2026-12&lang=en', 'its figures appear tomorrow at the earliest'],
  ] as const) {
    const page = await coordinator.get(`/admin/dashboard/${world.regionId}?${query}`)
    t.equal(page.statusCode, 400, query)
    t.match(page.body, message, query)
    t.match(page.body, /Kerncijfers|Key figures/, `${query}: the dashboard is still shown`)
  }
  for (const period of ['2026-W48', '2026-11', '2026-Q4', '2026', '2026-Q4-td', '2026-td', '2000-W01', 'ytd']) {
    t.equal((await coordinator.get(`/admin/dashboard/${world.regionId}?period=${period}`)).statusCode, 200, `${period} is on the grid`)
  }
  const nonsense = await coordinator.get(`/admin/dashboard/${world.regionId}?partner=${'9'.repeat(40)}`)
  t.equal(nonsense.statusCode, 400, 'an overlong value is refused by the schema, not a crash')
})

t.test('access: none, another region, and a partner scope', async (t) => {
  const { world, bridge, stranger, admin, partnerB } = await dashboardApp(t)
  const url = `/admin/dashboard/${world.regionId}?period=2026-11`
  const denied = await bridge.get(url)
  t.equal(denied.statusCode, 403, 'a bridge figure of the region has no dashboard')
  t.match(denied.body, 'class="top"', 'the staff message page')
  const elsewhere = await stranger.get(url)
  t.equal(elsewhere.statusCode, 404, 'another region looks like an unknown one')
  t.equal((await admin.get('/admin/dashboard/987654')).statusCode, 404, 'unknown region')
  const unknown = await stranger.get('/admin/dashboard/987654?period=2026-11')
  t.equal(elsewhere.body, unknown.body, 'the same 404 page, byte for byte, as an unknown region')
  t.equal((await admin.get('/admin/dashboard/abc')).statusCode, 404, 'a malformed id is an unknown id')

  const page = await partnerB.get(url)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Je ziet alleen de antwoorden bij de affiches van CVO Limburg.')
  t.notMatch(page.body, 'Bibliotheek Hasselt', 'the other partner is not named')
  t.notMatch(page.body, 'Repair Café', 'nor its activities')
  t.notMatch(page.body, 'Bib Hasselt', 'nor locations where only it has posters')
  const sneaky = await partnerB.get(`/admin/dashboard/${world.regionId}?partner=${world.partners.a}`)
  t.equal(sneaky.statusCode, 400, 'the other partner is an unknown filter value')
  const csv = await partnerB.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`)
  t.equal(csv.statusCode, 200)
  t.notMatch(csv.body, 'Bibliotheek Hasselt')
  t.notMatch(csv.body, 'Repair Café')
})

t.test('CSV export opens in a Belgian spreadsheet: BOM, semicolons, ISO dates', async (t) => {
  const { world, coordinator } = await dashboardApp(t)
  const csv = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=2026-11`)
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(csv.headers['content-disposition'], /attachment; filename="leervraag-\d+-2026-11-01-2026-11-26\.csv"/)
  const raw = csv.rawPayload
  t.same([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 byte order mark')
  const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n')
  t.equal(lines[0], 'Onderdeel;Omschrijving;Van;Tot en met;Aantal;Aandeel (%);Aantal vorige periode', 'the header in the export language')
  t.ok(lines.every((line) => line.split(';').length === 7 || line.includes('"')), 'seven fields on every line')
  t.match(lines.find((line) => line.startsWith('Week;2026-W45;')), /^Week;2026-W45;2026-11-02;2026-11-08;\d+;;$/, 'ISO weeks with ISO dates')
  t.match(lines.find((line) => line.startsWith('Kerncijfers;Probeerde iets nieuws;')), /^Kerncijfers;Probeerde iets nieuws;2026-11-01;2026-11-26;;\d+;$/, 'whole percents, as on the page')
  t.ok(lines.some((line) => line.startsWith('Leerthema;Digitale vaardigheden;')))
  const bad = await coordinator.get(`/admin/dashboard/${world.regionId}/export.csv?period=custom&from=2010-01-01&to=2026-01-01`)
  t.equal(bad.statusCode, 400)
  // The files refuse a period off the grid with the page's message, before reading anything.
  for (const file of ['export.csv', 'report.pdf']) {
    const far = await coordinator.get(`/admin/dashboard/${world.regionId}/${file}?period=custom&from=9999-12-30&to=9999-12-31&lang=en`)
    t.equal(far.statusCode, 400, `${file}: 400`)
    t.match(far.body, 'Free day ranges are not published', `${file}: why, in the person's language`)
    const unknown = await coordinator.get(`/admin/dashboard/${world.regionId}/${file}?partner=999999&lang=en`)
    t.match(unknown.body, 'The filter “Partner”', `${file}: the filter's name, translated`)
  }
})
