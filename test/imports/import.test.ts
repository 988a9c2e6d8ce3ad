import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { confirmPlace } from '../../src/imports/confirm.ts'
import { fetchFromUitdatabank } from '../../src/imports/fetch.ts'
import { importFile, maxImportBytes } from '../../src/imports/file.ts'
import { testDatabase } from '../helpers.ts'

/**
 * The importer of issue 18: UiTdatabank Search API v3 results and iCalendar feeds, from our
 * own fixtures written after publiq's documented format (test/imports/fixtures/).
 */

const fixtures = join(import.meta.dirname, 'fixtures')
const now = new Date('2026-12-03T10:00:00Z')
const id = (n: string) => `https://io.uitdatabank.be/event/0b1c0e4e-1111-4000-8000-00000000000${n}`
const embedded = () => JSON.parse(readFileSync(join(fixtures, 'search-embedded.json'), 'utf8'))
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value))

async function world(t: { teardown(fn: () => unknown): void }) {
  const database = await testDatabase(t)
  const db = database.db
  const regionId = await createRegion(db, { slug: 'tongeren', name: 'Tongeren' })
  const partnerId = await createPartner(db, regionId, 'Bibliotheek Tongeren', 'library')
  // Same place as the fixture's, written the way a person types it.
  const locationId = await createLocation(db, regionId, { name: 'Bib Tongeren', address: 'Vermeulenstraat 2, 3700 TONGEREN', municipality: 'Tongeren' })
  const themes = await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).orderBy('position').execute()
  const [food, language] = [themes[0]!.id, themes[1]!.id]
  // What the coordinator confirmed earlier: the library's organizer and two theme terms.
  await db.insertInto('import_organizers').values({ region_id: regionId, external_id: 'https://io.uitdatabank.be/organizers/0000000-org-bib', name: 'Bibliotheek Tongeren', partner_id: partnerId, created_at: now.toISOString() }).execute()
  await db
    .insertInto('import_terms')
    .values([
      { region_id: regionId, term_id: '1.65.0.0.0', label: 'Voeding', theme_id: food },
      { region_id: regionId, term_id: '1.43.0.0.0', label: 'Taal en communicatie', theme_id: language },
    ])
    .execute()
  const run = (value: unknown, options: { defaultPartnerId?: number } = {}) => importFile(db, Buffer.isBuffer(value) ? value : bytes(value), { regionId, now: () => now, ...options })
  const imported = async (n: string) => db.selectFrom('import_items').selectAll().where('external_id', '=', id(n)).executeTakeFirst()
  const snapshot = async () => ({
    activities: await db.selectFrom('activities').selectAll().orderBy('id').execute(),
    offers: await db.selectFrom('offers').selectAll().orderBy('id').execute(),
    posters: await db.selectFrom('posters').selectAll().orderBy('id').execute(),
    themes: await db.selectFrom('activity_themes').selectAll().orderBy('activity_id').orderBy('theme_id').execute(),
    locations: await db.selectFrom('locations').selectAll().orderBy('id').execute(),
  })
  return { db, regionId, partnerId, locationId, food, language, run, imported, snapshot }
}


function byId(lines: { externalId: string | null; outcome: string; reason: string | null }[]) {
  return Object.fromEntries(lines.map((line) => [line.externalId, `${line.outcome}${line.reason ? `:${line.reason}` : ''}`]))
}

