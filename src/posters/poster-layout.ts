import type { Audience } from '../db/types.ts'
import { type Language, languageCodes, type MessageKey, translator } from '../i18n/i18n.ts'
import { type FontMetrics, posterFont, printable, type PosterFont } from '../pdf/fonts.ts'
import { labelPositions, labelStocks, type LabelStock, isPosterFormat, isStickerFormat, mm, pageSize, paper, type PosterFormat, type StickerFormat } from './layouts.ts'
import { type ErrorCorrection, qrUrl, shortUrl } from './qr.ts'
import { type QrSymbol, qrSymbol } from './qr-vector.ts'

/**
 * A poster as a list of shapes on a page, in points: the one description of what a poster
 * looks like. The PDF renderer (poster-pdf.ts) and the SVG preview (poster-svg.ts) only
 * draw these shapes, so the preview on the print page is the printed poster, line breaks
 * and shrunken titles included. Text is broken into lines here, with the poster font's own
 * widths, so that neither renderer wraps text by itself.
 */

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

export type Weight = 'regular' | 'bold'

export type Shape =
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: string }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color: string; dash?: number }
  /** The symbol with its quiet zone fills the square `side` × `side` at x, y. */
  | { kind: 'qr'; symbol: QrSymbol; x: number; y: number; side: number }
  /** One line of text, already broken: `x` is its left end, `baseline` its baseline, `width` as measured. */
  | { kind: 'text'; text: string; x: number; baseline: number; size: number; weight: Weight; color: string; width: number }
  /** Shapes moved by `translate`, then turned 180° about `turn` (the tent's upper face). */
  | { kind: 'group'; translate?: { x: number; y: number }; turn?: { x: number; y: number }; shapes: Shape[] }

export interface PageLayout {
  width: number
  height: number
  shapes: Shape[]
}

/** How wide a text is in the poster font; a PDF document measures with the font it embeds. */
export type MeasureWidth = (text: string, weight: Weight, size: number) => number

export const colors = { ink: '#1a1a1a', soft: '#4d4d4d', accent: '#00695c', fold: '#9e9e9e', qr: '#000000' } as const

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

/** The texts of one poster, per language, ready to lay out. */
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

const ellipsis = '…'

/** Lays out shapes with one font and one way of measuring. */
class Composer {
  readonly shapes: Shape[] = []
  readonly #measure: MeasureWidth
  readonly #metrics: Record<Weight, FontMetrics>
  /** A sheet repeats the same sticker: its sizes are fitted once, not 21 times. */
  readonly #fitted = new Map<string, number>()

  constructor(measure: MeasureWidth, font: PosterFont) {
    this.#measure = measure
    this.#metrics = font.metrics
  }

