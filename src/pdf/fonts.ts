import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as fontkit from 'fontkit'

/**
 * The typeface printed on posters. pdfkit ships only the 14 standard PDF fonts, whose
 * WinAnsi encoding stops at Latin-1 (no ő, ł, ș, č…). Posters use Noto Sans, an open
 * font (SIL OFL) with Latin, Latin-1, Latin Extended, Greek, Cyrillic and Vietnamese,
 * taken from the npm package `@expo-google-fonts/noto-sans`; pdfkit embeds a subset of
 * the glyphs actually used.
 *
 * When that package is missing, posters fall back to Helvetica so that printing still
 * works, and `posterFont.embedded` is false: the coverage below then shrinks to WinAnsi,
 * and every language whose poster texts need more is not offered.
 */
const fontPackage = '@expo-google-fonts/noto-sans'

export interface PosterFont {
  /**
   * A parsed TrueType font, shared by every document, or the name of a standard PDF font.
   * Why shared: the first text laid out with a freshly parsed Noto Sans costs about
   * 400 ms (fontkit reads its large GSUB/GPOS tables once per font object); pdfkit would
   * parse the file anew for each document. With one parsed font, a poster takes 20–40 ms.
   */
  regular: fontkit.Font | string
  bold: fontkit.Font | string
  /** True when the open font is embedded; false on the Helvetica fallback. */
  embedded: boolean
  /** Whether every character of `text` has a glyph (whitespace always does). */
  covers(text: string): boolean
  /** Vertical metrics per point of size, to place lines on their baselines (the layout's, in both renderers). */
  metrics: { regular: FontMetrics; bold: FontMetrics }
}

/** Ascent above and descent below the baseline (negative), and the extra gap between lines, per point of size. */
export interface FontMetrics {
  ascent: number
  descent: number
  lineGap: number
}

function metricsOf(font: fontkit.Font): FontMetrics {
  return { ascent: font.ascent / font.unitsPerEm, descent: font.descent / font.unitsPerEm, lineGap: font.lineGap / font.unitsPerEm }
}

// Helvetica's AFM files (as pdfkit reads them): the gap is the bounding box's height less ascent and descent.
const helvetica: FontMetrics = { ascent: 0.718, descent: -0.207, lineGap: 0.231 }
const helveticaBold: FontMetrics = { ascent: 0.718, descent: -0.207, lineGap: 0.265 }

type Range = readonly [number, number]

// Noto Sans (Google Fonts build): Basic Latin to Latin Extended-B, IPA and spacing
// modifiers, combining marks, Greek, Cyrillic, Latin Extended Additional, general
// punctuation, currency and letterlike symbols.
const notoRanges: readonly Range[] = [
  [0x20, 0x7e], [0xa0, 0x24f], [0x250, 0x2ff], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x52f],
  [0x1e00, 0x1fff], [0x2000, 0x206f], [0x20a0, 0x20c0], [0x2100, 0x214f],
]

// WinAnsiEncoding (PDF 1.7, annex D): Latin-1 plus the typographic quotes, dashes, €, … .
const winAnsiRanges: readonly Range[] = [
  [0x20, 0x7e], [0xa0, 0xff], [0x152, 0x153], [0x160, 0x161], [0x178, 0x178], [0x17d, 0x17e], [0x192, 0x192],
  [0x2c6, 0x2c6], [0x2dc, 0x2dc], [0x2013, 0x2014], [0x2018, 0x201a], [0x201c, 0x201e], [0x2020, 0x2022],
  [0x2026, 0x2026], [0x2030, 0x2030], [0x2039, 0x203a], [0x20ac, 0x20ac], [0x2122, 0x2122],
]

function coverage(ranges: readonly Range[]): (text: string) => boolean {
  return (text) => {
    for (const char of text) {
      const point = char.codePointAt(0)!
      if (point === 0x0a || point === 0x09) continue
      if (!ranges.some(([from, to]) => point >= from && point <= to)) return false
    }
    return true
  }
}

function loadFont(): PosterFont {
  const require = createRequire(import.meta.url)
  try {
    const regular = fontkit.create(readFileSync(require.resolve(`${fontPackage}/400Regular/NotoSans_400Regular.ttf`))) as fontkit.Font
    const bold = fontkit.create(readFileSync(require.resolve(`${fontPackage}/700Bold/NotoSans_700Bold.ttf`))) as fontkit.Font
    return { regular, bold, embedded: true, covers: coverage(notoRanges), metrics: { regular: metricsOf(regular), bold: metricsOf(bold) } }
  } catch {
    return { regular: 'Helvetica', bold: 'Helvetica-Bold', embedded: false, covers: coverage(winAnsiRanges), metrics: { regular: helvetica, bold: helveticaBold } }
  }
}

/** Read once per process: about 1.2 MB for the two weights. */
export const posterFont: PosterFont = loadFont()

let warm = false

/**
 * Pays the one-time cost of the font's layout tables (about 400 ms of CPU) up front, at
 * start-up, instead of inside the first poster request while citizens are answering.
 */
export function warmPosterFont(font: PosterFont = posterFont): void {
  if (warm) return
  warm = true
  const sample = 'Aa Bb Cc Éé ëï ’ 0123456789 ?'
  for (const face of [font.regular, font.bold]) if (typeof face !== 'string') face.layout(sample)
}

/**
 * A name typed by a partner ("Repair Café 🔧") printed with the poster font: characters
 * the font has no glyph for are left out rather than printed as empty boxes.
 */
export function printable(text: string, font: PosterFont = posterFont): string {
  let out = ''
  for (const char of text.normalize('NFC')) if (font.covers(char)) out += char
  return out.replace(/\s+/g, ' ').trim()
}
