import type { MessageKey } from '../i18n/i18n.ts'

/**
 * The like scale as drawn faces, so that it does not rely on reading or on colour: the
 * mouth goes from a frown to a wide smile. Each face is decorative (aria-hidden); the
 * word next to it is the label. Drawn once here, as SVG markup, and inlined in the page.
 */
function face(mouthCurve: number): string {
  return (
    '<svg viewBox="0 0 32 32" aria-hidden="true" focusable="false"><use href="#lv-face"/>' +
    `<path d="M9.5 ${22 - mouthCurve / 2}q6.5 ${mouthCurve} 13 0"/></svg>`
  )
}

/**
 * What every face shares (head and eyes), drawn once per page and reused by each face;
 * the mouth's stroke is in the step-2 stylesheet. Together they save some 800 bytes, which
 * keeps step 2 with every error message inside the first round trip (14 KB) in Tigrinya,
 * Ukrainian and Arabic too.
 */
export const faceSymbol =
  '<svg class="vh" aria-hidden="true" focusable="false"><symbol id="lv-face"><circle cx="16" cy="16" r="14.5" fill="#ffd45c" stroke="#3d3000" stroke-width="1.5"/>' +
  '<circle cx="11" cy="13" r="2"/><circle cx="21" cy="13" r="2"/></symbol></svg>'

export const faces: readonly { value: number; svg: string; label: MessageKey }[] = [
  { value: 1, svg: face(-6), label: 'step2.liked.1' },
  { value: 2, svg: face(-3), label: 'step2.liked.2' },
  { value: 3, svg: face(0), label: 'step2.liked.3' },
  { value: 4, svg: face(4), label: 'step2.liked.4' },
  { value: 5, svg: face(8), label: 'step2.liked.5' },
]
