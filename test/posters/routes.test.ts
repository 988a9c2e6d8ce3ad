import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLocation } from '../../src/admin/queries.ts'
import { PdfRenderer } from '../../src/posters/pdf-renderer.ts'
import posterRoutes from '../../src/posters/routes.ts'
import { posterScopeOf } from '../../src/posters/admin-scope.ts'
import { createPoster, setPosterStatus } from '../../src/posters/queries.ts'
import type { PosterScope } from '../../src/posters/scope.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { decodePdf, decodeQrFile, mediaBoxes, pageCount } from './pdf-tools.ts'

const publicBaseUrl = 'https://leervraag.example.be'

// Most tests draw on the test's own thread (quicker to start); the PDF download test uses
// the worker thread the app uses by default.
const inline = new PdfRenderer({ inline: true })

/** The app with the poster pages under /admin, and people identified by a test header. */
async function setup(t: { teardown(fn: () => unknown): void }, { worker = false } = {}) {
  const { app, database } = await buildTestApp(t)
  const mine = await seedPoster(database)
  const theirs = await seedPoster(database, { regionId: mine.regionId })
  const people: Record<string, PosterScope> = {
    partner: { regionIds: [mine.regionId], partnerIds: [mine.partnerId] },
    coordinator: { regionIds: [mine.regionId] },
    stranger: { regionIds: [mine.regionId + 1000] },
  }
  await app.register(posterRoutes, {
    prefix: '/test-admin',
    publicBaseUrl,
    ...(worker ? {} : { renderer: inline }),
    resolveScope: (request) => people[String(request.headers['x-test-user'])] ?? { regionIds: [] },
  })
  const as = (user: string) => ({ 'x-test-user': user, 'accept-language': 'nl' })
  return { app, database, mine, theirs, as }
}

t.test('the preview shows the poster, the choices and the downloads; other partners’ posters are 404', async (t) => {
  const { app, mine, theirs, as } = await setup(t)
  const page = await app.inject({ url: `/test-admin/posters/${mine.posterId}?language=fr&language2=nl`, headers: as('partner') })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, `Affiche ${mine.code}`)
  t.match(page.body, 'As-tu essayé quelque chose de nouveau')
  t.match(page.body, 'Heb je vandaag iets nieuws geprobeerd?')
  t.match(page.body, `leervraag.example.be/q/${mine.code.toLowerCase()}`)
  t.match(page.body, /<svg[^>]*viewBox="0 0 33 33"/)
  t.match(page.body, 'Stickervel, 21 per A4 (63,5 × 38,1 mm, bv. L7160)')
  t.match(page.body, `posters/${mine.posterId}/poster.pdf?format=a4&amp;ec=M&amp;language=fr&amp;stickers=sheet&amp;language2=nl`)
  t.match(page.body, 'العربية kan niet op een affiche', 'a language the font cannot print is named, not offered')
  t.notMatch(page.body, '<option value="ar"')

  t.equal((await app.inject({ url: `/test-admin/posters/${theirs.posterId}`, headers: as('partner') })).statusCode, 404, 'another partner’s poster')
  t.equal((await app.inject({ url: `/test-admin/posters/${theirs.posterId}`, headers: as('coordinator') })).statusCode, 200, 'the coordinator sees every partner')
  t.equal((await app.inject({ url: `/test-admin/posters/${mine.posterId}`, headers: as('stranger') })).statusCode, 404, 'another region')
  t.equal((await app.inject({ url: `/test-admin/posters/${mine.posterId}/poster.pdf`, headers: as('stranger') })).statusCode, 404)
  t.equal((await app.inject({ url: '/test-admin/posters/999999', headers: as('coordinator') })).statusCode, 404, 'unknown id: the same 404')
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
      const res = await app.inject({ url: `/test-admin/posters/${mine.posterId}/${path}?${query}`, headers: as('partner') })
      t.equal(res.statusCode, 400, `${path}?${query}`)
      t.equal(res.body, message)
    }
  }
  const english = await app.inject({ url: `/test-admin/posters/${mine.posterId}/poster.pdf?format=a2`, headers: { 'x-test-user': 'partner', 'accept-language': 'en' } })
  t.match(english.body, 'format: we do not know this value. Choose from: a4')
})

t.test('the PDF download: chosen paper, a safe file name, and a QR that scans', async (t) => {
  const { app, mine, as } = await setup(t, { worker: true })
  const res = await app.inject({ url: `/test-admin/posters/${mine.posterId}/poster.pdf?format=a3&language=nl&language2=fr&ec=Q`, headers: as('partner') })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], new RegExp(`^attachment; filename="leervraag-repair-cafe-\\d+-bib-tongeren-\\d+-${mine.code.toLowerCase()}\\.pdf"$`))
  const pdf = res.rawPayload
  t.same(mediaBoxes(pdf).map((box) => Math.round(box.width)), [842], 'A3')
  t.same(await decodePdf(pdf, { dpi: 60 }), [[`HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${mine.code}`]])
  const inline = await app.inject({ url: `/test-admin/posters/${mine.posterId}/poster.pdf?inline=1`, headers: as('partner') })
  t.match(inline.headers['content-disposition'], /^inline; filename="leervraag-/)
})

