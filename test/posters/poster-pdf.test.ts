import t from 'tap'
import { posterFont, printable, type PosterFont } from '../../src/pdf/fonts.ts'
import { readFileSync } from 'node:fs'
import { type LabelStock, labelPositions, labelStocks, labelsPerSheet, posterFormats, type StickerFormat } from '../../src/posters/layouts.ts'
import { posterLanguages, posterPdf, type PosterContent, type PrintOptions } from '../../src/posters/poster-pdf.ts'
import { qrUrl, shortUrl } from '../../src/posters/qr.ts'
import { qrSymbol } from '../../src/posters/qr-vector.ts'
import { decodePdf, decodePngRegion, decodeQrFile, mediaBoxes, pageCount, pdfText, qrWidthMm, renderPages } from './pdf-tools.ts'

const base = 'https://leervraag.example.be'
const poster: PosterContent = { code: 'K7M2QX', activityTitle: 'Repair Café', locationName: 'Bib Tongeren', audience: 'all' }
const options = (overrides: Partial<PrintOptions> = {}): PrintOptions => ({
  format: 'a4',
  languages: ['nl'],
  errorCorrection: 'M',
  publicBaseUrl: base,
  ...overrides,
})

// ISO 216 in points (1 pt = 1/72 inch): what a printer driver expects to receive.
const expectedSizes = {
  a4: { width: 595.28, height: 841.89 },
  a3: { width: 841.89, height: 1190.55 },
  a5: { width: 419.53, height: 595.28 },
  tent: { width: 595.28, height: 841.89 },
  'stickers-8': { width: 595.28, height: 841.89 },
  'stickers-14': { width: 595.28, height: 841.89 },
  'stickers-21': { width: 595.28, height: 841.89 },
} as const

t.test('the QR URL stays in alphanumeric mode: version 2 at M, where lower case would need version 3', async (t) => {
  const url = qrUrl(base, poster.code)
  t.equal(url, 'HTTPS://LEERVRAAG.EXAMPLE.BE/Q/K7M2QX')
  t.equal(qrSymbol(url, 'M').version, 2)
  t.equal(qrSymbol(url, 'M').size, 25)
  t.equal(qrSymbol(url.toLowerCase(), 'M').version, 3, 'the same URL in lower case (byte mode) is one version larger')
  t.equal(qrSymbol(url, 'Q').version, 3, 'Q adds redundancy and takes one version more')
  t.equal(shortUrl(base, poster.code), 'leervraag.example.be/q/k7m2qx')
})

t.test('every format is a PDF of the right paper size', async (t) => {
  for (const format of posterFormats) {
    const pdf = await posterPdf(poster, options({ format }))
    t.equal(pdf.subarray(0, 5).toString(), '%PDF-', `${format} is a PDF`)
    const boxes = mediaBoxes(pdf)
    t.equal(boxes.length, 1, `${format}: one page`)
    t.equal(pageCount(pdf), 1)
    t.ok(Math.abs(boxes[0]!.width - expectedSizes[format].width) < 0.01, `${format} width ${boxes[0]!.width}`)
    t.ok(Math.abs(boxes[0]!.height - expectedSizes[format].height) < 0.01, `${format} height ${boxes[0]!.height}`)
  }
})

t.test('the printed QR decodes to exactly the poster URL, on A4, A3, A5, at level M and Q', async (t) => {
  for (const format of ['a4', 'a3', 'a5'] as const) {
    for (const errorCorrection of ['M', 'Q'] as const) {
      const pdf = await posterPdf(poster, options({ format, errorCorrection }))
      const [codes] = await decodePdf(pdf, { dpi: format === 'a3' ? 72 : 100 })
      t.same(codes, ['HTTPS://LEERVRAAG.EXAMPLE.BE/Q/K7M2QX'], `${format} at ${errorCorrection}`)
    }
  }
})

t.test('the QR is about 9 cm on A4 and 13 cm on A3, readable from a few metres', async (t) => {
  for (const [format, from, to] of [
    ['a4', 85, 95],
    ['a3', 120, 135],
    ['a5', 60, 68],
  ] as const) {
    const { files, cleanup } = await renderPages(await posterPdf(poster, options({ format })), { dpi: 100 })
    t.teardown(cleanup)
    const width = qrWidthMm(readFileSync(files[0]!), 100)
    t.ok(width !== undefined && width >= from && width <= to, `${format}: symbol ${width?.toFixed(1)} mm`)
  }
})

t.test('the table tent has the QR on both faces, and both scan', async (t) => {
  const pdf = await posterPdf(poster, options({ format: 'tent', languages: ['nl', 'fr'] }))
  const [codes] = await decodePdf(pdf, { dpi: 100 })
  t.same(codes, [qrUrl(base, poster.code), qrUrl(base, poster.code)])
  const text = await pdfText(pdf)
  t.match(text, 'Hier vouwen')
})

