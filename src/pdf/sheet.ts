import PDFDocument from 'pdfkit'
import type { Language } from '../i18n/i18n.ts'
import { printable, type PosterFont } from './fonts.ts'

/**
 * A4 pages drawn at absolute positions, in fixed bands (the dashboard report, the
 * digest). Every line is cut with "…" to its width and every paragraph to its number of
 * lines: text that wraps past its room is what would make pdfkit start a second page.
 */

export const a4 = { width: 595.28, height: 841.89 }

export const ink = '#1b1b1b'
export const soft = '#4a4a4a'
export const accent = '#0b5a4a'

export type Face = 'regular' | 'bold'

export interface SheetInput {
  title: string
  lang: Language
  generatedAt: Date
  font: PosterFont
}

/** A document with its first A4 page added, the font registered as `regular` and `bold`. */
export function a4Sheet(input: SheetInput): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    size: 'A4',
    lang: input.lang === 'en' ? 'en-GB' : `${input.lang}-BE`,
    displayTitle: true,
    info: { Title: printable(input.title, input.font), Creator: 'Leervraag', CreationDate: input.generatedAt },
    pdfVersion: '1.7',
  })
  // A parsed font shared by every document (see fonts.ts); pdfkit subsets what is used.
  doc.registerFont('regular', input.font.regular as unknown as PDFKit.Mixins.PDFFontSource)
  doc.registerFont('bold', input.font.bold as unknown as PDFKit.Mixins.PDFFontSource)
  addSheetPage(doc)
  return doc
}

/** Another A4 page of the same sheet (the report's back side), drawn at absolute positions like the first. */
export function addSheetPage(doc: PDFKit.PDFDocument): void {
  doc.addPage({ size: [a4.width, a4.height], margin: 0 })
}

export interface SheetWriter {
  doc: PDFKit.PDFDocument
  /** One line, never wrapped, cut with "…" to `width`. */
  line(text: string, x: number, y: number, width: number, size: number, options?: { face?: Face; color?: string; align?: 'left' | 'right' | 'center' }): void
  /** A wrapped paragraph of at most `maxLines`; returns the height used. */
  paragraph(text: string, x: number, y: number, width: number, size: number, maxLines: number, options?: { face?: Face; color?: string }): number
}

/** Writes on `doc`; `clean` makes each text printable in the document's font (see `printable`). */
export function sheetWriter(doc: PDFKit.PDFDocument, clean: (text: string) => string): SheetWriter {
  const fit = (text: string, width: number) => {
    if (doc.widthOfString(text) <= width) return text
    let cut = text
    while (cut.length > 1 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1)
    return `${cut.trimEnd()}…`
  }
  return {
    doc,
    line(text, x, y, width, size, options = {}) {
      doc.font(options.face ?? 'regular').fontSize(size).fillColor(options.color ?? ink)
      const fitted = fit(clean(text), width)
      const w = doc.widthOfString(fitted)
      const left = options.align === 'right' ? x + width - w : options.align === 'center' ? x + (width - w) / 2 : x
      doc.text(fitted, left, y, { lineBreak: false })
    },
    paragraph(text, x, y, width, size, maxLines, options = {}) {
      doc.font(options.face ?? 'regular').fontSize(size).fillColor(options.color ?? ink)
      const body = clean(text)
      const lineHeight = doc.currentLineHeight(true)
      const height = Math.min(doc.heightOfString(body, { width }), lineHeight * maxLines)
      // A height makes pdfkit stop (with an ellipsis) instead of starting a second page.
      doc.text(body, x, y, { width, height: height + 0.5, ellipsis: true })
      return height
    },
  }
}