t.test('a retired poster is marked on the preview and can still be downloaded by its owner', async (t) => {
  const { app, database, mine, as } = await setup(t)
  await setPosterStatus(database.db, mine.posterId, 'retired')
  const page = await app.inject({ url: `/test-admin/posters/${mine.posterId}`, headers: as('partner') })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Deze affiche wordt niet meer gebruikt. Je kunt ze nog downloaden')
  t.equal((await app.inject({ url: `/test-admin/posters/${mine.posterId}/poster.pdf`, headers: as('partner') })).statusCode, 200)
})

t.test('the bare QR as SVG and PNG, in the chosen size, scans', async (t) => {
  const { app, mine, as } = await setup(t)
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-qr-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const png = await app.inject({ url: `/test-admin/posters/${mine.posterId}/qr.png?size=600`, headers: as('partner') })
  t.equal(png.statusCode, 200)
  t.equal(png.headers['content-type'], 'image/png')
  t.match(png.headers['content-disposition'], /filename="leervraag-.*\.png"/)
  t.equal(png.rawPayload.readUInt32BE(16), 600)
  writeFileSync(join(dir, 'qr.png'), png.rawPayload)
  t.same(await decodeQrFile(join(dir, 'qr.png')), [`HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${mine.code}`])
  const svg = await app.inject({ url: `/test-admin/posters/${mine.posterId}/qr.svg?size=2048&ec=Q`, headers: as('partner') })
  t.equal(svg.statusCode, 200)
  t.match(svg.headers['content-type'], /^image\/svg\+xml/)
  t.match(svg.body, 'width="2048"')
  t.match(svg.body, 'viewBox="0 0 37 37"', 'level Q: version 3')
})

t.test('a batch prints every poster of an activity in reach, streamed as one PDF', async (t) => {
  const { app, database, mine, theirs, as } = await setup(t)
  const second = await createLocation(database.db, mine.regionId, { name: 'Zaal De Kring' })
  const extra = await createPoster(database.db, { activityId: mine.activityId, locationId: second })
  const res = await app.inject({ url: `/test-admin/posters/batch.pdf?activity=${mine.activityId}&format=tent&language=nl`, headers: as('partner') })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], /^attachment; filename="leervraag-repair-cafe-\d+-tent\.pdf"$/)
  t.equal(pageCount(res.rawPayload), 2)
  const codes = (await decodePdf(res.rawPayload, { dpi: 60 })).flat()
  t.same(new Set(codes), new Set([mine.code, extra.code].map((code) => `HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${code}`)))

  const region = await app.inject({ url: `/test-admin/posters/batch.pdf?region=${mine.regionId}&format=stickers-21&stickers=one`, headers: as('coordinator') })
  t.equal(pageCount(region.rawPayload), 1, 'three posters, one sticker each: one sheet')
  t.equal((await app.inject({ url: `/test-admin/posters/batch.pdf?activity=${theirs.activityId}`, headers: as('partner') })).statusCode, 404, 'not in reach')
  const none = await app.inject({ url: '/test-admin/posters/batch.pdf', headers: as('partner') })
  t.equal(none.statusCode, 400)
  t.equal(none.body, 'Kies een activiteit, een partner of een regio.')
})

t.test('the funnel of the posters in reach, per poster and per activity', async (t) => {
  const { app, mine, as } = await setup(t)
  app.scanCounter.record(mine.posterId)
  await app.scanCounter.flush()
  const res = await app.inject({ url: '/test-admin/posters/funnel.json', headers: as('partner') })
  t.equal(res.statusCode, 200)
  const body = res.json() as { posters: Array<{ posterId: number; allTime: { scans: number } }>; activities: Array<{ activityId: number }> }
  t.same(body.posters.map((row) => [row.posterId, row.allTime.scans]), [[mine.posterId, 1]])
  t.same(body.activities.map((row) => row.activityId), [mine.activityId])
})

t.test('the management area can render the preview in its own layout', async (t) => {
  const { app, database } = await buildTestApp(t)
  const mine = await seedPoster(database)
  let seen: { title?: string; keys?: string[] } = {}
  await app.register(posterRoutes, {
    prefix: '/managed',
    publicBaseUrl,
    renderer: inline,
    resolveScope: () => ({}),
    renderPage: (_request, reply, template, data, title) => {
      seen = { title, keys: Object.keys(data) }
      return reply.view(template, { ...data, title, lang: 'nl', t: (key: string) => key, layoutName: '/posters/layout' })
    },
  })
  const res = await app.inject({ url: `/managed/posters/${mine.posterId}` })
  t.equal(res.statusCode, 200)
  t.equal(seen.title, `Affiche ${mine.code}`)
  t.notOk(seen.keys!.includes('t') || seen.keys!.includes('lang'), 'the renderer sets language and translator itself')
  t.match(res.body, 'poster.download.pdf', 'the page was drawn with the renderer’s translator')
})

t.test('a signed-in person’s reach: admins all, coordinators their regions, partners their organisations', async (t) => {
  const base = { id: 1, email: 'a@example.be', name: 'A', sessionId: 'x', regionIds: [1], partnerIds: [7], partnerRegionIds: [2] }
  t.same(posterScopeOf({ ...base, role: 'admin' }), {})
  t.same(posterScopeOf({ ...base, role: 'coordinator' }), { regionIds: [1] })
  t.same(posterScopeOf({ ...base, role: 'partner' }), { regionIds: [2], partnerIds: [7] })
  t.same(posterScopeOf({ ...base, role: 'bridge' }), { regionIds: [1], partnerIds: [] }, 'bridge figures reach no poster')
})
