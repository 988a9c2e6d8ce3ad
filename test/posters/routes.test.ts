import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLocation } from '../../src/admin/queries.ts'
import { createPoster, setPosterStatus } from '../../src/posters/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { decodePdf, decodeQrFile, mediaBoxes, pageCount } from './pdf-tools.ts'

const publicBaseUrl = 'https://leervraag.example.be'

/**
 * The app with its poster pages under /admin/posters, and a signed-in browser per person:
 * a partner member of `mine`'s organisation, the region's coordinator, a coordinator of
 * another region, a bridge figure of the region and an admin.
 */
async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const mine = await seedPoster(database)
  const theirs = await seedPoster(database, { regionId: mine.regionId })
  const elsewhere = await seedPoster(database)
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [mine.partnerId] })
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [mine.regionId] })
  await makeUser(db, 'coordinator', 'stranger@example.be', { regionIds: [elsewhere.regionId] })
  await makeUser(db, 'bridge', 'bridge@example.be', { regionIds: [mine.regionId] })
  await makeUser(db, 'admin', 'admin@example.be')
  const browsers = new Map<string, Browser>()
  const as = async (person: 'partner' | 'coordinator' | 'stranger' | 'bridge' | 'admin') => {
    let browser = browsers.get(person)
    if (!browser) {
      browser = new Browser(app)
      if ((await browser.signIn(`${person}@example.be`, testPassword)).statusCode !== 303) throw new Error(`${person} cannot sign in`)
      browsers.set(person, browser)
    }
    return browser
  }
  return { app, database, mine, theirs, elsewhere, as }
}

t.test('the preview shows the poster, the choices and the downloads; other partners’ posters are 404', async (t) => {
  const { app, mine, theirs, as } = await setup(t)
  const page = await (await as('partner')).get(`/admin/posters/${mine.posterId}?language=fr&language2=nl`)
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, `Affiche ${mine.code}`)
  t.match(page.body, 'Stickervel, 21 per A4 (63,5 × 38,1 mm, bv. L7160)')
  // The preview is the poster itself, drawn as SVG in the chosen format and languages (test/posters/print-page.test.ts).
  t.match(page.body, `src="/admin/posters/${mine.posterId}/preview.svg?format=a4&amp;language=fr&amp;ec=M&amp;stickers=sheet&amp;language2=nl"`)
  t.match(page.body, `formaction="/admin/posters/${mine.posterId}/poster.pdf"`)
  t.match(page.body, 'العربية kan niet op een affiche', 'a language the font cannot print is named, not offered')
  t.notMatch(page.body, '<option value="ar"')

  t.equal((await (await as('partner')).get(`/admin/posters/${theirs.posterId}`)).statusCode, 404, 'another partner’s poster')
  t.equal((await (await as('coordinator')).get(`/admin/posters/${theirs.posterId}`)).statusCode, 200, 'the coordinator sees every partner')
  t.equal((await (await as('stranger')).get(`/admin/posters/${mine.posterId}`)).statusCode, 404, 'another region')
  t.equal((await (await as('stranger')).get(`/admin/posters/${mine.posterId}/poster.pdf`)).statusCode, 404)
  t.equal((await (await as('coordinator')).get('/admin/posters/999999')).statusCode, 404, 'unknown id: the same 404')
})

t.test('unknown format, language or size: 400 with the values that work', async (t) => {
  const { app, mine, as } = await setup(t)
  const cases: Array<[string, string]> = [
    ['format=a2', 'format: deze waarde kennen we niet. Kies uit: a4, a3, a5, tent, stickers-8, stickers-14, stickers-21.'],
    ['language=xx', 'language: deze waarde kennen we niet. Kies uit: nl, fr, en, tr, pl, ro, uk.'],
    ['language=ar', 'language: deze waarde kennen we niet. Kies uit: nl, fr, en, tr, pl, ro, uk.'],
    ['language2=ti', 'language2: deze waarde kennen we niet. Kies uit: nl, fr, en, tr, pl, ro, uk.'],
    ['ec=H', 'ec: deze waarde kennen we niet. Kies uit: M, Q.'],
    ['size=100', 'size: deze waarde kennen we niet. Kies uit: 512–4096.'],
    ['size=9000', 'size: deze waarde kennen we niet. Kies uit: 512–4096.'],
  ]
  for (const [query, message] of cases) {
    for (const path of ['poster.pdf', 'qr.png']) {
      const res = await (await as('partner')).get(`/admin/posters/${mine.posterId}/${path}?${query}`)
      t.equal(res.statusCode, 400, `${path}?${query}`)
      t.match(res.headers['content-type'], /text\/html/, 'the staff 400 page')
      t.match(res.body, message, 'naming the field and the values that work')
    }
  }
  const english = await (await as('partner')).get(`/admin/posters/${mine.posterId}/poster.pdf?format=a2&lang=en`)
  t.match(english.body, 'format: we do not know this value. Choose from: a4')
  t.match(english.body, '<html lang="en"')
  const twice = await (await as('partner')).get(`/admin/posters/${mine.posterId}/poster.pdf?format=a4&format=a3`)
  t.equal(twice.statusCode, 400, 'a choice given twice: the 400 page too')
})

