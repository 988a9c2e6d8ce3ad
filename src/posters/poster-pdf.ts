import PDFDocument from 'pdfkit'
import type { Audience } from '../db/types.ts'
import { type Language, languageCodes, type MessageKey, translator } from '../i18n/i18n.ts'
import { posterFont, printable, type PosterFont } from './fonts.ts'
import {
  labelPositions,
  labelStocks,
  type LabelStock,
  isPosterFormat,
  isStickerFormat,
  mm,
  pageSize,
  paper,
  type PosterFormat,
} from './layouts.ts'
import { type ErrorCorrection, qrUrl, shortUrl } from './qr.ts'
import { type QrSymbol, qrSymbol, quietZone, withQuietZone } from './qr-vector.ts'

/** What a poster says: one activity at one location, reached by its code. */
export interface PosterContent {
  code: string
  activityTitle: string
  locationName: string
  audience: Audience
}

export interface PrintOptions {
  format: PosterFormat
  /** The poster's language, or two for a bilingual poster (the first one leads). */
  languages: readonly [Language] | readonly [Language, Language]
  errorCorrection: ErrorCorrection
  publicBaseUrl: string
  /**
   * Sticker sheets only: `sheet` fills a whole sheet with one poster's stickers (the
   * default, a partner sticks them around one location); `one` gives each poster one
   * sticker, so a batch of 21 posters fits one 21-up sheet.
   */
  stickers?: 'sheet' | 'one'
}

const ink = '#1a1a1a'
const soft = '#4d4d4d'
const accent = '#00695c'

/** The message keys printed on a poster; a language is offered only if the font covers them all. */
const posterKeys: MessageKey[] = ['app.name', 'step1.question', 'step1.question.children', 'step1.hint', 'poster.scan', 'poster.code', 'poster.fold']

/**
 * The languages a poster can be printed in: those whose poster texts the embedded font
 * can draw. A language in a script the font lacks (Arabic, Tigrinya…) is left out, and
 * the poster page says so, rather than printing empty boxes.
 */
export function posterLanguages(font: PosterFont = posterFont): Language[] {
  return languageCodes.filter((language) => {
    const t = translator(language)
    return posterKeys.every((key) => font.covers(t(key, { code: 'ABCDEF' })))
  })
}

/** The texts of one poster, per language, ready to draw. */
interface PosterTexts {
  brand: string
  question: string[]
  scan: string[]
  hint: string[]
  fold: string
  url: string
  codeLine: string
  activity: string
  location: string
  qr: QrSymbol
}

function posterTexts(poster: PosterContent, options: PrintOptions): PosterTexts {
  const ts = options.languages.map((language) => translator(language))
  const first = ts[0]!
  const questionKey: MessageKey = poster.audience === 'children' ? 'step1.question.children' : 'step1.question'
  return {
    brand: first('app.name'),
    question: ts.map((t) => t(questionKey)),
    scan: ts.map((t) => t('poster.scan')),
    hint: ts.map((t) => t('step1.hint')),
    fold: ts.map((t) => t('poster.fold')).join(' · '),
    url: shortUrl(options.publicBaseUrl, poster.code),
    codeLine: first('poster.code', { code: poster.code }),
    activity: printable(poster.activityTitle),
    location: printable(poster.locationName),
    qr: qrSymbol(qrUrl(options.publicBaseUrl, poster.code), options.errorCorrection),
  }
}

/** A rectangle in points. */
interface Box {
  x: number
  y: number
  w: number
  h: number
}

/** One run of text in a stack: the first language bold and larger, the second lighter. */
interface Line {
  text: string
  bold?: boolean
  /** Relative to the stack's size. */
  scale?: number
  color?: string
}

interface StackStyle {
  max: number
  min: number
  align?: 'left' | 'center' | 'right'
  valign?: 'top' | 'center' | 'bottom'
  /** Space between the lines of a stack, as a share of the size. */
  gap?: number
}

/**
 * Draws lines of text into a box at the largest size (between max and min) at which they
 * all fit, so that a long activity name or a wordy language shrinks instead of running
 * into the QR. Below the minimum, pdfkit's `height` cuts the text off with an ellipsis:
 * nothing ever leaves its box.
 */
