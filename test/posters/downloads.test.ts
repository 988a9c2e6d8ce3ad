import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'
import t from 'tap'
import { attachment, batchFileName, posterFileName, slug } from '../../src/posters/downloads.ts'
import { qrUrl } from '../../src/posters/qr.ts'
import { pngSizes, qrPng, qrSvgDocument, qrSymbol, quietZone } from '../../src/posters/qr-vector.ts'
import { decodeQrFile } from './pdf-tools.ts'

// jsqr is CommonJS with a default export; under NodeNext its types see the namespace.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default

const url = qrUrl('https://leervraag.example.be', 'K7M2QX')

t.test('file names are plain ASCII: leervraag-<activity>-<location>-<code>', async (t) => {
  t.equal(posterFileName({ activityTitle: 'Repair Café', locationName: 'Bib Tongeren', code: 'K7M2QX' }, 'pdf'), 'leervraag-repair-cafe-bib-tongeren-k7m2qx.pdf')
  t.equal(
    posterFileName({ activityTitle: 'Naaien & herstellen: "Łódź"/../etc', locationName: 'Kőszeg — Straße 1', code: 'ABCDEF' }, 'png'),
    'leervraag-naaien-herstellen-lodz-etc-koszeg-strasse-1-abcdef.png',
  )
  t.equal(posterFileName({ activityTitle: '🔧🔧', locationName: 'دار', code: 'ABCDEF' }, 'svg'), 'leervraag-abcdef.svg', 'nothing left of a name: it is skipped')
  t.ok(slug('a'.repeat(30) + ' ' + 'b'.repeat(30)).length <= 40, 'long names are cut')
  t.equal(batchFileName('Bibliotheek Tongeren', 'stickers-21'), 'leervraag-bibliotheek-tongeren-stickers-21.pdf')
  t.equal(attachment('leervraag-x.pdf'), 'attachment; filename="leervraag-x.pdf"')
})

/** Paints the SVG's path (our own output: `M x y h n v1 h-n z` runs) onto pixels and decodes them. */
function decodeSvg(svg: string, scale = 8): string | undefined {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)
  const total = Number(viewBox![1])
  const size = total * scale
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255)
  const d = /<path[^>]* d="([^"]+)"/.exec(svg)![1]!
  for (const run of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    const [x, y, length] = [Number(run[1]), Number(run[2]), Number(run[3])]
    for (let py = y * scale; py < (y + 1) * scale; py++) {
      for (let px = x * scale; px < (x + length) * scale; px++) pixels.fill(0, (py * size + px) * 4, (py * size + px) * 4 + 3)
    }
  }
  return jsQR(pixels, size, size)?.data
}

t.test('the SVG download is the QR with its quiet zone, and decodes to the poster URL', async (t) => {
  const symbol = qrSymbol(url, 'M')
  const svg = qrSvgDocument(symbol, 1024)
  t.match(svg, /^<\?xml/)
  t.match(svg, `viewBox="0 0 ${symbol.size + 2 * quietZone} ${symbol.size + 2 * quietZone}"`)
  t.match(svg, 'width="1024"')
  const firstDark = Math.min(...symbol.runs.map((run) => run.column))
  t.equal(firstDark, 0, 'the symbol starts right after the quiet zone')
  t.match(svg, `M${quietZone} ${quietZone}h7`, 'the top-left finder pattern sits 4 modules in')
  t.equal(decodeSvg(svg), url)
  t.equal(decodeSvg(qrSvgDocument(qrSymbol(url, 'Q'))), url, 'level Q decodes too')
})

t.test('the PNG download has exactly the chosen size and decodes to the poster URL', async (t) => {
  const symbol = qrSymbol(url, 'M')
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-png-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const size of [pngSizes.min, 1001, pngSizes.max]) {
    const bytes = await qrPng(symbol, size)
    t.equal(bytes.readUInt32BE(16), size, `${size} px wide`)
    t.equal(bytes.readUInt32BE(20), size, `${size} px high`)
    const file = join(dir, `${size}.png`)
    writeFileSync(file, bytes)
    t.same(await decodeQrFile(file), [url], `${size} px decodes (zbar)`)
  }
  const png = PNG.sync.read(await qrPng(symbol, pngSizes.min))
  t.equal(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data, url, 'and a second decoder agrees (jsQR)')
  const corner = (x: number, y: number) => png.data[(y * png.width + x) * 4]
  t.equal(corner(0, 0), 255, 'the quiet zone is white')
  t.equal(corner(Math.ceil((quietZone * png.width) / (symbol.size + 2 * quietZone)) + 1, Math.ceil((quietZone * png.width) / (symbol.size + 2 * quietZone)) + 1), 0, 'the finder pattern starts after it')
})
