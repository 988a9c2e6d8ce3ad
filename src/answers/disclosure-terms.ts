import { D, K } from './cell-key.ts'

/**
 * The cell key's parameters (cell-key.ts) as the message catalogs name them, for every
 * sentence that tells a reader how the figures are protected, so that no catalog repeats
 * a number the code decides: `{k}` the smallest count published other than 0, `{k1}` the
 * largest count never published (K − 1), `{d}` the most a count moves, `{kd}` the largest
 * number a small count can become (K + D).
 */
export const disclosureTerms = { k: K, k1: K - 1, d: D, kd: K + D } as const
