import QRCode from 'qrcode'
import type { ErrorCorrection } from './qr.ts'

/**
 * The QR code as geometry, from qrcode's own module matrix, so that a poster prints it as
 * sharp vector shapes at any size instead of a scaled bitmap.
 */

/** ISO/IEC 18004 asks for a light margin of at least 4 modules around the symbol. */
export const quietZone = 4

export const errorCorrections = ['M', 'Q'] as const satisfies readonly ErrorCorrection[]

export function isErrorCorrection(value: unknown): value is ErrorCorrection {
  return value === 'M' || value === 'Q'
}

export interface QrSymbol {
  /** QR version 1–40: the symbol is 17 + 4 × version modules wide. */
  version: number
  /** Modules per side, without the quiet zone. */
  size: number
  /**
   * The dark modules as horizontal runs, one rectangle per run of adjacent dark modules
   * in a row: about a third of the rectangles that one square per module would need.
   */
  runs: Array<{ row: number; column: number; length: number }>
}

export function qrSymbol(text: string, errorCorrectionLevel: ErrorCorrection = 'M'): QrSymbol {
  const { modules, version } = QRCode.create(text, { errorCorrectionLevel })
  const size = modules.size
  const runs: QrSymbol['runs'] = []
  for (let row = 0; row < size; row++) {
    let start = -1
    for (let column = 0; column <= size; column++) {
      const dark = column < size && modules.get(row, column) === 1
      if (dark && start < 0) start = column
      if (!dark && start >= 0) {
        runs.push({ row, column: start, length: column - start })
        start = -1
      }
    }
  }
  return { version, size, runs }
}

/** The width of the symbol with its quiet zone, in modules. */
export function withQuietZone(symbol: QrSymbol): number {
  return symbol.size + 2 * quietZone
}

/**
 * The SVG of the bare QR (with its quiet zone, white background) for people's own
 * designs: one path, in module units, scaled by the viewBox to any size.
 */
export function qrSvgDocument(symbol: QrSymbol, sizePx = 512): string {
  const total = withQuietZone(symbol)
  const path = symbol.runs.map((run) => `M${run.column + quietZone} ${run.row + quietZone}h${run.length}v1h-${run.length}z`).join('')
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${sizePx}" height="${sizePx}" viewBox="0 0 ${total} ${total}" shape-rendering="crispEdges">` +
    `<rect width="${total}" height="${total}" fill="#fff"/><path fill="#000" d="${path}"/></svg>\n`
  )
}

export const pngSizes = { min: 512, max: 4096 } as const

/**
 * The bare QR as a PNG of exactly `sizePx` pixels square (quiet zone included). qrcode
 * spreads the rounding over the modules, so a module may be one pixel wider than its
 * neighbour: invisible to a scanner at these sizes.
 */
export function qrPng(text: string, errorCorrectionLevel: ErrorCorrection, sizePx: number): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel, margin: quietZone, width: sizePx })
}
