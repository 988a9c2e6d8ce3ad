import { randomInt } from 'node:crypto'

/**
 * Cell-key perturbation of every published count.
 *
 * The method is the one statistics agencies use for user-defined tables: the ABS
 * TableBuilder (Thompson, Broadfoot and Elazar, "Methodology for the automatic
 * confidentialisation of statistical outputs from remote servers at the Australian
 * Bureau of Statistics", UNECE work session on statistical data confidentiality 2013,
 * https://unece.org/fileadmin/DAM/stats/documents/ece/ces/ge.46/2013/Topic_1_ABS.pdf),
 * extended by Destatis (Giessing and Tent, UNECE SDC 2019) and implemented in the R
 * packages sdcTools/cellKey and sdcTools/ptable and in the ONS cellkeyperturbation
 * package. Each answer gets a random record key 0…255 when it is stored and keeps it;
 * a cell's key is the sum of its records' keys modulo 256, so the same records always
 * give the same cell key, and a fixed table turns (true count, cell key) into the
 * published count. The same records therefore publish the same number on every route
 * (page, CSV, API, PDF, share link), and asking again teaches nothing new.
 *
 * The table (ptable's terms: maximum noise D, threshold js = K − 1), decided by what the
 * disclosure audit in test/disclosure/ measures (docs/privacy.md has the figures):
 * - 0 stays 0: an empty cell says nothing about a person.
 * - 1 … K−1 become 0, or one of K … K + D with equal odds; the odds of not-0 are
 *   n / (K + D/2), so the expected published value is the true one (within 1/256 from
 *   rounding the key counts). Spreading them over K … K + D rather than only K is what
 *   keeps the averaging attacker under the audit's limit: with "0 or K" a published K is
 *   almost always a small count or exactly K, and differences of such cells average out.
 * - Above K, counts move by at most D and never land in 1 … K−1. Counts at least K + D get
 *   a uniform change on −D … +D (zero mean: uniform spreads more than triangular for the
 *   same D, which the audit needs). A count between K + 1 and K + D − 1 cannot go down by
 *   D without landing under K, so its change is the symmetric window it has room for
 *   (zero mean too).
 * - K itself has no room down inside K … K + D: it publishes 0 with odds (D/2) / (K + D/2)
 *   (73 of 256 keys) and K … K + D evenly otherwise, so its mean is K. Before, K published
 *   only K … K + D (mean K + D/2) and a published 0 meant 0 … K − 1: a true K − 1 published
 *   as 0 (110 of 256 keys) then sat exactly on the top of its interval, and the disclosure
 *   audit's bounds found single answers pinned between such a 0 and cells published
 *   non-zero around them (docs/privacy.md, "(a) bounds"). With K in the zero preimage, a 0
 *   is 0 … K, and only a true K published as 0 sits on its top. The one change larger
 *   than D: a true K published as 0.
 *
 * What a reader learns from one published value p is the interval `preimage(p)`:
 * p = 0 means 0 … K, K ≤ p ≤ K + D means 1 … p + D, larger p means p − D … p + D.
 * Every preimage holds at least two true values, and it is an interval (the audit in
 * test/disclosure/ relies on that to model a figure as linear bounds: it holds because
 * the small counts spread no further than K + D).
 */

/** The small-number threshold: no published count is in 1 … K − 1. */
export const K = 5

/** The largest change to a count of K or more (and the spread of small counts above K). */
export const D = 4

/** Record and cell keys are in 0 … KEY_RANGE − 1. */
export const KEY_RANGE = 256

/** One row of the table: how many of the 256 cell keys publish each value. */
export interface PerturbationRow {
  trueCount: number
  /** Ascending by `published`; the `keys` add up to KEY_RANGE. */
  outcomes: ReadonlyArray<{ published: number; keys: number }>
}

export interface PerturbationTable {
  k: number
  d: number
  /** Rows for 0 … k + d; every larger count uses the last row's changes. */
  rows: readonly PerturbationRow[]
}

/**
 * Spreads KEY_RANGE − `rest` keys evenly over `outcomes` values, mirror-symmetric (so the
 * mean of the values is the mean of the outcomes exactly): the centre takes what the
 * rounding leaves.
 */