  #lineHeight(weight: Weight, size: number): number {
    const m = this.#metrics[weight]
    return (m.ascent - m.descent + m.lineGap) * size
  }

  /**
   * Greedy line breaking at spaces (and at `\n`), as pdfkit's own wrapper does; a word
   * wider than the box is broken between letters.
   */
  #wrap(text: string, weight: Weight, size: number, width: number): string[] {
    const lines: string[] = []
    const fits = (candidate: string) => this.#measure(candidate, weight, size) <= width
    for (const paragraph of text.split('\n')) {
      let current = ''
      for (const word of paragraph.split(/ +/).filter((part) => part !== '')) {
        const candidate = current === '' ? word : `${current} ${word}`
        if (fits(candidate)) {
          current = candidate
          continue
        }
        if (current !== '') lines.push(current)
        current = ''
        let rest = word
        while (!fits(rest) && rest.length > 1) {
          let cut = rest.length - 1
          while (cut > 1 && !fits(rest.slice(0, cut))) cut--
          lines.push(rest.slice(0, cut))
          rest = rest.slice(cut)
        }
        current = rest
      }
      lines.push(current)
    }
    return lines
  }

  #cutWithEllipsis(text: string, weight: Weight, size: number, width: number): string {
    let cut = text
    while (cut !== '' && this.#measure(cut + ellipsis, weight, size) > width) cut = cut.slice(0, -1)
    return cut.replace(/\s+$/, '') + ellipsis
  }

  /**
   * Lines of text in a box at the largest size (between max and min) at which they all
   * fit, so that a long activity name or a wordy language shrinks instead of running into
   * the QR. Below the minimum the text is cut off with an ellipsis: nothing leaves its box.
   */
  stack(lines: Line[], box: Box, style: StackStyle, fitOnce = false): void {
    const present = lines.filter((line) => line.text !== '')
    if (present.length === 0) return
    const gapShare = style.gap ?? 0.25
    const weightOf = (line: Line): Weight => (line.bold ? 'bold' : 'regular')
    const measure = (size: number) =>
      present.reduce((sum, line, index) => {
        const lineSize = size * (line.scale ?? 1)
        const count = this.#wrap(line.text, weightOf(line), lineSize, box.w).length
        return sum + count * this.#lineHeight(weightOf(line), lineSize) + (index > 0 ? size * gapShare : 0)
      }, 0)
    const key = fitOnce ? `${box.w}|${box.h}|${style.max}|${present.map((line) => line.text).join('\n')}` : undefined
    let size = (key !== undefined ? this.#fitted.get(key) : undefined) ?? style.max
    let height = measure(size)
    while (height > box.h && size > style.min) {
      size = Math.max(style.min, size * 0.93)
      height = measure(size)
    }
    if (key !== undefined) this.#fitted.set(key, size)
    let y = box.y
    if (style.valign === 'center') y += Math.max(0, (box.h - height) / 2)
    if (style.valign === 'bottom') y += Math.max(0, box.h - height)
    for (const [index, line] of present.entries()) {
      if (index > 0) y += size * gapShare
      const weight = weightOf(line)
      const lineSize = size * (line.scale ?? 1)
      const lineHeight = this.#lineHeight(weight, lineSize)
      const room = box.y + box.h - y
      const fitting = Math.floor((room + 0.01) / lineHeight)
      if (fitting < 1) break
      let wrapped = this.#wrap(line.text, weight, lineSize, box.w)
      if (wrapped.length > fitting) {
        wrapped = wrapped.slice(0, fitting)
        wrapped[fitting - 1] = this.#cutWithEllipsis(wrapped[fitting - 1]!, weight, lineSize, box.w)
      }
      for (const text of wrapped) {
        const width = this.#measure(text, weight, lineSize)
        const align = style.align ?? 'left'
        const x = align === 'left' ? box.x : align === 'center' ? box.x + (box.w - width) / 2 : box.x + box.w - width
        if (text !== '') this.shapes.push({ kind: 'text', text, x, baseline: y + this.#metrics[weight].ascent * lineSize, size: lineSize, weight, color: line.color ?? colors.ink, width })
        y += lineHeight
      }
    }
  }

  rect(x: number, y: number, w: number, h: number, fill: string): void {
    this.shapes.push({ kind: 'rect', x, y, w, h, fill })
  }

  /** The QR with its quiet zone of 4 modules (ISO/IEC 18004 §6.3.8) in a square of `side`. */
  qr(symbol: QrSymbol, x: number, y: number, side: number): void {
    this.shapes.push({ kind: 'qr', symbol, x, y, side })
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, color: string, dash?: number): void {
    this.shapes.push({ kind: 'line', x1, y1, x2, y2, width, color, ...(dash !== undefined ? { dash } : {}) })
  }

  /** Collects the shapes laid out by `draw` into a group. */
  group(frame: { translate?: { x: number; y: number }; turn?: { x: number; y: number } }, draw: () => void): void {
    const before = this.shapes.length
    draw()
    const shapes = this.shapes.splice(before)
    this.shapes.push({ kind: 'group', ...frame, shapes })
  }
}

/** The question, scan line and hint in one or two languages: the first bold, the second lighter. */
function bilingual(texts: string[], firstBold: boolean): Line[] {
  return texts.map((text, index) => (index === 0 ? { text, bold: firstBold } : { text, bold: false, scale: 0.8, color: colors.soft }))
}

/**
 * A4/A3/A5 portrait. Designed on A4 in millimetres and scaled to the page: the QR with
 * its quiet zone is 118 mm wide on A4 (the symbol itself 8.9 cm at version 2, 9.3 cm at
 * version 3), 167 mm on A3 (symbol 12.6–13.1 cm), 83 mm on A5.
 */
function portrait(c: Composer, texts: PosterTexts, widthMm: number): void {
  const k = widthMm / paper.a4.width
  const box = (x: number, y: number, w: number, h: number): Box => ({ x: mm(x * k), y: mm(y * k), w: mm(w * k), h: mm(h * k) })
  const margin = 14
  const inner = paper.a4.width - 2 * margin
  const pt = (size: number) => size * k

  c.rect(0, 0, mm(widthMm), mm(8 * k), colors.accent)
  c.stack([{ text: texts.brand, bold: true, color: colors.accent }], box(margin, 12, inner, 8), { max: pt(12), min: pt(8) })
  c.stack(bilingual(texts.question, true), box(margin, 22, inner, 59), { max: pt(36), min: pt(12), align: 'center', valign: 'center' })
  c.stack(bilingual(texts.scan, false), box(margin, 84, inner, 13), { max: pt(13), min: pt(7), align: 'center', valign: 'bottom' })
  const qrSide = 118
  c.qr(texts.qr, mm(((paper.a4.width - qrSide) / 2) * k), mm(97 * k), mm(qrSide * k))
  // Under the QR, outside its quiet zone: the address and the code, for people who type.
  c.stack([{ text: texts.url, bold: true }], box(margin, 215, inner, 10), { max: pt(22), min: pt(10), align: 'center' })
  c.stack([{ text: texts.codeLine, color: colors.soft }], box(margin, 225, inner, 7), { max: pt(14), min: pt(8), align: 'center' })
  c.line(mm(60 * k), mm(236 * k), mm(150 * k), mm(236 * k), pt(0.8), colors.accent)
  c.stack([{ text: texts.activity, bold: true }], box(margin, 240, inner, 18), { max: pt(24), min: pt(10), align: 'center', valign: 'bottom' })
  c.stack([{ text: texts.location }], box(margin, 259, inner, 11), { max: pt(16), min: pt(8), align: 'center' })
  c.stack(bilingual(texts.hint, false).map((line) => ({ ...line, color: colors.soft })), box(margin, 271, inner, 12), { max: pt(10), min: pt(6), align: 'center', gap: 0.1 })
}

/** One face of the table tent: A5 landscape (210 × 148.5 mm), QR on the left, text on the right, from 0, 0. */
function tentFace(c: Composer, texts: PosterTexts): void {
  const box = (bx: number, by: number, w: number, h: number): Box => ({ x: mm(bx), y: mm(by), w: mm(w), h: mm(h) })
  const qrSide = 94
  c.qr(texts.qr, mm(10), mm(10), mm(qrSide))
  c.stack([{ text: texts.url, bold: true }], box(8, 106, qrSide + 4, 9), { max: 15, min: 8, align: 'center' })
  c.stack([{ text: texts.codeLine, color: colors.soft }], box(8, 115, qrSide + 4, 7), { max: 11, min: 7, align: 'center' })
  const right = 112
  const width = 210 - right - 10
  c.stack([{ text: texts.brand, bold: true, color: colors.accent }], box(right, 12, width, 7), { max: 11, min: 8 })
  c.stack(bilingual(texts.question, true), box(right, 21, width, 52), { max: 24, min: 10, valign: 'center' })
  c.stack(bilingual(texts.scan, false), box(right, 75, width, 12), { max: 11, min: 7 })
  c.stack([{ text: texts.activity, bold: true }], box(right, 91, width, 14), { max: 16, min: 8, valign: 'bottom' })
  c.stack([{ text: texts.location }], box(right, 106, width, 8), { max: 12, min: 7 })
  c.stack(bilingual(texts.hint, false).map((line) => ({ ...line, color: colors.soft })), box(right, 117, width, 14), { max: 9, min: 6, gap: 0.1 })
}

/**
 * The table tent: an A4 sheet folded across the middle into two A5 faces. The lower
 * half reads upright; the upper half is printed turned 180°, so that after folding it
 * reads upright from the other side of the table.
 */
function tent(c: Composer, texts: PosterTexts): void {
  const width = mm(paper.a4.width)
  const half = mm(paper.a4.height) / 2
  c.group({ translate: { x: 0, y: half } }, () => tentFace(c, texts))
  c.group({ turn: { x: width / 2, y: half / 2 } }, () => tentFace(c, texts))
  c.line(mm(6), half, width - mm(6), half, 0.5, colors.fold, 4)
  c.stack([{ text: texts.fold, color: colors.fold }], { x: mm(6), y: half + 2, w: width - mm(12), h: 9 }, { max: 6, min: 5, align: 'right' })
}

/**
 * One sticker from 0, 0: the QR with its quiet zone as large as the label's height
 * allows, the words beside it. On a 38.1 mm label the QR with quiet zone is 37 mm (the
 * symbol about 28 mm); on a 67.7 mm label it is 57 mm.
 */
function sticker(c: Composer, texts: PosterTexts, stock: LabelStock): void {
  const qrSide = Math.min(stock.height - 1, stock.width * 0.58)
  c.qr(texts.qr, mm(0.5), mm((stock.height - qrSide) / 2), mm(qrSide))
  const left = qrSide + 1
  const width = stock.width - qrSide - 1 - 2.5
  const top = 2.5
  const height = stock.height - 5
  const scale = stock.height / 38.1
  const part = (from: number, share: number): Box => ({ x: mm(left), y: mm(top + height * from), w: mm(width), h: mm(height * share) })
  // The address breaks after the host, where a reader expects it, not at a random letter.
  const slash = texts.url.indexOf('/')
  const url = slash > 0 ? `${texts.url.slice(0, slash)}\n${texts.url.slice(slash)}` : texts.url
  c.stack([{ text: texts.activity, bold: true }], part(0, 0.2), { max: 8 * scale, min: 4.5 }, true)
  c.stack([{ text: texts.location }], part(0.2, 0.13), { max: 7 * scale, min: 4 }, true)
  c.stack(bilingual(texts.question, true), part(0.35, 0.37), { max: 8 * scale, min: 4, valign: 'center', gap: 0.15 }, true)
  c.stack([{ text: url, bold: true }], part(0.73, 0.17), { max: 6.5 * scale, min: 4 }, true)
  c.stack([{ text: texts.codeLine, color: colors.soft }], part(0.9, 0.1), { max: 6 * scale, min: 4 }, true)
}

function blankPage(format: PosterFormat): Omit<PageLayout, 'shapes'> {
  const size = pageSize(format)
  return { width: mm(size.width), height: mm(size.height) }
}

/**
 * One poster's page: a poster, the flyer, the tent, or one full sheet of identical
 * stickers for a sticker format.
 */
export function posterPage(poster: PosterContent, options: PrintOptions, measure: MeasureWidth, font: PosterFont = posterFont): PageLayout {
  const format = options.format
  if (!isPosterFormat(format)) throw new TypeError(`unknown poster format ${String(format)}`)
  const texts = posterTexts(poster, options)
  const c = new Composer(measure, font)
  if (format === 'tent') tent(c, texts)
  else if (isStickerFormat(format)) {
    const stock: LabelStock = labelStocks[format]
    // One sticker laid out once, then placed on every label of the sheet.
    const one = new Composer(measure, font)
    sticker(one, texts, stock)
    for (const at of labelPositions(stock)) c.shapes.push({ kind: 'group', translate: { x: mm(at.x), y: mm(at.y) }, shapes: one.shapes })
  } else portrait(c, texts, pageSize(format).width)
  return { ...blankPage(format), shapes: c.shapes }
}

/** A blank sheet of a sticker stock, to fill label by label (one sticker per poster). */
export function stickerSheet(format: StickerFormat): PageLayout {
  return { ...blankPage(format), shapes: [] }
}

/** The shapes of one sticker placed on label `label` (0-based) of a sheet of `format`. */
export function stickerAt(poster: PosterContent, options: PrintOptions, format: StickerFormat, label: number, measure: MeasureWidth, font: PosterFont = posterFont): Shape {
  const stock: LabelStock = labelStocks[format]
  const at = labelPositions(stock)[label]!
  const c = new Composer(measure, font)
  sticker(c, posterTexts(poster, options), stock)
  return { kind: 'group', translate: { x: mm(at.x), y: mm(at.y) }, shapes: c.shapes }
}
