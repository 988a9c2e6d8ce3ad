import { promisify } from 'node:util'
import { crc32, deflate } from 'node:zlib'
import QRCode from 'qrcode'
import type { ErrorCorrection } from './qr.ts'

/**
 * The QR code as geometry, from qrcode's own module matrix, so that a poster prints it as
 * sharp vector shapes at any size instead of a scaled bitmap.
 */

/** ISO/IEC 18004 asks for a light margin of at least 4 modules around the symbol. */
export const quietZone = 4

export const errorCorrections = ['M', 'Q'] as const satisfies readonly ErrorCorrection[]

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
  /** 1 for a dark module, row by row (`size × size`). */
  modules: Uint8Array
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
  return { version, size, runs, modules: Uint8Array.from(modules.data) }
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

const deflateAsync = promisify(deflate)

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/**
 * The bare QR as a black-and-white PNG of exactly `sizePx` pixels square, quiet zone
 * included. Written here rather than with qrcode's PNG renderer, which fills every pixel
 * in JavaScript (4 s of blocked event loop for 4096 px): a 1-bit image is 512 bytes per
 * row at 4096 px, rows repeat within a module, and the compression runs on libuv's
 * thread pool. When the size is not a multiple of the module count, module edges fall
 * on the nearest pixel, so modules differ by at most one pixel: invisible to a scanner.
 */
export async function qrPng(symbol: QrSymbol, sizePx: number): Promise<Buffer> {
  const total = withQuietZone(symbol)
  const moduleAt = (pixel: number) => Math.floor((pixel * total) / sizePx) - quietZone
  const rowBytes = Math.ceil(sizePx / 8)
  const raw = Buffer.alloc((rowBytes + 1) * sizePx)
  let previousModuleRow = Number.NaN
  let previousOffset = 0
  for (let y = 0; y < sizePx; y++) {
    const offset = y * (rowBytes + 1)
    const moduleRow = moduleAt(y)
    // Filter byte 0 (none) stays 0 from Buffer.alloc.
    if (moduleRow === previousModuleRow) {
      raw.copy(raw, offset, previousOffset, previousOffset + rowBytes + 1)
      continue
    }
    for (let x = 0; x < sizePx; x++) {
      const column = moduleAt(x)
      const dark = moduleRow >= 0 && moduleRow < symbol.size && column >= 0 && column < symbol.size && symbol.modules[moduleRow * symbol.size + column] === 1
      // Grayscale at 1 bit: 1 is white.
      if (!dark) raw[offset + 1 + (x >> 3)]! |= 0x80 >> (x & 7)
    }
    previousModuleRow = moduleRow
    previousOffset = offset
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(sizePx, 0)
  header.writeUInt32BE(sizePx, 4)
  header[8] = 1 // bit depth
  header[9] = 0 // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', await deflateAsync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}