t.test('every calendar type and language; a report per event; the bad ones change nothing', async (t) => {
  const w = await world(t)
  const result = await w.run(embedded())
  if (!('lines' in result)) throw new Error('run failed')
  t.same(result.counts, { imported: 5, updated: 0, unchanged: 0, pending: 1, skipped: 7 })
  const report = byId(result.lines)
  t.equal(report[id('1')], 'imported')
  t.equal(report[id('2')], 'imported')
  t.equal(report[id('3')], 'imported')
  t.equal(report[id('4')], 'imported')
  t.equal(report[id('5')], 'pending:unknown-place')
  t.equal(report[id('6')], 'skipped:no-name')
  t.equal(report[id('7')], 'skipped:no-date')
  t.equal(report[id('8')], 'skipped:date-out-of-range')
  t.equal(report['https://io.uitdatabank.be/place/aaaaaaaa-0000-4000-8000-00000000000a'], 'skipped:not-event')
  t.equal(report['null'], 'skipped:invalid', 'a member that is not an object')
  t.equal(report[id('9')], 'imported:unknown-terms')
  t.equal(result.lines.find((l) => l.externalId === id('9'))!.detail, 'Onbekend thema')
  t.equal(report[id('a')], 'skipped:cancelled-before-import')
  t.equal(report[id('b')], 'skipped:cancelled-before-import')

  const activities = await w.db.selectFrom('activities').selectAll().where('region_id', '=', w.regionId).orderBy('id').execute()
  t.same(
    activities.map((a) => [a.title, a.partner_id, a.audience, a.starts_on, a.ends_on, a.state]),
    [
      ['Repair Café Tongeren', w.partnerId, 'all', '2027-02-13', '2027-02-13', 'planned'],
      // mainLanguage fr: the French name, adults from the range "18-".
      ['Atelier de conversation', w.partnerId, 'adults', '2027-03-01', '2027-03-22', 'planned'],
      // permanent: no dates; "6-11" is children.
      ['Open atelier', w.partnerId, 'children', null, null, 'planned'],
      ['Kookles voor mannen', w.partnerId, 'all', '2027-05-10', '2027-05-10', 'planned'],
    ],
  )
  const themes = await w.db.selectFrom('activity_themes').select(['activity_id', 'theme_id']).orderBy('activity_id').execute()
  t.same(themes, [
    { activity_id: activities[0]!.id, theme_id: w.food },
    { activity_id: activities[1]!.id, theme_id: w.language },
  ])
  // The course is a learning offer, not an activity.
  const offers = await w.db.selectFrom('offers').selectAll().where('region_id', '=', w.regionId).execute()
  t.same(
    offers.map((o) => [o.title, o.provider, o.partner_id, o.cost, o.schedule, o.text_language, o.audience, o.archived]),
    [["Beginners' course: spreadsheets", 'CVO Tongeren', null, '45,00 EUR', '2027-01-11 – 2027-03-15', 'en', 'adults', 0]],
  )
  // Matched by address; imports never create posters.
  const items = await w.db.selectFrom('import_items').select(['location_id']).execute()
  t.ok(items.every((item) => item.location_id === w.locationId))
  t.equal((await w.db.selectFrom('posters').selectAll().execute()).length, 0)
  const run = await w.db.selectFrom('import_runs').selectAll().where('id', '=', result.runId).executeTakeFirstOrThrow()
  t.same([run.imported, run.pending, run.skipped, JSON.parse(run.report).length], [5, 1, 7, 13])
})

t.test('the same file twice changes nothing; a changed event updates exactly its activity', async (t) => {
  const w = await world(t)
  await w.run(embedded())
  const before = await w.snapshot()
  const again = await w.run(embedded())
  if (!('lines' in again)) throw new Error('run failed')
  t.same(again.counts, { imported: 0, updated: 0, unchanged: 5, pending: 1, skipped: 7 })
  t.same(await w.snapshot(), before)

  // An unknown field changing is no change; the name changing is.
  const changed = embedded()
  changed.member[0].completeness = 99
  changed.member[1].name.fr = 'Atelier de conversation (niveau 2)'
  const third = await w.run(changed)
  if (!('lines' in third)) throw new Error('run failed')
  t.same(third.counts, { imported: 0, updated: 1, unchanged: 4, pending: 1, skipped: 7 })
  t.equal(byId(third.lines)[id('2')], 'updated')
  const after = await w.snapshot()
  const target = (await w.imported('2'))!.activity_id
  t.same(
    after.activities.filter((a) => a.id !== target),
    before.activities.filter((a) => a.id !== target),
  )
  t.equal(after.activities.find((a) => a.id === target)!.title, 'Atelier de conversation (niveau 2)')
  t.same(after.offers, before.offers)
})

