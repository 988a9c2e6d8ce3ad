// fontkit (installed with pdfkit, which depends on it) ships no types; the little we use.
declare module 'fontkit' {
  export interface Font {
    layout(text: string): unknown
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font
}