function drawStack(doc: PDFKit.PDFDocument, lines: Line[], box: Box, style: StackStyle, sizes?: Map<string, number>): void {
  const present = lines.filter((line) => line.text !== '')
  if (present.length === 0) return
  const gapShare = style.gap ?? 0.25
  const measure = (size: number) =>
    present.reduce((sum, line, index) => {
      const lineSize = size * (line.scale ?? 1)
      doc.font(line.bold ? 'bold' : 'regular').fontSize(lineSize)
      return sum + doc.heightOfString(line.text, { width: box.w, lineGap: 0 }) + (index > 0 ? size * gapShare : 0)
    }, 0)
  // A sheet repeats the same sticker: its sizes are measured once (`sizes`), not 21 times.
  const key = sizes && `${box.w}|${box.h}|${style.max}|${present.map((line) => line.text).join('\n')}`
  let size = key !== undefined ? (sizes!.get(key) ?? style.max) : style.max
  let height = measure(size)
  while (height > box.h && size > style.min) {
    size = Math.max(style.min, size * 0.93)
    height = measure(size)
  }
  if (key !== undefined) sizes!.set(key, size)
  let y = box.y
  if (style.valign === 'center') y += Math.max(0, (box.h - height) / 2)
  if (style.valign === 'bottom') y += Math.max(0, box.h - height)
  for (const [index, line] of present.entries()) {
    if (index > 0) y += size * gapShare
    const lineSize = size * (line.scale ?? 1)
    const room = box.y + box.h - y
    if (room < lineSize) break
    doc.font(line.bold ? 'bold' : 'regular').fontSize(lineSize).fillColor(line.color ?? ink)
    const used = Math.min(room, doc.heightOfString(line.text, { width: box.w, lineGap: 0 }))
    doc.text(line.text, box.x, y, { width: box.w, height: room, align: style.align ?? 'left', lineGap: 0, ellipsis: true })
    y += used
  }
}

/** The question, scan line and hint in one or two languages: the first bold, the second lighter. */
function bilingual(texts: string[], firstBold: boolean): Line[] {
  return texts.map((text, index) => (index === 0 ? { text, bold: firstBold } : { text, bold: false, scale: 0.8, color: soft }))
}

/**
 * The QR as filled rectangles, one per horizontal run of dark modules, in one path: a
 * vector shape that stays sharp at any size. `box` is the symbol with its quiet zone, a
 * square whose margin of 4 modules is left blank (ISO/IEC 18004 §6.3.8).
 */
function drawQr(doc: PDFKit.PDFDocument, symbol: QrSymbol, x: number, y: number, side: number): void {
  const module = side / withQuietZone(symbol)
  const left = x + quietZone * module
  const top = y + quietZone * module
  for (const run of symbol.runs) doc.rect(left + run.column * module, top + run.row * module, run.length * module, module)
  doc.fillColor('#000000').fill()
}

/**
 * A4/A3/A5 portrait. Designed on A4 in millimetres and scaled to the page: the QR with
 * its quiet zone is 118 mm wide on A4 (the symbol itself 8.9 cm at version 2, 9.3 cm at
 * version 3), 167 mm on A3 (symbol 12.6–13.1 cm), 83 mm on A5.
 */
function drawPortrait(doc: PDFKit.PDFDocument, texts: PosterTexts, widthMm: number): void {
  const k = widthMm / paper.a4.width
  const box = (x: number, y: number, w: number, h: number): Box => ({ x: mm(x * k), y: mm(y * k), w: mm(w * k), h: mm(h * k) })
  const margin = 14
  const inner = paper.a4.width - 2 * margin
  const pt = (size: number) => size * k

  doc.rect(0, 0, mm(widthMm), mm(8 * k)).fillColor(accent).fill()
  drawStack(doc, [{ text: texts.brand, bold: true, color: accent }], box(margin, 12, inner, 8), { max: pt(12), min: pt(8) })
  drawStack(doc, bilingual(texts.question, true), box(margin, 22, inner, 59), { max: pt(36), min: pt(12), align: 'center', valign: 'center' })
  drawStack(doc, bilingual(texts.scan, false), box(margin, 84, inner, 13), { max: pt(13), min: pt(7), align: 'center', valign: 'bottom' })
  const qrSide = 118
  drawQr(doc, texts.qr, mm(((paper.a4.width - qrSide) / 2) * k), mm(97 * k), mm(qrSide * k))
  // Under the QR, outside its quiet zone: the address and the code, for people who type.
  drawStack(doc, [{ text: texts.url, bold: true }], box(margin, 215, inner, 10), { max: pt(22), min: pt(10), align: 'center' })
  drawStack(doc, [{ text: texts.codeLine, color: soft }], box(margin, 225, inner, 7), { max: pt(14), min: pt(8), align: 'center' })
  doc.moveTo(mm(60 * k), mm(236 * k)).lineTo(mm(150 * k), mm(236 * k)).lineWidth(pt(0.8)).strokeColor(accent).stroke()
  drawStack(doc, [{ text: texts.activity, bold: true }], box(margin, 240, inner, 18), { max: pt(24), min: pt(10), align: 'center', valign: 'bottom' })
  drawStack(doc, [{ text: texts.location }], box(margin, 259, inner, 11), { max: pt(16), min: pt(8), align: 'center' })
  drawStack(doc, bilingual(texts.hint, false).map((line) => ({ ...line, color: soft })), box(margin, 271, inner, 12), { max: pt(10), min: pt(6), align: 'center', gap: 0.1 })
}