t.test('cancelled, postponed and deleted events pause their posters; available again resumes them', async (t) => {
  const w = await world(t)
  await w.run(embedded())
  const [one, two, four] = [(await w.imported('1'))!.activity_id!, (await w.imported('2'))!.activity_id!, (await w.imported('4'))!.activity_id!]
  // One after the other, so that the poster ids follow the activities on PostgreSQL too.
  const posters = []
  for (const activityId of [one, two, four]) posters.push(await createPoster(w.db, { activityId, locationId: w.locationId }))
  const status = async () => (await w.db.selectFrom('posters').select(['id', 'status']).orderBy('id').execute()).map((p) => p.status)

  const cancelled = embedded()
  cancelled.member[0].status = { type: 'Unavailable', reason: { nl: 'Afgelast' } }
  cancelled.member[1].status = { type: 'TemporarilyUnavailable' }
  cancelled.member[3].workflowStatus = 'DELETED'
  const result = await w.run(cancelled)
  if (!('lines' in result)) throw new Error('run failed')
  t.same(result.counts.updated, 3)
  t.same(await status(), ['paused', 'paused', 'paused'])
  const activities = await w.db.selectFrom('activities').select(['id', 'cancelled_at']).where('id', 'in', [one, two, four]).orderBy('id').execute()
  t.same(
    activities.map((a) => a.cancelled_at !== null),
    [true, false, true],
    'cancelled and deleted are marked cancelled; postponed is not',
  )

  // A poster the partner retired stays retired; the others come back with the event.
  await w.db.updateTable('posters').set({ status: 'retired' }).where('id', '=', posters[2]!.id).execute()
  const back = await w.run(embedded())
  if (!('lines' in back)) throw new Error('run failed')
  t.same(await status(), ['active', 'active', 'retired'])
  t.equal((await w.db.selectFrom('activities').select('cancelled_at').where('id', '=', one).executeTakeFirstOrThrow()).cancelled_at, null)
})

t.test('an unknown place waits while the rest is imported; confirming it imports the event', async (t) => {
  const w = await world(t)
  await w.run(embedded())
  t.equal(await w.imported('5'), undefined)
  const pending = await w.db.selectFrom('import_pending').selectAll().execute()
  t.same(pending.map((p) => [p.external_id, p.reason]), [[id('5'), 'place']])
  const place = await w.db.selectFrom('import_places').selectAll().where('location_id', 'is', null).executeTakeFirstOrThrow()
  t.same([place.name, place.address, place.municipality], ['Natuurpunt bezoekerscentrum', 'Speelhof 1, 3840 Borgloon', 'Borgloon'])

  const confirmed = await confirmPlace(w.db, w.regionId, place.id, 'new', null)
  t.same(confirmed?.counts, { imported: 1, updated: 0, unchanged: 0, pending: 0, skipped: 0 })
  const location = await w.db.selectFrom('locations').selectAll().where('name', '=', 'Natuurpunt bezoekerscentrum').executeTakeFirstOrThrow()
  t.same([location.address, location.municipality, location.region_id], ['Speelhof 1, 3840 Borgloon', 'Borgloon', w.regionId])
  t.equal((await w.imported('5'))!.location_id, location.id)
  t.equal((await w.db.selectFrom('import_pending').selectAll().execute()).length, 0)
  // A place of another region is not found.
  const otherRegion = await createRegion(w.db, { slug: 'elders', name: 'Elders' })
  t.equal(await confirmPlace(w.db, otherRegion, place.id, 'new', null), null)
})

