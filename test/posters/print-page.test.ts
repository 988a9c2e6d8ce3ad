import t from 'tap'
import { createActivity, createLocation, createPartner } from '../../src/admin/queries.ts'
import { maxPostersPerPdf } from '../../src/posters/batch.ts'
import { generateCode } from '../../src/posters/codes.ts'
import { createPoster, setPosterStatus } from '../../src/posters/queries.ts'
import { posterSvg } from '../../src/posters/poster-svg.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { mediaBoxes, pageCount, pdfText } from './pdf-tools.ts'

/**
 * The print page as a partner meets it: a GET form whose "PDF downloaden" button sends the
 * chosen format and languages, a preview that is the real poster as SVG (escaped), and
 * batches per activity, location, partner and region. The QR of the SVG preview is decoded
 * in Chromium in test/e2e/poster-print.test.ts; the PDFs' QR codes in routes.test.ts and
 * poster-pdf.test.ts. Here the PDFs are checked by page size, page count and text only.
 */

const hostileTitle = '</text><script>alert(1)</script> "><img src=x onerror=alert(2)> & Co'

async function setup(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const mine = await seedPoster(database)
  const theirs = await seedPoster(database, { regionId: mine.regionId })
  const elsewhere = await seedPoster(database)
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [mine.partnerId] })
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [mine.regionId] })
  await makeUser(db, 'bridge', 'bridge@example.be', { regionIds: [mine.regionId] })
  const browsers = new Map<string, Browser>()
  const as = async (person: 'partner' | 'coordinator' | 'bridge') => {
    let browser = browsers.get(person)
    if (!browser) {
      browser = new Browser(app)
      if ((await browser.signIn(`${person}@example.be`, testPassword)).statusCode !== 303) throw new Error(`${person} cannot sign in`)
      browsers.set(person, browser)
    }
    return browser
  }
  return { app, db, mine, theirs, elsewhere, as }
}

/** The GET form of a page as a browser would submit it: its controls' names and selected values, and a button's formaction. */
function formOf(html: string, formId: string) {
  const form = new RegExp(`<form method="get" action="([^"]+)"[^>]*id="${formId}">([\\s\\S]*?)</form>`).exec(html)
  if (!form) throw new Error(`no GET form #${formId}`)
  const fields: Record<string, string> = {}
  for (const select of form[2]!.matchAll(/<select id="([^"]+)" name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    fields[select[2]!] = /<option value="([^"]*)"[^>]*selected/.exec(select[3]!)?.[1] ?? /<option value="([^"]*)"/.exec(select[3]!)![1]!
  }
  for (const hidden of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[hidden[1]!] = hidden[2]!
  const labels = [...form[2]!.matchAll(/<label for="([^"]+)">/g)].map((match) => match[1]!)
  const controls = [...form[2]!.matchAll(/<select id="([^"]+)"/g)].map((match) => match[1]!)
  const buttons = [...html.matchAll(/<button type="submit"([^>]*)>([^<]+)<\/button>/g)].map((match) => ({
    text: match[2]!,
    formaction: /formaction="([^"]+)"/.exec(match[1]!)?.[1],
    name: /name="([^"]+)"/.exec(match[1]!)?.[1],
    value: /value="([^"]+)"/.exec(match[1]!)?.[1],
  }))
  return { action: form[1]!, fields, labels, controls, buttons }
}

/** The URL a browser GETs when the person presses `button` after choosing `changes`. */
function submitted(form: ReturnType<typeof formOf>, buttonText: string, changes: Record<string, string> = {}): string {
  const button = form.buttons.find((candidate) => candidate.text.startsWith(buttonText))
  if (!button) throw new Error(`no button "${buttonText}"`)
  const params = new URLSearchParams({ ...form.fields, ...changes })
  if (button.name) params.set(button.name, button.value ?? '')
  return `${(button.formaction ?? form.action).replace(/&amp;/g, '&')}?${params}`
}