function evenKeys(outcomes: number, keys: number): number[] {
  const each = Math.floor(keys / outcomes)
  const counts = Array.from({ length: outcomes }, () => each)
  let left = keys - each * outcomes
  // what is left goes to the centre, and in pairs around it, so the counts stay symmetric
  const centre = (outcomes - 1) / 2
  if (outcomes % 2 === 1 && left % 2 === 1) {
    counts[centre]! += 1
    left -= 1
  }
  for (let step = outcomes % 2 === 1 ? 1 : 0.5; left > 0; step++) {
    counts[centre - step]! += 1
    counts[centre + step]! += 1
    left -= 2
  }
  return counts
}

/**
 * Builds the table for a threshold and a largest change. The product uses
 * `buildPerturbationTable(K, D)` only; other values exist for the disclosure audit,
 * which must show that D = 0 is undone.
 */
export function buildPerturbationTable(k: number, d: number): PerturbationTable {
  if (!Number.isInteger(k) || k < 2 || !Number.isInteger(d) || d < 0) throw new RangeError('k must be an integer ≥ 2 and d an integer ≥ 0')
  const rows: PerturbationRow[] = [{ trueCount: 0, outcomes: [{ published: 0, keys: KEY_RANGE }] }]
  const spread = (from: number, to: number, keys: number) => evenKeys(to - from + 1, keys).map((count, i) => ({ published: from + i, keys: count }))
  for (let n = 1; n < k; n++) {
    // not-0 lands on k … k + d, mean k + d/2; an even key count keeps the symmetric spread exact when d + 1 is even
    let notZero = Math.round((KEY_RANGE * n) / (k + d / 2))
    if ((d + 1) % 2 === 0 && notZero % 2 === 1) notZero += 1
    rows.push({ trueCount: n, outcomes: [{ published: 0, keys: KEY_RANGE - notZero }, ...spread(k, k + d, notZero)] })
  }
  // K publishes 0 with the odds that make its mean K, the rest on K … K + D (see above: the zero preimage's top)
  const kToZero = Math.round((KEY_RANGE * (d / 2)) / (k + d / 2))
  rows.push({ trueCount: k, outcomes: kToZero === 0 ? spread(k, k + d, KEY_RANGE) : [{ published: 0, keys: kToZero }, ...spread(k, k + d, KEY_RANGE - kToZero)] })
  for (let n = k + 1; n <= k + d; n++) {
    const room = Math.min(d, n - k)
    // every value k … k + d must stay reachable from each of these rows, or a preimage gets a gap
    rows.push({ trueCount: n, outcomes: n + room >= k + d ? spread(n - room, n + room, KEY_RANGE) : tilted(k, k + d, n) })
  }
  return { k, d, rows }
}

/**
 * Keys over from … to with mean exactly `mean` (from < mean < (from + to) / 2), every value
 * at least one key: weights falling geometrically from `from`, the ratio found by
 * bisection, then the rounding's error moved a key at a time between neighbours.
 */
function tilted(from: number, to: number, mean: number): Array<{ published: number; keys: number }> {
  const values = Array.from({ length: to - from + 1 }, (_, i) => from + i)
  const meanOf = (ratio: number) => {
    const weights = values.map((_, i) => ratio ** i)
    const sum = weights.reduce((a, b) => a + b, 0)
    return values.reduce((a, v, i) => a + v * weights[i]!, 0) / sum
  }
  let lo = 0
  let hi = 1
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (meanOf(mid) < mean) lo = mid
    else hi = mid
  }
  const weights = values.map((_, i) => lo ** i)
  const sum = weights.reduce((a, b) => a + b, 0)
  const keys = weights.map((w) => Math.max(1, Math.round((w * KEY_RANGE) / sum)))
  keys[0]! += KEY_RANGE - keys.reduce((a, b) => a + b, 0)
  // sum of value × keys must be KEY_RANGE × mean: move single keys between the two lowest values
  let error = values.reduce((a, v, i) => a + v * keys[i]!, 0) - KEY_RANGE * mean
  while (error > 0 && keys[1]! > 1) {
    keys[1]! -= 1
    keys[0]! += 1
    error -= 1
  }
  while (error < 0 && keys[0]! > 1) {
    keys[0]! -= 1
    keys[1]! += 1
    error += 1
  }
  if (error !== 0) throw new Error(`no key counts with mean ${mean} over ${from}…${to}`)
  return values.map((published, i) => ({ published, keys: keys[i]! }))
}

