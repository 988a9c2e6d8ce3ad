import PDFDocument from 'pdfkit'
import { documentBuffer } from '../pdf/document.ts'
import { posterFont, type PosterFont } from '../pdf/fonts.ts'
import { isStickerFormat, labelsPerSheet } from './layouts.ts'
import { colors, type MeasureWidth, type PageLayout, type PosterContent, posterPage, type PrintOptions, type Shape, stickerAt, stickerSheet } from './poster-layout.ts'
import { quietZone, withQuietZone } from './qr-vector.ts'

/**
 * The pdfkit renderer: draws a poster's layout (poster-layout.ts) as a vector PDF. Text is
 * drawn line by line where the layout put it; pdfkit wraps nothing.
 */

export { type PosterContent, type PrintOptions, posterLanguages } from './poster-layout.ts'

/** A document with the poster fonts registered under the names the layout uses. */
export function newPosterDocument(title: string, font: PosterFont = posterFont): PDFKit.PDFDocument {
  const doc = new PDFDocument({ autoFirstPage: false, margin: 0, info: { Title: title, Creator: 'Leervraag' }, pdfVersion: '1.7' })
  // pdfkit ≥ 0.18 takes a parsed fontkit font as a source (its typings only list files).
  doc.registerFont('regular', font.regular as unknown as PDFKit.Mixins.PDFFontSource)
  doc.registerFont('bold', font.bold as unknown as PDFKit.Mixins.PDFFontSource)
  return doc
}

/** Widths as this document's fonts measure them: exactly what it will draw. */
export function measureWith(doc: PDFKit.PDFDocument): MeasureWidth {
  return (text, weight, size) => doc.font(weight).fontSize(size).widthOfString(text)
}

/**
 * The QR as filled rectangles, one per horizontal run of dark modules, in one path: a
 * vector shape that stays sharp at any size; the quiet zone is left blank.
 */
function drawQr(doc: PDFKit.PDFDocument, shape: Extract<Shape, { kind: 'qr' }>): void {
  const module = shape.side / withQuietZone(shape.symbol)
  const left = shape.x + quietZone * module
  const top = shape.y + quietZone * module
  for (const run of shape.symbol.runs) doc.rect(left + run.column * module, top + run.row * module, run.length * module, module)
  doc.fillColor(colors.qr).fill()
}

function draw(doc: PDFKit.PDFDocument, shapes: readonly Shape[]): void {
  for (const shape of shapes) {
    switch (shape.kind) {
      case 'rect':
        doc.rect(shape.x, shape.y, shape.w, shape.h).fillColor(shape.fill).fill()
        break
      case 'line':
        doc.save()
        doc.moveTo(shape.x1, shape.y1).lineTo(shape.x2, shape.y2).lineWidth(shape.width)
        if (shape.dash !== undefined) doc.dash(shape.dash, { space: shape.dash })
        doc.strokeColor(shape.color).stroke()
        doc.undash()
        doc.restore()
        break
      case 'qr':
        drawQr(doc, shape)
        break
      case 'text':
        doc.font(shape.weight).fontSize(shape.size).fillColor(shape.color)
        doc.text(shape.text, shape.x, shape.baseline, { lineBreak: false, baseline: 'alphabetic' })
        break
      case 'group':
        doc.save()
        if (shape.translate) doc.translate(shape.translate.x, shape.translate.y)
        if (shape.turn) doc.rotate(180, { origin: [shape.turn.x, shape.turn.y] })
        draw(doc, shape.shapes)
        doc.restore()
        break
    }
  }
}

function addPage(doc: PDFKit.PDFDocument, page: PageLayout): void {
  doc.addPage({ size: [page.width, page.height], margin: 0 })
  draw(doc, page.shapes)
}

/**
 * Adds one poster's page to a document: one page for the posters, the flyer and the
 * tent, one full sheet of identical stickers for a sticker format.
 */
export function addPosterPages(doc: PDFKit.PDFDocument, poster: PosterContent, options: PrintOptions): void {
  addPage(doc, posterPage(poster, options, measureWith(doc)))
}

/**
 * Batches of stickers with one sticker per poster: fills the sheet label by label, and
 * starts a new sheet when it is full. Returns the next free label.
 */
export function addPosterSticker(doc: PDFKit.PDFDocument, poster: PosterContent, options: PrintOptions, label: number): number {
  const format = options.format
  if (!isStickerFormat(format)) throw new TypeError(`${format} is not a sticker format`)
  const sheet = stickerSheet(format)
  const perSheet = labelsPerSheet(format)
  if (label % perSheet === 0) addPage(doc, sheet)
  draw(doc, [stickerAt(poster, options, format, label % perSheet, measureWith(doc))])
  return label + 1
}

/** One poster as a PDF in memory (a few tens of kilobytes). */
export function posterPdf(poster: PosterContent, options: PrintOptions): Promise<Buffer> {
  const doc = newPosterDocument(`${poster.activityTitle} — ${poster.locationName}`)
  addPosterPages(doc, poster, options)
  return documentBuffer(doc)
}