t.test('the print page is a GET form: "PDF downloaden" downloads exactly the chosen format and languages, without "Voorbeeld bijwerken"', async (t) => {
  const { mine, as } = await setup(t)
  const partner = await as('partner')
  // The page as it first opens: A4, Dutch.
  const page = await partner.get(`/admin/posters/${mine.posterId}`)
  t.equal(page.statusCode, 200)
  const form = formOf(page.body, 'f-print')
  t.same(form.fields, { format: 'a4', language: 'nl', language2: '', ec: 'M' }, 'the form holds the print choices, set to the defaults')
  t.same(form.labels, form.controls, 'every control has its own label, bound by for/id, in the same order')
  t.notMatch(page.body, /Foutcorrectie|Grootte in pixels|Error correction/, 'no technical wording')
  t.match(page.body, '<label for="p-ec">Waar hangt de affiche?</label>')
  t.match(page.body, 'Buiten of op een ruwe muur')

  // The person picks A5 in French with Dutch second and presses "PDF downloaden" at once.
  const url = submitted(form, 'PDF downloaden', { format: 'a5', language: 'fr', language2: 'nl' })
  t.match(url, `/admin/posters/${mine.posterId}/poster.pdf?`)
  const pdf = await partner.get(url)
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.headers['content-type'], 'application/pdf')
  t.match(pdf.headers['content-disposition'], /^attachment; /)
  t.same(mediaBoxes(pdf.rawPayload).map((box) => [Math.round(box.width), Math.round(box.height)]), [[420, 595]], 'A5, not the A4 the page opened with')
  const text = (await pdfText(pdf.rawPayload)).replace(/\s+/g, ' ')
  const french = text.indexOf('As-tu essayé quelque chose de nouveau')
  const dutch = text.indexOf('Heb je vandaag iets nieuws geprobeerd?')
  t.ok(french >= 0 && dutch > french, 'French first, then Dutch')

  // "Voorbeeld bijwerken" goes to the page itself, which then shows the same choices and the matching preview.
  const again = await partner.get(submitted(form, 'Voorbeeld bijwerken', { format: 'tent', language: 'en' }))
  t.equal(again.statusCode, 200)
  t.same(formOf(again.body, 'f-print').fields, { format: 'tent', language: 'en', language2: '', ec: 'M' })
  t.match(again.body, `src="/admin/posters/${mine.posterId}/preview.svg?format=tent&amp;language=en&amp;ec=M&amp;stickers=sheet"`)

  // The bare QR buttons carry the same choices, and a fixed size each.
  const png = await partner.get(submitted(form, 'QR-code om groot af te drukken', { ec: 'Q' }))
  t.equal(png.statusCode, 200)
  t.equal(png.headers['content-type'], 'image/png')
  t.equal(png.rawPayload.readUInt32BE(16), 4096)
  const svg = await partner.get(submitted(form, 'QR-code voor drukwerk', { ec: 'Q' }))
  t.match(svg.body, 'viewBox="0 0 37 37"', 'outdoors: level Q, version 3')

  const english = await partner.get(`/admin/posters/${mine.posterId}?lang=en`)
  t.match(english.body, '<label for="p-ec">Where will the poster hang?</label>')
  t.match(english.body, 'Download PDF')

  // Switching the page's language keeps the choices made in the form.
  const chosen = await partner.get(`/admin/posters/${mine.posterId}?format=a3&language=fr&done=created`)
  t.match(chosen.body, 'href="?format=a3&amp;language=fr&amp;lang=en"', 'the English link keeps format and language, not the one-time confirmation')
  const switched = await partner.get(`/admin/posters/${mine.posterId}?format=a3&language=fr&lang=en`)
  t.match(switched.body, /<option value="a3" selected/, 'the format is still A3 after switching')
})

