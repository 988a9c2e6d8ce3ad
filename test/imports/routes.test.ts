import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createLocation, createPartner, createRegion } from '../../src/admin/queries.ts'
import { buildTestApp } from '../helpers.ts'
import { csrfFrom, type Browser } from '../auth/browser.ts'
import { signedIn } from '../dashboard/people.ts'

/** The coordinator's import pages: upload, the report, the runs, and the confirmations. */

const fixtures = join(import.meta.dirname, 'fixtures')

function multipart(fields: Record<string, string>, file: { name: string; data: Buffer } | null) {
  const boundary = '----leervraagTestBoundary7MA4YWxk'
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  if (file) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), file.data, Buffer.from('\r\n'))
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

async function upload(browser: Browser, url: string, fields: Record<string, string>, file: { name: string; data: Buffer } | null) {
  const page = await browser.get(url)
  const body = multipart({ _csrf: csrfFrom(page.body), ...fields }, file)
  return browser.app.inject({ method: 'POST', url, headers: { ...body.headers, cookie: browser.cookieHeader }, payload: body.payload })
}

t.test('a coordinator uploads a file, reads the report, confirms the new place', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const regionId = await createRegion(db, { slug: 'tongeren', name: 'Tongeren' })
  const partnerId = await createPartner(db, regionId, 'Bibliotheek Tongeren', 'library')
  await createLocation(db, regionId, { name: 'Bib Tongeren', address: 'Vermeulenstraat 2, 3700 Tongeren', municipality: 'Tongeren' })
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [regionId] })
  const base = `/admin/regions/${regionId}/imports`

  const empty = await coordinator.get(base)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'Nog geen importen.')

  // No file: the form again with the message next to the field, and nothing stored.
  const none = await upload(coordinator, base, {}, null)
  t.equal(none.statusCode, 422)
  t.match(none.body, 'Kies een bestand.')
  t.equal((await db.selectFrom('import_runs').selectAll().execute()).length, 0)

  const response = await upload(coordinator, base, { partner_id: String(partnerId) }, { name: 'uit.json', data: readFileSync(join(fixtures, 'search-embedded.json')) })
  t.equal(response.statusCode, 303)
  const report = await coordinator.get(response.headers.location as string)
  t.equal(report.statusCode, 200)
  for (const text of ['Repair Café Tongeren', 'Atelier de conversation', 'nieuwe plaats: wacht op bevestiging', 'geen naam', 'geen datum', 'datum buiten bereik', 'Onbekend thema']) t.match(report.body, text)
  t.match(report.body, /<strong>5<\/strong> geïmporteerd/)
  t.equal((await db.selectFrom('activities').selectAll().where('region_id', '=', regionId).execute()).length, 4)
  // The activities pages say which one the source cancelled (set here as an import run would).
  const repair = await db.selectFrom('activities').select('id').where('region_id', '=', regionId).where('title', 'like', 'Repair Café%').executeTakeFirstOrThrow()
  await db.updateTable('activities').set({ cancelled_at: '2026-11-20T09:00:00.000Z' }).where('id', '=', repair.id).execute()
  const listed = (await coordinator.get(`/admin/regions/${regionId}/activities`)).body
  t.match(listed, /Repair Café Tongeren<\/a> <span class="badge">Geannuleerd<\/span>/, 'the list marks it')
  t.match((await coordinator.get(`/admin/regions/${regionId}/activities/${repair.id}`)).body, 'meldde deze activiteit als geannuleerd op 2026-11-20', 'its page says so')

  // A text file: a failed run with its reason, nothing imported.
  const text = await upload(coordinator, base, {}, { name: 'notes.txt', data: readFileSync(join(fixtures, 'not-an-import.txt')) })
  const failed = await coordinator.get(text.headers.location as string)
  t.match(failed.body, 'Dit is geen resultaat van UiTdatabank (JSON-LD) en geen agenda (.ics). Er is niets gewijzigd.')
  const list = await coordinator.get(base)
  t.match(list.body, 'uit.json')
  t.match(list.body, 'notes.txt')
  t.match(list.body, '1 evenement wacht op een bevestiging.')

  const links = await coordinator.get(`${base}/links`)
  t.match(links.body, 'Natuurpunt bezoekerscentrum')
  t.match(links.body, 'Speelhof 1, 3840 Borgloon')
  const place = await db.selectFrom('import_places').select('id').where('location_id', 'is', null).executeTakeFirstOrThrow()
  const confirmed = await coordinator.post(`${base}/places/${place.id}`, { target: 'new' })
  t.equal(confirmed.statusCode, 303)
  const after = await coordinator.get(confirmed.headers.location as string)
  t.match(after.body, 'Wandeling langs de Jeker')
  t.match(after.body, /<strong>1<\/strong> geïmporteerd/)

  // A forged choice is the 400 page; another region's place is the 404 page.
  await coordinator.get(`${base}/links`)
  t.equal((await coordinator.post(`${base}/places/${place.id}`, { target: 'everything' })).statusCode, 400)
  const other = await createRegion(db, { slug: 'elders', name: 'Elders' })
  const [foreign] = await db.insertInto('import_places').values({ region_id: other, external_id: 'x', name: 'Elders', address: null, municipality: null, location_id: null, created_at: '2026-12-01T00:00:00Z' }).returning('id').execute()
  await coordinator.get(`${base}/links`)
  t.equal((await coordinator.post(`${base}/places/${foreign!.id}`, { target: 'new' })).statusCode, 404)

  // The term → theme mapping.
  const term = await db.selectFrom('import_terms').select('id').where('term_id', '=', '1.99.9.0.0').executeTakeFirstOrThrow()
  const theme = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).orderBy('position').executeTakeFirstOrThrow()
  await coordinator.get(`${base}/links`)
  t.equal((await coordinator.post(`${base}/terms/${term.id}`, { target: String(theme.id) })).statusCode, 303)
  t.equal((await db.selectFrom('import_terms').select('theme_id').where('id', '=', term.id).executeTakeFirstOrThrow()).theme_id, theme.id)

  // Larger than 20 MB: a failed run with its reason; far larger than the form allows: 413, and no run at all.
  const runs = (await db.selectFrom('import_runs').selectAll().execute()).length
  const large = await upload(coordinator, base, {}, { name: 'big.json', data: Buffer.alloc(20 * 1024 * 1024 + 1, 0x20) })
  t.equal(large.statusCode, 303)
  t.match((await coordinator.get(large.headers.location as string)).body, 'Het bestand is groter dan 20 MB. Er is niets gewijzigd.')
  const huge = await upload(coordinator, base, {}, { name: 'huge.json', data: Buffer.alloc(21 * 1024 * 1024, 0x20) })
  t.equal(huge.statusCode, 413)
  t.equal((await db.selectFrom('import_runs').selectAll().execute()).length, runs + 1)

  // A multipart body that does not follow the format: the 400 page, no run.
  const page = await coordinator.get(base)
  const garbage = await app.inject({ method: 'POST', url: base, headers: { 'content-type': 'multipart/form-data; boundary=abc', cookie: coordinator.cookieHeader }, payload: `_csrf=${csrfFrom(page.body)}&file=x` })
  t.equal(garbage.statusCode, 400)
  t.equal((await db.selectFrom('import_runs').selectAll().execute()).length, runs + 1)

  // A partner member cannot import.
  const partner = await signedIn(app, db, 'partner', { partnerIds: [partnerId] })
  t.equal((await partner.get(base)).statusCode, 403)
})