t.test('the PDF download: chosen paper, a safe file name, and a QR that scans', async (t) => {
  const { mine, as } = await setup(t)
  const res = await (await as('partner')).get(`/admin/posters/${mine.posterId}/poster.pdf?format=a3&language=nl&language2=fr&ec=Q`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], new RegExp(`^attachment; filename="leervraag-repair-cafe-\\d+-bib-tongeren-\\d+-${mine.code.toLowerCase()}\\.pdf"$`))
  const pdf = res.rawPayload
  t.same(mediaBoxes(pdf).map((box) => Math.round(box.width)), [842], 'A3')
  t.same(await decodePdf(pdf, { dpi: 60 }), [[`HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${mine.code}`]])
  const inline = await (await as('partner')).get(`/admin/posters/${mine.posterId}/poster.pdf?inline=1`)
  t.match(inline.headers['content-disposition'], /^inline; filename="leervraag-/)
})

t.test('a retired poster is marked on the preview and can still be downloaded by its owner', async (t) => {
  const { app, database, mine, as } = await setup(t)
  await setPosterStatus(database.db, mine.posterId, 'retired')
  const page = await (await as('partner')).get(`/admin/posters/${mine.posterId}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Deze affiche wordt niet meer gebruikt. Je kunt ze nog downloaden')
  t.equal((await (await as('partner')).get(`/admin/posters/${mine.posterId}/poster.pdf`)).statusCode, 200)
})

t.test('the bare QR as SVG and PNG, in the chosen size, scans', async (t) => {
  const { app, mine, as } = await setup(t)
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-qr-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const png = await (await as('partner')).get(`/admin/posters/${mine.posterId}/qr.png?size=600`)
  t.equal(png.statusCode, 200)
  t.equal(png.headers['content-type'], 'image/png')
  t.match(png.headers['content-disposition'], /filename="leervraag-.*\.png"/)
  t.equal(png.rawPayload.readUInt32BE(16), 600)
  writeFileSync(join(dir, 'qr.png'), png.rawPayload)
  t.same(await decodeQrFile(join(dir, 'qr.png')), [`HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${mine.code}`])
  const svg = await (await as('partner')).get(`/admin/posters/${mine.posterId}/qr.svg?size=2048&ec=Q`)
  t.equal(svg.statusCode, 200)
  t.match(svg.headers['content-type'], /^image\/svg\+xml/)
  t.match(svg.body, 'width="2048"')
  t.match(svg.body, 'viewBox="0 0 37 37"', 'level Q: version 3')
})

t.test('a batch prints every poster of an activity in reach, streamed as one PDF', async (t) => {
  const { app, database, mine, theirs, as } = await setup(t)
  const second = await createLocation(database.db, mine.regionId, { name: 'Zaal De Kring' })
  const extra = await createPoster(database.db, { activityId: mine.activityId, locationId: second })
  const res = await (await as('partner')).get(`/admin/posters/batch.pdf?activity=${mine.activityId}&format=tent&language=nl`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], /^attachment; filename="leervraag-repair-cafe-\d+-tent\.pdf"$/)
  t.equal(pageCount(res.rawPayload), 2)
  const codes = (await decodePdf(res.rawPayload, { dpi: 60 })).flat()
  t.same(new Set(codes), new Set([mine.code, extra.code].map((code) => `HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${code}`)))

  const region = await (await as('coordinator')).get(`/admin/posters/batch.pdf?region=${mine.regionId}&format=stickers-21&stickers=one`)
  t.equal(pageCount(region.rawPayload), 1, 'three posters, one sticker each: one sheet')
  t.equal((await (await as('partner')).get(`/admin/posters/batch.pdf?activity=${theirs.activityId}`)).statusCode, 404, 'not in reach')
  const none = await (await as('partner')).get('/admin/posters/batch.pdf')
  t.equal(none.statusCode, 400)
  t.match(none.body, 'Kies één activiteit, locatie, partner of regio.')
  t.equal((await (await as('partner')).get('/admin/posters/batch.pdf?activity=abc')).statusCode, 400, 'a malformed id in the query: the 400 page')
})

t.test('the funnel of the posters in reach, per poster and per activity', async (t) => {
  const { app, mine, as } = await setup(t)
  app.scanCounter.record(mine.posterId)
  await app.scanCounter.flush()
  const res = await (await as('partner')).get('/admin/posters/funnel.json')
  t.equal(res.statusCode, 200)
  const body = res.json() as { posters: Array<{ posterId: number; allTime: { scans: number }; firstFiguresTomorrow: boolean }>; activities: Array<{ activityId: number }> }
  // Today's scan is not counted before tomorrow (test/posters/funnel-leaks.test.ts).
  t.same(body.posters.map((row) => [row.posterId, row.allTime.scans, row.firstFiguresTomorrow]), [[mine.posterId, 0, true]])
  t.same(body.activities.map((row) => row.activityId), [mine.activityId])
})

t.test('the preview is a staff page: the poster’s region menu, the person’s language, the same 404 for every poster out of reach', async (t) => {
  const { mine, theirs, elsewhere, as } = await setup(t)
  const partner = await as('partner')
  const page = await partner.get(`/admin/posters/${mine.posterId}?lang=en`)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<html lang="en"')
  t.match(page.body, `Poster ${mine.code}`)
  t.match(page.body, /<li class="region">Regio \d+:<\/li>/, 'the region is named in the menu')
  t.match(page.body, `href="/admin/regions/${mine.regionId}/posters"`, 'the region menu, as can() allows it')
  t.notMatch(page.body, `href="/admin/regions/${mine.regionId}/users"`, 'not the pages a partner member may not open')
  t.match(page.body, 'name="_csrf"', 'the sign-out form')
  t.equal(page.headers['cache-control'], 'no-store')

  const unknown = await partner.get('/admin/posters/999999')
  const otherPartner = await partner.get(`/admin/posters/${theirs.posterId}`)
  const otherRegion = await partner.get(`/admin/posters/${elsewhere.posterId}`)
  const malformed = await partner.get('/admin/posters/abc')
  for (const res of [unknown, otherPartner, otherRegion, malformed]) t.equal(res.statusCode, 404)
  t.equal(otherPartner.body, unknown.body, 'another partner’s poster: the same bytes as an unknown one')
  t.equal(otherRegion.body, unknown.body, 'another region’s poster: the same bytes')
  t.equal(malformed.body, unknown.body, 'a malformed id: the same bytes')
})

t.test('who reaches which poster: admins all, coordinators their regions, partners their organisations, bridge figures none', async (t) => {
  const { mine, theirs, elsewhere, as } = await setup(t)
  const status = async (person: Parameters<typeof as>[0], url: string) => (await (await as(person)).get(url)).statusCode
  for (const poster of [mine, theirs, elsewhere]) t.equal(await status('admin', `/admin/posters/${poster.posterId}`), 200, 'admin')
  t.equal(await status('coordinator', `/admin/posters/${theirs.posterId}`), 200, 'coordinator: every partner of the region')
  t.equal(await status('coordinator', `/admin/posters/${elsewhere.posterId}`), 404, 'coordinator: not another region')
  t.equal(await status('stranger', `/admin/posters/${mine.posterId}`), 404, 'another region’s coordinator')
  t.equal(await status('stranger', `/admin/posters/batch.pdf?region=${mine.regionId}`), 404)
  t.equal(await status('bridge', `/admin/posters/${mine.posterId}`), 404, 'bridge figures print no posters')
  t.equal(await status('bridge', `/admin/posters/batch.pdf?region=${mine.regionId}`), 404)
  t.equal(await status('bridge', `/admin/posters/funnel.json?region=${mine.regionId}`), 404)
})
