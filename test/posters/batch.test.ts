import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import t from 'tap'
import { streamPosterBatch } from '../../src/posters/batch.ts'
import type { PosterContent, PrintOptions } from '../../src/posters/poster-pdf.ts'
import { qrUrl } from '../../src/posters/qr.ts'
import { decodePdf, mediaBoxes, pageCount } from './pdf-tools.ts'

const base = 'https://leervraag.example.be'
const codes = ['K7M2QX', 'ABCDEF', 'GHJKMN', 'PQRSTV', 'WXYZ23', '456789', 'A2B3C4', 'D5E6F7', 'G8H9JK', 'MNPQRS', 'TVWXYZ', '234567', 'BCDFGH']
const posters: PosterContent[] = codes.map((code, index) => ({ code, activityTitle: `Activiteit ${index + 1}`, locationName: `Locatie ${index + 1}`, audience: 'all' }))

const options = (overrides: Partial<PrintOptions> = {}): PrintOptions => ({ format: 'a4', languages: ['nl'], errorCorrection: 'M', publicBaseUrl: base, ...overrides })

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

t.test('a batch of N posters is one PDF of N pages, each page with its own poster’s QR', async (t) => {
  const pdf = await collect(streamPosterBatch(posters, options({ format: 'a5' }), 'batch'))
  t.equal(pageCount(pdf), posters.length)
  t.equal(mediaBoxes(pdf).length, posters.length)
  const decoded = await decodePdf(pdf, { dpi: 72 })
  t.same(decoded, posters.map((poster) => [qrUrl(base, poster.code)]), 'page n scans to poster n')
})

t.test('tents and full sticker sheets take one page per poster; one sticker each packs the sheets', async (t) => {
  const five = posters.slice(0, 5)
  t.equal(pageCount(await collect(streamPosterBatch(five, options({ format: 'tent' }), 'x'))), 5)
  t.equal(pageCount(await collect(streamPosterBatch(five, options({ format: 'stickers-8' }), 'x'))), 5)
  // 13 posters, one sticker each, on 8-up sheets: 2 sheets, the second with 5 stickers.
  const packed = await collect(streamPosterBatch(posters, options({ format: 'stickers-8', stickers: 'one' }), 'x'))
  t.equal(pageCount(packed), 2)
  const decoded = await decodePdf(packed, { dpi: 150 })
  t.same(new Set(decoded.flat()), new Set(posters.map((poster) => qrUrl(base, poster.code))), 'every poster got its sticker')
})

t.test('an empty batch is still a valid one-page PDF', async (t) => {
  const pdf = await collect(streamPosterBatch([], options(), 'x'))
  t.equal(pdf.subarray(0, 5).toString(), '%PDF-')
  t.equal(pageCount(pdf), 1)
})

t.test('the event loop keeps turning while a batch is drawn', async (t) => {
  let last = performance.now()
  let longest = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  // 120 posters draw in about half a second: long enough that a pause of the loaded
  // machine's scheduler (tens of ms, seen in CI) is not mistaken for a blocked loop.
  const many = Array.from({ length: 120 }, (_, index) => posters[index % posters.length]!)
  const started = performance.now()
  await collect(streamPosterBatch(many, options(), 'x'))
  const total = performance.now() - started
  clearInterval(ticker)
  // Each poster is drawn in one go (tens of ms); the whole batch is far longer. Without
  // a yield between pages the longest gap would be the whole batch.
  t.ok(longest < total / 4, `longest pause ${longest.toFixed(0)} ms in a ${total.toFixed(0)} ms batch`)
})

t.test('a reader that goes away stops the drawing', async (t) => {
  let drawn = 0
  function* endless() {
    for (;;) {
      drawn++
      yield posters[drawn % posters.length]!
    }
  }
  const stream = streamPosterBatch(endless(), options(), 'x')
  let received = 0
  await t.rejects(
    pipeline(
      stream,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received += chunk.length
          callback(received > 50_000 ? new Error('reader gone') : null)
        },
      }),
    ),
  )
  const soon = drawn
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.ok(drawn <= soon + 1, `drawing stopped (${drawn} posters drawn)`)
})
