import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import jsQRModule from 'jsqr'
import { PNG } from 'pngjs'

// jsqr is CommonJS with a default export; under NodeNext its types see the namespace.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default

/**
 * Real tools on a real PDF: poppler renders and extracts text, zbar decodes QR codes the
 * way a phone's scanner would (from pixels, not from our own geometry).
 */
const run = promisify(execFile)

/** Every page's size in points, from the PDF's own /MediaBox entries, in page order. */
export function mediaBoxes(pdf: Buffer): Array<{ width: number; height: number }> {
  const text = pdf.toString('latin1')
  return [...text.matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map((match) => ({ width: Number(match[1]), height: Number(match[2]) }))
}

export function pageCount(pdf: Buffer): number {
  return [...pdf.toString('latin1').matchAll(/\/Type \/Page\b(?!s)/g)].length
}

/** Renders pages of a PDF to PNG files (150 dpi by default) and returns their paths. */
export async function renderPages(pdf: Buffer, options: { dpi?: number; first?: number; last?: number; keepAs?: string } = {}): Promise<{ files: string[]; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-pdf-'))
  const input = join(dir, 'in.pdf')
  writeFileSync(input, pdf)
  const args = ['-r', String(options.dpi ?? 150), '-png']
  if (options.first !== undefined) args.push('-f', String(options.first))
  if (options.last !== undefined) args.push('-l', String(options.last))
  await run('pdftoppm', [...args, input, join(dir, 'page')])
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.png'))
    .sort()
    .map((name) => join(dir, name))
  return { files, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The QR codes zbar finds in an image file, one string per symbol. */
export async function decodeQrFile(file: string): Promise<string[]> {
  try {
    const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file])
    return stdout.split('\n').filter((line) => line !== '')
  } catch (error) {
    // zbarimg exits with 4 when the image holds no symbol.
    if ((error as { code?: number }).code === 4) return []
    throw error
  }
}

/** The QR codes on each page of a PDF. */
export async function decodePdf(pdf: Buffer, options: { dpi?: number; first?: number; last?: number } = {}): Promise<string[][]> {
  const { files, cleanup } = await renderPages(pdf, options)
  try {
    const pages: string[][] = []
    for (const file of files) pages.push(await decodeQrFile(file))
    return pages
  } finally {
    cleanup()
  }
}

/**
 * Decodes a QR from a PNG's pixels with jsQR (a second, independent decoder), optionally
 * only inside a rectangle given in millimetres on a page rendered at `dpi`.
 */
export function decodePngRegion(png: Buffer, dpi: number, region?: { x: number; y: number; width: number; height: number }): string | undefined {
  const image = PNG.sync.read(png)
  const px = (millimetres: number) => Math.round((millimetres / 25.4) * dpi)
  const left = region ? px(region.x) : 0
  const top = region ? px(region.y) : 0
  const width = region ? Math.min(px(region.width), image.width - left) : image.width
  const height = region ? Math.min(px(region.height), image.height - top) : image.height
  const pixels = new Uint8ClampedArray(width * height * 4)
  for (let row = 0; row < height; row++) {
    const from = ((top + row) * image.width + left) * 4
    pixels.set(image.data.subarray(from, from + width * 4), row * width * 4)
  }
  return jsQR(pixels, width, height)?.data
}

/** The printed width of the QR symbol (finder pattern edge to edge, no quiet zone) in millimetres. */
export function qrWidthMm(png: Buffer, dpi: number): number | undefined {
  const image = PNG.sync.read(png)
  const found = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)
  if (!found) return undefined
  // The corners jsQR reports are the symbol's outer corners.
  const px = Math.hypot(found.location.topRightCorner.x - found.location.topLeftCorner.x, found.location.topRightCorner.y - found.location.topLeftCorner.y)
  return (px / dpi) * 25.4
}

async function pdftotext(pdf: Buffer, options: string[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'leervraag-pdf-'))
  try {
    writeFileSync(join(dir, 'in.pdf'), pdf)
    await run('pdftotext', [...options, '-enc', 'UTF-8', join(dir, 'in.pdf'), join(dir, 'out.txt')])
    return readFileSync(join(dir, 'out.txt'), 'utf8')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The text of a PDF as a reader's copy-paste would give it (poppler's pdftotext); `crop` in points. */
export function pdfText(pdf: Buffer, crop?: { x: number; y: number; width: number; height: number }): Promise<string> {
  return pdftotext(pdf, crop ? ['-x', String(crop.x), '-y', String(crop.y), '-W', String(crop.width), '-H', String(crop.height)] : [])
}

/**
 * pdftotext -raw: the text in the order it is drawn, one table row (a label and its figure)
 * per line. (-layout would join "< 5" into "<5": poppler drops the space after a
 * one-character word.)
 */
export function pdfLines(pdf: Buffer): Promise<string> {
  return pdftotext(pdf, ['-raw'])
}