/**
 * One face of the table tent: A5 landscape (210 × 148.5 mm), QR on the left, text on
 * the right. `x`, `y` is the face's top-left corner in points.
 */
function drawTentFace(doc: PDFKit.PDFDocument, texts: PosterTexts, x: number, y: number): void {
  const box = (bx: number, by: number, w: number, h: number): Box => ({ x: x + mm(bx), y: y + mm(by), w: mm(w), h: mm(h) })
  const qrSide = 94
  drawQr(doc, texts.qr, x + mm(10), y + mm(10), mm(qrSide))
  drawStack(doc, [{ text: texts.url, bold: true }], box(8, 106, qrSide + 4, 9), { max: 15, min: 8, align: 'center' })
  drawStack(doc, [{ text: texts.codeLine, color: soft }], box(8, 115, qrSide + 4, 7), { max: 11, min: 7, align: 'center' })
  const right = 112
  const width = 210 - right - 10
  drawStack(doc, [{ text: texts.brand, bold: true, color: accent }], box(right, 12, width, 7), { max: 11, min: 8 })
  drawStack(doc, bilingual(texts.question, true), box(right, 21, width, 52), { max: 24, min: 10, valign: 'center' })
  drawStack(doc, bilingual(texts.scan, false), box(right, 75, width, 12), { max: 11, min: 7 })
  drawStack(doc, [{ text: texts.activity, bold: true }], box(right, 91, width, 14), { max: 16, min: 8, valign: 'bottom' })
  drawStack(doc, [{ text: texts.location }], box(right, 106, width, 8), { max: 12, min: 7 })
  drawStack(doc, bilingual(texts.hint, false).map((line) => ({ ...line, color: soft })), box(right, 117, width, 14), { max: 9, min: 6, gap: 0.1 })
}

/**
 * The table tent: an A4 sheet folded across the middle into two A5 faces. The lower
 * half reads upright; the upper half is printed turned 180°, so that after folding it
 * reads upright from the other side of the table.
 */
function drawTent(doc: PDFKit.PDFDocument, texts: PosterTexts): void {
  const width = mm(paper.a4.width)
  const half = mm(paper.a4.height) / 2
  drawTentFace(doc, texts, 0, half)
  doc.save()
  doc.rotate(180, { origin: [width / 2, half / 2] })
  drawTentFace(doc, texts, 0, 0)
  doc.restore()
  doc.save()
  doc.moveTo(mm(6), half).lineTo(width - mm(6), half).lineWidth(0.5).dash(4, { space: 4 }).strokeColor('#9e9e9e').stroke()
  doc.undash()
  doc.restore()
  drawStack(doc, [{ text: texts.fold, color: '#9e9e9e' }], { x: mm(6), y: half + 2, w: width - mm(12), h: 9 }, { max: 6, min: 5, align: 'right' })
}

/**
 * One sticker: the QR with its quiet zone as large as the label's height allows, the
 * words beside it. On a 38.1 mm label the QR with quiet zone is 37 mm (the symbol about
 * 28 mm); on a 67.7 mm label it is 57 mm.
 */