t.test('a confirmed place becomes a location with its municipality code, from the locality or else the postal code', async (t) => {
  const w = await world(t)
  await w.run(embedded())
  const place = await w.db.selectFrom('import_places').selectAll().where('location_id', 'is', null).executeTakeFirstOrThrow()
  await confirmPlace(w.db, w.regionId, place.id, 'new', null)
  const fromFixture = await w.db.selectFrom('locations').select(['municipality', 'municipality_nis']).where('name', '=', 'Natuurpunt bezoekerscentrum').executeTakeFirstOrThrow()
  t.same(fromFixture, { municipality: 'Borgloon', municipality_nis: '73111' }, 'the locality Borgloon: the code of Tongeren-Borgloon, which took it over in 2025')

  // Places as UiTdatabank may hold them: a part of a municipality as the locality, a locality we cannot read, a locality in the address only.
  const cases: [string, string | null, string | null, string | null, string][] = [
    ['Kerkje Kerniel', 'Kerniel', 'Kernielstraat 1, 3840 Borgloon', '73111', 'a part of a municipality (Kerniel) is no name on the list: the postal code 3840 decides'],
    ['Zaal Hoeselt', 'Hoeselt', 'Dorpsstraat 5, 3730 Hoeselt', '73110', 'Hoeselt, merged in 2025: the code of Bilzen-Hoeselt'],
    ['Zaal Sint-Truiden', 'St.-Truiden', null, '71053', 'a locality written another way, without an address'],
    ['Bib zonder plaats', null, 'Kapelstraat 3, 3500 Hasselt', '71072', 'no locality: the postal code in the address'],
    ['Ergens', 'Nergensdorp', 'Straat 1', null, 'nothing to match: no code, so the location is listed for the coordinator'],
  ]
  for (const [name, locality, address, expected, why] of cases) {
    const row = await w.db
      .insertInto('import_places')
      .values({ region_id: w.regionId, external_id: `https://io.uitdatabank.be/place/${name}`, name, address, municipality: locality, location_id: null, created_at: now.toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow()
    await confirmPlace(w.db, w.regionId, row.id, 'new', null)
    const location = await w.db.selectFrom('locations').select(['municipality', 'municipality_nis']).where('name', '=', name).executeTakeFirstOrThrow()
    t.same(location, { municipality: locality, municipality_nis: expected }, why)
  }
  // Linking a place to an existing location leaves that location's code as it was.
  const existing = await w.db.selectFrom('locations').select('municipality_nis').where('id', '=', w.locationId).executeTakeFirstOrThrow()
  const other = await w.db
    .insertInto('import_places')
    .values({ region_id: w.regionId, external_id: 'https://io.uitdatabank.be/place/elders', name: 'Elders', address: 'Markt 1, 3500 Hasselt', municipality: 'Hasselt', location_id: null, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  await confirmPlace(w.db, w.regionId, other.id, { locationId: w.locationId }, null)
  t.same(await w.db.selectFrom('locations').select('municipality_nis').where('id', '=', w.locationId).executeTakeFirstOrThrow(), existing, 'an existing location keeps its own municipality')
})

t.test('an iCalendar feed: recurring events expanded over the next year', async (t) => {
  const w = await world(t)
  const result = await w.run(readFileSync(join(fixtures, 'calendar.ics')), { defaultPartnerId: w.partnerId })
  if (!('lines' in result)) throw new Error('run failed')
  const report = byId(result.lines)
  t.equal(report['weekly-coding-club@kwb-borgloon.example'], 'imported:unknown-terms')
  t.equal(report['monthly-repair@kwb-borgloon.example'], 'imported')
  t.equal(report['cancelled-talk@kwb-borgloon.example'], 'skipped:cancelled-before-import')
  t.equal(report['no-summary@kwb-borgloon.example'], 'skipped:no-name')

  // Every Wednesday from 9 December 2026 within a year of 3 December 2026, less the EXDATE.
  const horizon = new Date(now.getTime() + 366 * 86_400_000)
  const wednesdays: string[] = []
  for (let day = new Date('2026-12-09T17:00:00Z'); day <= horizon; day = new Date(day.getTime() + 7 * 86_400_000)) wednesdays.push(day.toISOString().slice(0, 10))
  const sessions = wednesdays.filter((day) => day !== '2026-12-30')
  const activities = await w.db.selectFrom('activities').select(['title', 'starts_on', 'ends_on']).orderBy('id').execute()
  t.same(activities, [
    { title: 'Coderdojo voor kinderen', starts_on: '2026-12-09', ends_on: sessions[sessions.length - 1] },
    // COUNT=6 monthly from 15 December 2026.
    { title: 'Herstelatelier', starts_on: '2026-12-15', ends_on: '2027-05-15' },
  ])
  const items = await w.db.selectFrom('import_items').select('location_id').execute()
  t.same(items.map((i) => i.location_id), [w.locationId, w.locationId], 'LOCATION matched by address')
  const again = await w.run(readFileSync(join(fixtures, 'calendar.ics')), { defaultPartnerId: w.partnerId })
  t.same('lines' in again && again.counts, { imported: 0, updated: 0, unchanged: 2, pending: 0, skipped: 2 })
})

t.test('without a partner for its organizer an activity waits as well', async (t) => {
  const w = await world(t)
  const result = await w.run(readFileSync(join(fixtures, 'calendar.ics')))
  if (!('lines' in result)) throw new Error('run failed')
  t.same(result.counts, { imported: 0, updated: 0, unchanged: 0, pending: 2, skipped: 2 })
  t.same(byId(result.lines)['monthly-repair@kwb-borgloon.example'], 'pending:unknown-organizer')
})

t.test('a file that is not JSON-LD or iCalendar, broken JSON, more than 20 MB: a failed run, nothing changed', async (t) => {
  const w = await world(t)
  const before = await w.snapshot()
  for (const [file, failure] of [
    [readFileSync(join(fixtures, 'not-an-import.txt')), 'unknown-format'],
    [readFileSync(join(fixtures, 'broken.json')), 'unknown-format'],
    [Buffer.from(JSON.stringify({ '@type': 'Something', member: [] })), 'unknown-format'],
    [Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'not-utf8'],
    [Buffer.alloc(maxImportBytes + 1, 0x20), 'too-large'],
  ] as const) {
    const result = await w.run(file)
    t.equal('failure' in result && result.failure, failure)
  }
  t.same(await w.snapshot(), before)
  const runs = await w.db.selectFrom('import_runs').select(['failure', 'imported']).orderBy('id').execute()
  t.same(runs.map((r) => r.failure), ['unknown-format', 'unknown-format', 'unknown-format', 'not-utf8', 'too-large'])
})

t.test('the scheduled fetch: paging, links fetched one by one, incremental runs that pick up a deletion', async (t) => {
  const w = await world(t)
  const documents = embedded().member as Record<string, unknown>[]
  const [one, two, three] = documents
  const requests: URL[] = []
  let pages: unknown[][] = [[one, { '@id': 'http://placeholder/event/2', '@type': 'Event' }], [three]]
  const server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1')
    requests.push(url)
    if (request.headers['x-api-key'] !== 'test-key-123') {
      response.writeHead(401).end()
      return
    }
    if (url.pathname === '/event/2') {
      response.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify(two))
      return
    }
    const start = Number(url.searchParams.get('start'))
    const limit = Number(url.searchParams.get('limit'))
    const total = pages.flat().length
    const member = pages[start / limit] ?? []
    response.writeHead(200, { 'content-type': 'application/ld+json' }).end(JSON.stringify({ '@type': 'PagedCollection', itemsPerPage: limit, totalItems: total, member }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  pages = [[one, { '@id': `${base}/event/2`, '@type': 'Event' }], [three]]
  const settings = { url: base, apiKey: 'test-key-123', query: 'regions:nis-73083', regionId: w.regionId, pageSize: 2 }

  const first = await fetchFromUitdatabank(w.db, { ...settings, now: () => now })
  t.same('counts' in first && first.counts, { imported: 3, updated: 0, unchanged: 0, pending: 0, skipped: 0 })
  const searches = requests.filter((r) => r.pathname === '/events/')
  t.same(searches.map((r) => r.searchParams.get('start')), ['0', '2'])
  t.equal(requests.filter((r) => r.pathname === '/event/2').length, 1, 'the link member fetched once')
  const q = searches[0]!.searchParams
  t.same([q.get('q'), q.get('embed'), q.get('availableFrom'), q.get('availableTo'), q.get('modifiedFrom'), q.get('modifiedTo')], ['regions:nis-73083', 'true', '*', '*', null, now.toISOString()])
  t.match(q.get('workflowStatus'), /DELETED/, 'asks for deleted events too')

  const activityId = (await w.imported('1'))!.activity_id!
  await createPoster(w.db, { activityId, locationId: w.locationId })
  requests.length = 0
  pages = [[{ ...one, workflowStatus: 'DELETED' }]]
  const later = new Date(now.getTime() + 3_600_000)
  const second = await fetchFromUitdatabank(w.db, { ...settings, now: () => later })
  t.same('counts' in second && second.counts, { imported: 0, updated: 1, unchanged: 0, pending: 0, skipped: 0 })
  t.equal(requests[0]!.searchParams.get('modifiedFrom'), now.toISOString(), 'incremental: from where the last run stopped')
  t.same((await w.db.selectFrom('posters').select('status').execute()).map((p) => p.status), ['paused'])
  t.not((await w.db.selectFrom('activities').select('cancelled_at').where('id', '=', activityId).executeTakeFirstOrThrow()).cancelled_at, null)

  // A refused key is a failed run that changes nothing and does not move the cursor.
  const failed = await fetchFromUitdatabank(w.db, { ...settings, apiKey: 'wrong-key-456', now: () => new Date(later.getTime() + 3_600_000) })
  t.match('failure' in failed && failed.failure, /HTTP 401/)
  requests.length = 0
  pages = [[]]
  await fetchFromUitdatabank(w.db, { ...settings, now: () => new Date(later.getTime() + 7_200_000) })
  t.equal(requests[0]!.searchParams.get('modifiedFrom'), later.toISOString())
})
