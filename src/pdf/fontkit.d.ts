// fontkit (installed with pdfkit, which depends on it) ships no types; the little we use.
declare module 'fontkit' {
  export interface Font {
    layout(text: string): unknown
    /** Vertical metrics in font units (descent is negative). */
    ascent: number
    descent: number
    lineGap: number
    unitsPerEm: number
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font
}
