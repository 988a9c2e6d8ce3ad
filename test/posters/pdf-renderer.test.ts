import t from 'tap'
import { PdfRenderer } from '../../src/posters/pdf-renderer.ts'
import type { PosterContent, PrintOptions } from '../../src/posters/poster-pdf.ts'
import { qrUrl } from '../../src/posters/qr.ts'
import { decodePdf, pageCount } from './pdf-tools.ts'

const base = 'https://leervraag.example.be'
const options: PrintOptions = { format: 'a5', languages: ['nl'], errorCorrection: 'M', publicBaseUrl: base }
const posters: PosterContent[] = ['K7M2QX', 'ABCDEF', 'GHJKMN'].map((code) => ({ code, activityTitle: `Activiteit ${code}`, locationName: 'Bib', audience: 'all' }))

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

t.test('the worker thread draws the same posters: one PDF, and a batch of N pages', async (t) => {
  const renderer = new PdfRenderer()
  t.teardown(() => renderer.close())
  const one = await renderer.poster(posters[0]!, options)
  t.same(await decodePdf(one, { dpi: 72 }), [[qrUrl(base, 'K7M2QX')]])
  const batch = await collect(renderer.batch(posters, options, 'batch'))
  t.equal(pageCount(batch), 3)
  t.same(await decodePdf(batch, { dpi: 72 }), posters.map((poster) => [qrUrl(base, poster.code)]))
  // Two jobs at once are kept apart.
  const [a, b] = await Promise.all([collect(renderer.batch(posters.slice(0, 2), options, 'a')), renderer.poster(posters[2]!, options)])
  t.equal(pageCount(a), 2)
  t.same(await decodePdf(b, { dpi: 72 }), [[qrUrl(base, posters[2]!.code)]])
})

t.test('a cancelled batch stops, and the worker serves the next job', async (t) => {
  const renderer = new PdfRenderer()
  t.teardown(() => renderer.close())
  const many = Array.from({ length: 400 }, (_, n) => posters[n % posters.length]!)
  const stream = renderer.batch(many, options, 'x')
  await new Promise<void>((resolve) => stream.once('data', () => resolve()))
  stream.destroy()
  const next = await renderer.poster(posters[1]!, options)
  t.same(await decodePdf(next, { dpi: 72 }), [[qrUrl(base, posters[1]!.code)]])
})

t.test('a bad job fails its own request, not the worker', async (t) => {
  const renderer = new PdfRenderer()
  t.teardown(() => renderer.close())
  await t.rejects(renderer.poster(posters[0]!, { ...options, format: 'nonsense' as PrintOptions['format'] }))
  t.equal(pageCount(await renderer.poster(posters[0]!, options)), 1)
})
