/**
 * The printed formats: page sizes, and the label stocks of the sticker sheets. All
 * measures in millimetres here; the PDF code converts to points (1 pt = 1/72 inch).
 */

const pointsPerMm = 72 / 25.4

export function mm(value: number): number {
  return value * pointsPerMm
}

/** ISO 216 sizes, portrait. */
export const paper = {
  a3: { width: 297, height: 420 },
  a4: { width: 210, height: 297 },
  a5: { width: 148, height: 210 },
} as const

/**
 * A label stock: an A4 sheet of equal labels in a grid. The numbers are the
 * manufacturers' (Avery/Herma and their look-alikes use the same grids); adding a stock
 * is one row here. `pitch` is the distance from one label's edge to the next one's.
 */
export interface LabelStock {
  columns: number
  rows: number
  /** One label. */
  width: number
  height: number
  /** The first label's top-left corner on the sheet. */
  top: number
  left: number
  pitchX: number
  pitchY: number
  /** A well-known product code, shown next to the choice so people buy the right sheets. */
  example: string
}

export const labelStocks = {
  'stickers-8': { columns: 2, rows: 4, width: 99.1, height: 67.7, top: 13.1, left: 4.65, pitchX: 101.6, pitchY: 67.7, example: 'L7165' },
  'stickers-14': { columns: 2, rows: 7, width: 99.1, height: 38.1, top: 15.15, left: 4.65, pitchX: 101.6, pitchY: 38.1, example: 'L7163' },
  'stickers-21': { columns: 3, rows: 7, width: 63.5, height: 38.1, top: 15.15, left: 7.21, pitchX: 66.04, pitchY: 38.1, example: 'L7160' },
} as const satisfies Record<string, LabelStock>

export type StickerFormat = keyof typeof labelStocks

/**
 * Every format a partner can print. Posters and the flyer are one portrait design
 * scaled to the paper (A3 is A4 × √2, so the QR grows from about 9 to 13 cm); the table
 * tent is an A4 sheet folded to two A5 faces; sticker sheets repeat a small label.
 */
export const posterFormats = ['a4', 'a3', 'a5', 'tent', ...(Object.keys(labelStocks) as StickerFormat[])] as const
export type PosterFormat = (typeof posterFormats)[number]

export function isPosterFormat(value: unknown): value is PosterFormat {
  return typeof value === 'string' && (posterFormats as readonly string[]).includes(value)
}

export function isStickerFormat(format: PosterFormat): format is StickerFormat {
  return Object.hasOwn(labelStocks, format)
}

export function labelsPerSheet(format: StickerFormat): number {
  const stock: LabelStock = labelStocks[format]
  return stock.columns * stock.rows
}

/** Each label's top-left corner on the sheet, row by row. */
export function labelPositions(stock: LabelStock): Array<{ x: number; y: number }> {
  const positions: Array<{ x: number; y: number }> = []
  for (let row = 0; row < stock.rows; row++) {
    for (let column = 0; column < stock.columns; column++) {
      positions.push({ x: stock.left + column * stock.pitchX, y: stock.top + row * stock.pitchY })
    }
  }
  return positions
}

/** The paper a format is printed on, in millimetres. Everything but A3 and A5 is A4. */
export function pageSize(format: PosterFormat): { width: number; height: number } {
  if (format === 'a3' || format === 'a5') return paper[format]
  return paper.a4
}