t.test('a sticker sheet has the stock’s number of stickers, each label holding one QR that scans', async (t) => {
  for (const format of Object.keys(labelStocks) as StickerFormat[]) {
    const pdf = await posterPdf(poster, options({ format }))
    const { files, cleanup } = await renderPages(pdf, { dpi: 150 })
    t.teardown(cleanup)
    const png = readFileSync(files[0]!)
    const stock: LabelStock = labelStocks[format]
    // Each label cut out on its own, as it is once peeled off the sheet.
    const decoded = labelPositions(stock).map((at) => decodePngRegion(png, 150, { x: at.x, y: at.y, width: stock.width, height: stock.height }))
    t.equal(decoded.length, labelsPerSheet(format))
    t.same(new Set(decoded), new Set([qrUrl(base, poster.code)]), `${format}: all ${decoded.length} labels decode to the poster URL`)
    // And zbar, looking at the whole sheet, finds QR codes and nothing else.
    t.ok((await decodeQrFile(files[0]!)).every((code) => code === qrUrl(base, poster.code)))
  }
  t.equal(labelsPerSheet('stickers-8'), 8)
  t.equal(labelsPerSheet('stickers-21'), 21)
})

t.test('a poster says the question, the activity, the location, the short URL and the code', async (t) => {
  const text = (await pdfText(await posterPdf(poster, options()))).replace(/\s+/g, ' ')
  t.match(text, 'Heb je vandaag iets nieuws geprobeerd?')
  t.match(text, 'Repair Café')
  t.match(text, 'Bib Tongeren')
  t.match(text, 'leervraag.example.be/q/k7m2qx')
  t.match(text, 'K7M2QX')
  t.notMatch(text, 'As-tu', 'one language: no French')

  const children = (await pdfText(await posterPdf({ ...poster, audience: 'children' }, options()))).replace(/\s+/g, ' ')
  t.match(children, 'Heb je vandaag iets gedaan wat je nog nooit deed, maar wel heel leuk vond?')
})

t.test('a bilingual poster asks the question in both languages, the first one leading', async (t) => {
  for (const format of ['a4', 'tent', 'stickers-21'] as const) {
    // On the tent, the upright lower face (the upper one is printed upside down).
    const crop = format === 'tent' ? { x: 0, y: 421, width: 595, height: 421 } : undefined
    const text = (await pdfText(await posterPdf(poster, options({ format, languages: ['fr', 'nl'] })), crop)).replace(/\s+/g, ' ')
    const french = text.indexOf('As-tu essayé quelque chose de nouveau')
    const dutch = text.indexOf('Heb je vandaag iets nieuws geprobeerd?')
    t.ok(french >= 0 && dutch > french, `${format}: French first, then Dutch`)
  }
})

t.test('the open font is embedded, with Latin Extended letters', async (t) => {
  t.ok(posterFont.embedded, 'the font package @expo-google-fonts/noto-sans is installed')
  const pdf = await posterPdf({ ...poster, activityTitle: 'Kőszeg – Łódź – Ștefan' }, options())
  t.match(pdf.toString('latin1'), /\/FontFile2/, 'a TrueType font program is in the PDF')
  t.match(pdf.toString('latin1'), /NotoSans/)
  t.match(await pdfText(pdf), 'Kőszeg – Łódź – Ștefan')
})

t.test('only languages whose poster texts the font covers are offered', async (t) => {
  t.same(posterLanguages(), ['nl', 'fr', 'en', 'tr', 'pl', 'ro', 'uk'], 'Latin and Cyrillic print; Arabic and Ge’ez script are not in the font')
  const asciiOnly: PosterFont = { ...posterFont, covers: (text) => /^[\x20-\x7e\n]*$/.test(text) }
  t.notOk(posterLanguages(asciiOnly).includes('fr'), 'French needs é and ’')
  t.same(printable('Repair Café 🔧 ', posterFont), 'Repair Café', 'a sign the font lacks is left out, not printed as a box')
})

t.test('every language offered for posters has its own printed texts, not Dutch stand-ins', async (t) => {
  const printed = ['poster.scan', 'poster.code', 'poster.fold']
  const citizen = ['app.name', 'step1.question', 'step1.question.children', 'step1.hint']
  for (const language of posterLanguages()) {
    const own = JSON.parse(readFileSync(new URL(`../../src/i18n/messages/poster.${language}.json`, import.meta.url), 'utf8')) as Record<string, string>
    const base = JSON.parse(readFileSync(new URL(`../../src/i18n/messages/${language}.json`, import.meta.url), 'utf8')) as Record<string, string>
    t.same(printed.filter((key) => !own[key]), [], `${language}: poster texts`)
    t.same(citizen.filter((key) => !base[key]), [], `${language}: the question`)
  }
})