/** The table every published count goes through. */
export const PERTURBATION_TABLE: PerturbationTable = buildPerturbationTable(K, D)

function checkCount(trueCount: number): void {
  if (!Number.isSafeInteger(trueCount) || trueCount < 0) throw new RangeError(`a count must be a whole number ≥ 0, got ${trueCount}`)
}

function checkKey(key: number): void {
  if (!Number.isInteger(key) || key < 0 || key >= KEY_RANGE) throw new RangeError(`a cell key must be in 0…${KEY_RANGE - 1}, got ${key}`)
}

/** A fresh record key for a stored answer (cryptographically random, so nobody can predict a cell's noise). */
export function newRecordKey(): number {
  return randomInt(0, KEY_RANGE)
}

/**
 * The cell key of a cell whose records' keys add up to `keySum`. A sum column comes back
 * as a number (SQLite), a bigint (better-sqlite3 with safe integers) or a string
 * (PostgreSQL's `sum` of integers is numeric/bigint, which pg returns as text).
 */
export function cellKey(keySum: number | bigint | string | null): number {
  if (keySum === null) return 0 // SQL's sum over no rows: an empty cell
  if (typeof keySum === 'number') {
    if (!Number.isSafeInteger(keySum) || keySum < 0) throw new RangeError(`a key sum must be a whole number ≥ 0, got ${keySum}`)
    return keySum % KEY_RANGE
  }
  if (typeof keySum === 'string' && !/^\d+$/.test(keySum)) throw new RangeError(`a key sum must be a whole number ≥ 0, got "${keySum}"`)
  const big = BigInt(keySum)
  if (big < 0n) throw new RangeError(`a key sum must be a whole number ≥ 0, got ${keySum}`)
  return Number(big % BigInt(KEY_RANGE))
}

/** The published value of a cell with `trueCount` records and cell key `key`, by `table`. */
export function publishWith(table: PerturbationTable, trueCount: number, key: number): number {
  checkCount(trueCount)
  checkKey(key)
  const last = table.rows.length - 1
  const row = table.rows[Math.min(trueCount, last)]!
  const shift = trueCount > last ? trueCount - last : 0
  let upTo = 0
  for (const outcome of row.outcomes) {
    upTo += outcome.keys
    if (key < upTo) return outcome.published + shift
  }
  throw new Error('unreachable: a row covers every key')
}

/** The published value of a cell: its true count and its cell key through the fixed table. */
export function publish(trueCount: number, key: number): number {
  return publishWith(PERTURBATION_TABLE, trueCount, key)
}

/**
 * Every true count that can publish `published` under `table`, as an inclusive interval,
 * or null when no count publishes it (1 … k − 1). The interval is what a reader who knows
 * the table learns from the number alone.
 */
export function preimageWith(table: PerturbationTable, published: number): [number, number] | null {
  if (!Number.isSafeInteger(published) || published < 0) return null
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  // Only counts within d of the value, or up to k (which publish 0 or k … k + d), can publish it.
  const candidates = new Set<number>()
  for (let n = Math.max(0, published - table.d); n <= published + table.d; n++) candidates.add(n)
  for (let n = 0; n <= table.k; n++) candidates.add(n)
  for (const n of candidates) {
    if (possibleOutputs(table, n).has(published)) {
      lo = Math.min(lo, n)
      hi = Math.max(hi, n)
    }
  }
  return lo <= hi ? [lo, hi] : null
}

/** Every value a true count can publish under `table`, over all cell keys. */
export function possibleOutputs(table: PerturbationTable, trueCount: number): Set<number> {
  checkCount(trueCount)
  const last = table.rows.length - 1
  const shift = trueCount > last ? trueCount - last : 0
  return new Set(table.rows[Math.min(trueCount, last)]!.outcomes.filter((o) => o.keys > 0).map((o) => o.published + shift))
}

/** The interval of true counts behind a published value under the product's table. */
export function preimage(published: number): [number, number] | null {
  return preimageWith(PERTURBATION_TABLE, published)
}
