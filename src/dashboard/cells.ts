import { cellKey, K, publish } from '../answers/cell-key.ts'

/**
 * A published count: the true count and its cell key through the fixed perturbation
 * table (answers/cell-key.ts). Nothing is hidden any more, so there is no state: a
 * published count is never 1 … K − 1, and the same answers give the same number on the
 * page, in the CSV, the PDF, the API and on a share link, because they all come from here.
 */
export interface Cell {
  value: number
}

/** The published cell of `count` answers whose record keys add up to `keySum`. */
export function publishedCell(count: number, keySum: number): Cell {
  return { value: publish(count, cellKey(keySum)) }
}

/**
 * A share of two published counts, rounded to a whole percent and clamped to 0…1 (two
 * perturbed counts can give a part above its whole); null when the whole is 0. Derived
 * from published numbers only, a share can never say more than the two counts do.
 */
export function publishedShare(part: Cell, whole: Cell): number | null {
  if (whole.value <= 0) return null
  return Math.min(100, Math.max(0, Math.round((100 * part.value) / whole.value))) / 100
}

/**
 * "How much they liked it" from the perturbed per-face counts: Σ face × published count
 * over Σ published counts; null when no published face count is left.
 */
export function publishedAverage(faces: readonly Cell[]): number | null {
  const count = faces.reduce((sum, face) => sum + face.value, 0)
  if (count <= 0) return null
  return faces.reduce((sum, face, index) => sum + (index + 1) * face.value, 0) / count
}

export { K }