t.test('every import route: a coordinator of another region gets 404, partner members and bridge figures 403; nothing changes', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const regionId = await createRegion(db, { slug: 'tongeren', name: 'Tongeren' })
  const partnerId = await createPartner(db, regionId, 'Bibliotheek Tongeren', 'library')
  const coordinator = await signedIn(app, db, 'coordinator', { regionIds: [regionId] })
  const base = `/admin/regions/${regionId}/imports`
  const first = await upload(coordinator, base, {}, { name: 'uit.json', data: readFileSync(join(fixtures, 'search-embedded.json')) })
  const runPath = first.headers.location as string
  const place = await db.selectFrom('import_places').select('id').executeTakeFirstOrThrow()
  const organizer = await db.selectFrom('import_organizers').select('id').executeTakeFirstOrThrow()
  const term = await db.selectFrom('import_terms').select('id').executeTakeFirstOrThrow()
  const elsewhere = await createRegion(db, { slug: 'elders', name: 'Elders' })
  const people = {
    stranger: [await signedIn(app, db, 'coordinator', { regionIds: [elsewhere] }), 404],
    partner: [await signedIn(app, db, 'partner', { partnerIds: [partnerId] }), 403],
    bridge: [await signedIn(app, db, 'bridge', { regionIds: [regionId] }), 403],
  } as const
  const state = async () => JSON.stringify([await db.selectFrom('import_runs').selectAll().execute(), await db.selectFrom('import_places').selectAll().execute(), await db.selectFrom('import_organizers').selectAll().execute(), await db.selectFrom('import_terms').selectAll().execute(), await db.selectFrom('locations').selectAll().execute()])
  const before = await state()
  for (const [name, [browser, status]] of Object.entries(people)) {
    await browser.get('/admin')
    const token = csrfFrom((await browser.get('/admin')).body)
    t.equal((await browser.get(base)).statusCode, status, `${name}: GET imports`)
    t.equal((await browser.get(`${base}/links`)).statusCode, status, `${name}: GET links`)
    t.equal((await browser.get(runPath)).statusCode, status, `${name}: GET run`)
    const body = multipart({ _csrf: token }, { name: 'uit.json', data: readFileSync(join(fixtures, 'search-embedded.json')) })
    t.equal((await app.inject({ method: 'POST', url: base, headers: { ...body.headers, cookie: browser.cookieHeader }, payload: body.payload })).statusCode, status, `${name}: POST upload`)
    for (const path of [`places/${place.id}`, `organizers/${organizer.id}`, `terms/${term.id}`]) {
      t.equal((await browser.post(`${base}/${path}`, { _csrf: token, target: path.startsWith('places') ? 'new' : 'none' })).statusCode, status, `${name}: POST ${path}`)
    }
  }
  t.equal(await state(), before)
})