function drawSticker(doc: PDFKit.PDFDocument, texts: PosterTexts, stock: LabelStock, x: number, y: number, sizes?: Map<string, number>): void {
  const qrSide = Math.min(stock.height - 1, stock.width * 0.58)
  drawQr(doc, texts.qr, mm(x + 0.5), mm(y + (stock.height - qrSide) / 2), mm(qrSide))
  const left = x + qrSide + 1
  const width = stock.width - qrSide - 1 - 2.5
  const top = y + 2.5
  const height = stock.height - 5
  const scale = stock.height / 38.1
  const part = (from: number, share: number): Box => ({ x: mm(left), y: mm(top + height * from), w: mm(width), h: mm(height * share) })
  // The address breaks after the host, where a reader expects it, not at a random letter.
  const slash = texts.url.indexOf('/')
  const url = slash > 0 ? `${texts.url.slice(0, slash)}\n${texts.url.slice(slash)}` : texts.url
  drawStack(doc, [{ text: texts.activity, bold: true }], part(0, 0.2), { max: 8 * scale, min: 4.5 }, sizes)
  drawStack(doc, [{ text: texts.location }], part(0.2, 0.13), { max: 7 * scale, min: 4 }, sizes)
  drawStack(doc, bilingual(texts.question, true), part(0.35, 0.37), { max: 8 * scale, min: 4, valign: 'center', gap: 0.15 }, sizes)
  drawStack(doc, [{ text: url, bold: true }], part(0.73, 0.17), { max: 6.5 * scale, min: 4 }, sizes)
  drawStack(doc, [{ text: texts.codeLine, color: soft }], part(0.9, 0.1), { max: 6 * scale, min: 4 }, sizes)
}

/** A document with the poster fonts registered under the names the drawing code uses. */
export function newPosterDocument(title: string, font: PosterFont = posterFont): PDFKit.PDFDocument {
  const doc = new PDFDocument({ autoFirstPage: false, margin: 0, info: { Title: title, Creator: 'Leervraag' }, pdfVersion: '1.7' })
  // pdfkit ≥ 0.18 takes a parsed fontkit font as a source (its typings only list files).
  doc.registerFont('regular', font.regular as unknown as PDFKit.Mixins.PDFFontSource)
  doc.registerFont('bold', font.bold as unknown as PDFKit.Mixins.PDFFontSource)
  return doc
}

function addPage(doc: PDFKit.PDFDocument, format: PosterFormat): void {
  const size = pageSize(format)
  doc.addPage({ size: [mm(size.width), mm(size.height)], margin: 0 })
}

/**
 * Adds one poster's page(s) to a document: one page for the posters, the flyer and the
 * tent, one full sheet of identical stickers for a sticker format.
 */
export function addPosterPages(doc: PDFKit.PDFDocument, poster: PosterContent, options: PrintOptions): void {
  const format = options.format
  if (!isPosterFormat(format)) throw new TypeError(`unknown poster format ${String(format)}`)
  const texts = posterTexts(poster, options)
  addPage(doc, format)
  if (format === 'tent') drawTent(doc, texts)
  else if (isStickerFormat(format)) {
    const stock: LabelStock = labelStocks[format]
    const sizes = new Map<string, number>()
    for (const at of labelPositions(stock)) drawSticker(doc, texts, stock, at.x, at.y, sizes)
  } else drawPortrait(doc, texts, pageSize(format).width)
}

/**
 * Batches of stickers with one sticker per poster: fills the sheet label by label, and
 * starts a new sheet when it is full. Returns the next free label.
 */
export function addPosterSticker(doc: PDFKit.PDFDocument, poster: PosterContent, options: PrintOptions, label: number): number {
  const format = options.format
  if (!isStickerFormat(format)) throw new TypeError(`${format} is not a sticker format`)
  const stock: LabelStock = labelStocks[format]
  const positions = labelPositions(stock)
  if (label % positions.length === 0) addPage(doc, format)
  const at = positions[label % positions.length]!
  drawSticker(doc, posterTexts(poster, options), stock, at.x, at.y)
  return label + 1
}

/** Collects a finished document into one buffer. */
export function documentBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    doc.on('data', (chunk: Buffer) => chunks.push(chunk))
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
    doc.end()
  })
}

/** One poster as a PDF in memory (a few tens of kilobytes). */
export function posterPdf(poster: PosterContent, options: PrintOptions): Promise<Buffer> {
  const doc = newPosterDocument(`${poster.activityTitle} — ${poster.locationName}`)
  addPosterPages(doc, poster, options)
  return documentBuffer(doc)
}