t.test('the preview is the real poster as SVG: title, location, languages, short address, escaped', async (t) => {
  const { db, mine, theirs, as } = await setup(t)
  const partner = await as('partner')
  const res = await partner.get(`/admin/posters/${mine.posterId}/preview.svg?format=a4&language=fr&language2=nl`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8')
  t.equal(res.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'", 'opened on its own, the SVG may run and load nothing')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.match(res.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="595.28pt" height="841.89pt"/, 'A4 in points')
  const texts = [...res.body.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((match) => match[1]).join(' ')
  t.match(texts, 'Repair Café')
  t.match(texts, 'Bib Tongeren')
  t.match(texts, `leervraag.example.be/q/${mine.code.toLowerCase()}`)
  t.ok(texts.indexOf('As-tu') >= 0 && texts.indexOf('As-tu') < texts.indexOf('Heb je vandaag'), 'French first, then Dutch')
  t.match(res.body, /<path fill="#000000" d="M/, 'the QR as one vector path')
  t.equal((await partner.get(`/admin/posters/${theirs.posterId}/preview.svg`)).statusCode, 404, 'another partner’s poster')
  t.equal((await partner.get(`/admin/posters/${mine.posterId}/preview.svg?format=a2`)).statusCode, 400)

  // A title typed to break out of the SVG and the HTML around it.
  await db.updateTable('activities').set({ title: hostileTitle }).where('id', '=', mine.activityId).execute()
  await db.updateTable('locations').set({ name: '"><svg onload=alert(3)>' }).where('id', '=', mine.locationId).execute()
  const hostile = await partner.get(`/admin/posters/${mine.posterId}/preview.svg`)
  t.equal(hostile.statusCode, 200)
  const tags = new Set([...hostile.body.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((match) => match[1]))
  t.same([...tags].sort(), ['g', 'line', 'path', 'rect', 'svg', 'text', 'title'].filter((tag) => tags.has(tag)).sort(), 'only drawing elements')
  t.notOk(tags.has('script') || tags.has('img'), 'no script, no img')
  t.notMatch(hostile.body, /<[^>]*\son\w+=/i, 'no event handler attribute in any tag (a `<` in text is escaped, so every `<` starts a real tag)')
  t.match(hostile.body, '&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;', 'the title is printed as text')
  t.match(hostile.body, '&quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; Co')
  t.match(hostile.body, '&quot;&gt;&lt;svg onload=alert(3)&gt;')
  const page = await partner.get(`/admin/posters/${mine.posterId}`)
  t.notMatch(page.body, /<script|<img src=x|<svg onload/, 'nor on the print page around it')
  t.match(page.body, 'alt="Voorbeeld van de affiche voor &lt;/text&gt;&lt;script&gt;')

  // The renderer on its own: every text and the title go through the escaper.
  const direct = posterSvg({ code: 'K7M2QX', activityTitle: hostileTitle, locationName: "'", audience: 'all' }, { format: 'stickers-8', languages: ['nl'], errorCorrection: 'M', publicBaseUrl: 'https://x.example' }, hostileTitle)
  t.notMatch(direct, /<script|<img/)
  t.match(direct, `<title>&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(2)&gt; &amp; Co</title>`)
  t.equal([...direct.matchAll(/<path /g)].length, 8, 'a sheet of 8 stickers, 8 QR codes')
})

t.test('batches per activity, location, partner and region: N posters on N pages, only what the person may see', async (t) => {
  const { db, mine, theirs, elsewhere, as } = await setup(t)
  // Mine: two posters of one activity (two locations) and one of a second activity; theirs: one at my location.
  const hall = await createLocation(db, mine.regionId, { name: 'Zaal De Kring' })
  await createPoster(db, { activityId: mine.activityId, locationId: hall })
  const second = await createActivity(db, { partnerId: mine.partnerId, title: 'Kookles' })
  await createPoster(db, { activityId: second, locationId: mine.locationId })
  await createPoster(db, { activityId: theirs.activityId, locationId: mine.locationId })
  const retired = await createPoster(db, { activityId: second, locationId: hall })
  await setPosterStatus(db, retired.id, 'retired')
  const partner = await as('partner')
  const coordinator = await as('coordinator')
  const pages = async (browser: Browser, query: string) => {
    const res = await browser.get(`/admin/posters/batch.pdf?${query}`)
    t.equal(res.statusCode, 200, query)
    t.equal(res.headers['content-type'], 'application/pdf', query)
    return pageCount(res.rawPayload)
  }
  t.equal(await pages(partner, `activity=${mine.activityId}&format=a5`), 2, 'activity: its two posters')
  t.equal(await pages(partner, `location=${mine.locationId}&format=a5`), 2, 'location, as a partner member: my two posters there, not the other partner’s')
  t.equal(await pages(coordinator, `location=${mine.locationId}&format=a5`), 3, 'location, as the coordinator: every partner’s')
  t.equal(await pages(partner, `partner=${mine.partnerId}&format=a5`), 3, 'partner: all of mine, the retired one left out')
  t.equal(await pages(partner, `region=${mine.regionId}&format=a5`), 3, 'region, as a partner member: mine only')
  t.equal(await pages(coordinator, `region=${mine.regionId}&format=a5`), 5, 'region, as the coordinator: all five')
  t.equal(await pages(coordinator, `partner=${theirs.partnerId}&format=a5`), 2, 'the coordinator batches any partner of the region')

  // Another partner's activity or partner, another region, an unknown id: the same 404 page.
  const unknown = await partner.get('/admin/posters/batch.pdf?partner=999999')
  t.equal(unknown.statusCode, 404)
  const outOfReach: Array<[kind: string, id: number]> = [['partner', theirs.partnerId], ['activity', theirs.activityId], ['region', elsewhere.regionId], ['location', elsewhere.locationId], ['location', 999999]]
  for (const [kind, id] of outOfReach) {
    for (const url of [`/admin/posters/batch.pdf?${kind}=${id}`, `/admin/posters/batch/${kind}/${id}`]) {
      const res = await partner.get(url)
      t.equal(res.statusCode, 404, url)
      t.equal(res.body, unknown.body, `${url}: the same bytes as an unknown id`)
    }
  }
  const bridge = await as('bridge')
  for (const path of [`region/${mine.regionId}`, `location/${mine.locationId}`, `partner/${mine.partnerId}`]) t.equal((await bridge.get(`/admin/posters/batch/${path}`)).statusCode, 404, `bridge figures print nothing: ${path}`)
  // Bad input: a malformed id (in the path: the 404 page, as every staff path; in the query: the 400 page), two covers at once, none, a bad part.
  for (const path of ['location/abc', 'location/0', 'location/1e3', 'shelf/1']) t.equal((await partner.get(`/admin/posters/batch/${path}`)).body, unknown.body, `batch/${path}: the 404 page`)
  t.equal((await partner.get('/admin/posters/batch.pdf?location=abc')).statusCode, 400)
  t.equal((await partner.get(`/admin/posters/batch/location/${mine.locationId}?format=a2`)).statusCode, 400, 'an unknown format on the batch page')
  const two = await partner.get(`/admin/posters/batch.pdf?location=${mine.locationId}&region=${mine.regionId}`)
  t.equal(two.statusCode, 400)
  t.match(two.body, 'Kies één activiteit, locatie, partner of regio.')
  for (const part of ['2', '0', '-1', 'x', '1.5']) {
    const res = await partner.get(`/admin/posters/batch.pdf?activity=${mine.activityId}&part=${part}`)
    t.equal(res.statusCode, 400, `part=${part}`)
    t.match(res.body, 'part: deze waarde kennen we niet. Kies uit: 1.')
  }
})

t.test('the batch page: the count, the same choices, the download; an empty batch says so instead of giving an empty PDF', async (t) => {
  const { db, mine, as } = await setup(t)
  const partner = await as('partner')
  const page = await partner.get(`/admin/posters/batch/location/${mine.locationId}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, `<h1>Alle affiches op Bib Tongeren`)
  t.match(page.body, 'Aantal affiches: 1')
  t.match(page.body, 'Je ziet alleen de affiches van je eigen organisatie.')
  t.match(page.body, `<a href="/admin/posters/${mine.posterId}"><code>${mine.code}</code></a>`, 'the posters it holds')
  t.match(page.body, /<li class="region">Regio \d+:<\/li>/, 'in the region’s menu')
  const form = formOf(page.body, 'f-batch')
  t.same(form.labels, form.controls, 'every control has its own label')
  t.equal(form.fields.location, String(mine.locationId))
  const url = submitted(form, 'PDF downloaden', { format: 'stickers-21', stickers: 'one', language: 'en' })
  const pdf = await partner.get(url)
  t.equal(pdf.statusCode, 200)
  t.equal(pageCount(pdf.rawPayload), 1)
  t.match(pdf.headers['content-disposition'], /^attachment; filename="leervraag-bib-tongeren-\d+-stickers-21\.pdf"$/)
  t.match((await pdfText(pdf.rawPayload)).replace(/\s+/g, ' '), 'Did you try something new today?', 'in the chosen language')

  // A location without any poster (yet): a friendly page, and the PDF address leads to it.
  const empty = await createLocation(db, mine.regionId, { name: 'Buurthuis' })
  const none = await partner.get(`/admin/posters/batch/location/${empty}`)
  t.equal(none.statusCode, 200)
  t.match(none.body, 'Hier zijn nog geen affiches om af te drukken.')
  t.notMatch(none.body, 'PDF downloaden')
  const pdfOfNone = await partner.get(`/admin/posters/batch.pdf?location=${empty}&format=a3`)
  t.equal(pdfOfNone.statusCode, 303, 'no empty PDF')
  t.equal(pdfOfNone.headers.location, `/admin/posters/batch/location/${empty}?format=a3`)
  const partnerWithout = await createPartner(db, mine.regionId, 'Nieuwe partner', 'other')
  const coordinator = await as('coordinator')
  t.match((await coordinator.get(`/admin/posters/batch/partner/${partnerWithout}`)).body, 'Hier zijn nog geen affiches om af te drukken.')
  const english = await partner.get(`/admin/posters/batch/location/${mine.locationId}?lang=en`)
  t.match(english.body, '<h1>All posters at Bib Tongeren', 'the language links keep the batch (it is in the path)')
})

t.test(`a batch larger than ${maxPostersPerPdf} posters comes in numbered parts of at most ${maxPostersPerPdf}`, async (t) => {
  const { db, mine, as } = await setup(t)
  // One more than fits: one activity at many locations (createPoster refuses a second poster per location).
  const now = new Date().toISOString()
  const rows = Array.from({ length: maxPostersPerPdf }, (_, index) => ({ region_id: mine.regionId, name: `Plek ${String(index).padStart(3, '0')}`, created_at: now }))
  const ids = await db.insertInto('locations').values(rows).returning('id').execute()
  const codes = [...new Set(Array.from({ length: ids.length * 2 }, () => generateCode()))].slice(0, ids.length)
  await db
    .insertInto('posters')
    .values(ids.map(({ id }, index) => ({ code: codes[index]!, region_id: mine.regionId, partner_id: mine.partnerId, activity_id: mine.activityId, location_id: id, status: 'active' as const, language: null, created_at: now, updated_at: now })))
    .execute()
  const partner = await as('partner')
  const page = await partner.get(`/admin/posters/batch/activity/${mine.activityId}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, `Aantal affiches: ${maxPostersPerPdf + 1}`)
  t.match(page.body, `Dat zijn er meer dan ${maxPostersPerPdf} in één PDF.`)
  t.match(page.body, `Deel 1 downloaden (affiches 1 tot ${maxPostersPerPdf})`)
  t.match(page.body, `Deel 2 downloaden (affiches ${maxPostersPerPdf + 1} tot ${maxPostersPerPdf + 1})`)
  t.notMatch(page.body, '<table>', 'the posters are not listed one by one')
  const whole = await partner.get(`/admin/posters/batch.pdf?activity=${mine.activityId}`)
  t.equal(whole.statusCode, 303, 'no part named: back to the page that offers the parts')
  const form = formOf(page.body, 'f-batch')
  const last = await partner.get(submitted(form, 'Deel 2', { format: 'a5' }))
  t.equal(last.statusCode, 200)
  t.equal(pageCount(last.rawPayload), 1, 'part 2 holds the one poster left over')
  t.match(last.headers['content-disposition'], /filename="leervraag-repair-cafe-\d+-2-a5\.pdf"/)
  t.equal((await partner.get(`/admin/posters/batch.pdf?activity=${mine.activityId}&part=3`)).statusCode, 400, 'no part 3')
})

t.test('the pages that list activities, locations, partners and the region link to their batch', async (t) => {
  const { mine, as } = await setup(t)
  const coordinator = await as('coordinator')
  const region = `/admin/regions/${mine.regionId}`
  t.match((await coordinator.get(`${region}/activities/${mine.activityId}`)).body, `href="/admin/posters/batch/activity/${mine.activityId}"`)
  t.match((await coordinator.get(`${region}/locations`)).body, `href="/admin/posters/batch/location/${mine.locationId}"`)
  t.match((await coordinator.get(`${region}/partners`)).body, `href="/admin/posters/batch/partner/${mine.partnerId}"`)
  t.match((await coordinator.get(region)).body, `href="/admin/posters/batch/region/${mine.regionId}"`)
  t.match((await coordinator.get(`${region}/posters`)).body, `href="/admin/posters/batch/region/${mine.regionId}"`)
  const bridge = await as('bridge')
  t.notMatch((await bridge.get(region)).body, '/admin/posters/batch', 'not for bridge figures, who print nothing')
})
