import jsQRModule from 'jsqr'
import QRCode from 'qrcode'
import t from 'tap'
import { qrUrl, shortUrl } from '../../src/posters/qr.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'

/**
 * Rasterises the SVG that `qrcode` writes (one dark path of `M x y h n` runs drawn with a
 * 1-unit stroke at y + 0.5) into a bitmap, without a browser, so that the very SVG we
 * serve is decoded — not a QR made again from the same URL.
 */
function rasterise(svg: string, scale = 8): { data: Uint8ClampedArray; width: number; height: number } {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1])
  const path = /<path[^>]*stroke="#000000"[^>]*d="([^"]+)"/.exec(svg)?.[1] ?? /<path[^>]*d="([^"]+)"[^>]*stroke="#000000"/.exec(svg)?.[1]
  if (!size || !path) throw new Error('not a qrcode SVG')
  const dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false))
  let x = 0
  let y = 0
  for (const [, command, a, b] of path.matchAll(/([MmHhVv])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?/g)) {
    const n = Number(a)
    if (command === 'M') [x, y] = [n, Number(b)]
    else if (command === 'm') [x, y] = [x + n, y + Number(b)]
    else if (command === 'h' || command === 'H') {
      const end = command === 'h' ? x + n : n
      for (let col = Math.min(x, end); col < Math.max(x, end); col++) dark[Math.floor(y)]![col] = true
      x = end
    } else throw new Error(`unexpected path command ${command}`)
  }
  const width = size * scale
  const data = new Uint8ClampedArray(width * width * 4)
  for (let py = 0; py < width; py++) {
    for (let px = 0; px < width; px++) {
      const value = dark[Math.floor(py / scale)]![Math.floor(px / scale)] ? 0 : 255
      data.set([value, value, value, 255], (py * width + px) * 4)
    }
  }
  return { data, width, height: width }
}

// jsqr is CommonJS with a default export; under NodeNext its types see the namespace.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default

t.test('the QR SVG decodes to exactly the upper-case poster URL', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  for (const url of [`/q/${fixture.code}/qr.svg`, `/Q/${fixture.code.toLowerCase()}/qr.svg`]) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^image\/svg\+xml/)
    const image = rasterise(res.body)
    const decoded = jsQR(image.data, image.width, image.height)
    t.equal(decoded?.data, `HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${fixture.code}`, url)
  }
})

t.test('the QR keeps a quiet zone of 4 modules and is a small symbol in alphanumeric mode', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const res = await app.inject({ method: 'GET', url: `/q/${fixture.code}/qr.svg` })
  const symbol = QRCode.create(`HTTPS://LEERVRAAG.EXAMPLE.BE/Q/${fixture.code}`, { errorCorrectionLevel: 'M' })
  t.equal(symbol.version, 2, 'an upper-case URL fits version 2 at level M')
  t.equal(symbol.segments[0]?.mode.id, 'Alphanumeric')
  t.match(res.body, `viewBox="0 0 ${symbol.modules.size + 8} ${symbol.modules.size + 8}"`, '4 modules of quiet zone on each side')
  const lower = QRCode.create(`https://leervraag.example.be/q/${fixture.code.toLowerCase()}`, { errorCorrectionLevel: 'M' })
  t.ok(lower.version > symbol.version, 'the lower-case URL would need a larger symbol')
})

t.test('QR and short URLs keep a base path and print a lower-case short address', async (t) => {
  t.equal(qrUrl('https://leren.example.be/leervraag', 'K7M2QX'), 'HTTPS://LEREN.EXAMPLE.BE/leervraag/Q/K7M2QX')
  t.equal(qrUrl('http://localhost:3000', 'K7M2QX'), 'HTTP://LOCALHOST:3000/Q/K7M2QX')
  t.equal(shortUrl('https://Leervraag.example.be', 'K7M2QX'), 'leervraag.example.be/q/k7m2qx')
})

t.test('an unknown code has no QR', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/q/ZZZZZZ/qr.svg' })
  t.equal(res.statusCode, 404)
})
