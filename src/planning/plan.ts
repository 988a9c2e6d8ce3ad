import { cellKey, K, publish } from '../answers/cell-key.ts'
import { emergingThemes } from '../answers/index.ts'

/**
 * The planning table, as pure arithmetic: true counts and key sums in, published figures,
 * verdicts and the order out. Every figure is published through the cell-key table
 * (answers/cell-key.ts) before anything is derived from it: shares, trends, the emerging
 * flag and the verdict read published counts only, so the table says nothing that the
 * published counts do not.
 */

/** One cell as the database gives it: how many records, and the sum of their record keys. */
export interface Cell {
  count: number
  keySum: number | bigint | string | null
}

export const emptyCell: Cell = { count: 0, keySum: 0 }

/**
 * The cell of the union of disjoint cells' records: their counts and key sums added up.
 * Published on its own (`published`), it is the same number as any other cell of exactly
 * those records, and never the sum of the parts' published figures.
 */
export function sumCells(cells: Iterable<Cell>): Cell {
  let count = 0
  let keySum = 0n
  for (const cell of cells) {
    count += cell.count
    keySum += BigInt(cell.keySum ?? 0)
  }
  return { count, keySum: keySum.toString() }
}

export function published(cell: Cell | undefined): number {
  if (cell === undefined || cell.count === 0) return 0
  return publish(cell.count, cellKey(cell.keySum))
}

/**
 * A figure that compares one partner with the rest of the region is shown only when at
 * least this many other partners contribute to the rest: with one or two, the rest is
 * (nearly) one other organisation's own figure.
 */
export const minOtherPartners = 3

export type Verdict = 'need_without_offer' | 'both' | 'offer_without_demand' | 'quiet'

/** "Need without an offer" first: that is what the planning meeting is for. */
const verdictOrder: readonly Verdict[] = ['need_without_offer', 'both', 'offer_without_demand', 'quiet']

/**
 * The rule: a need without an offer when D ≥ k and S = 0, an offer without demand
 * when S ≥ 1 and D = 0, otherwise both. A published D is 0 or at least k (never 1 … k − 1),
 * so "D ≥ k" is "D > 0". D = 0 with S = 0 is neither a need nor an offer: it is listed as
 * "quiet", last, rather than as "both".
 */
export function verdictOf(demand: number, supply: number): Verdict {
  if (demand >= K && supply === 0) return 'need_without_offer'
  if (supply >= 1 && demand === 0) return 'offer_without_demand'
  if (demand === 0 && supply === 0) return 'quiet'
  return 'both'
}

/** A series of published figures for one population (the region, one partner, the rest). */
export interface Series {
  /** Published answers that chose the theme or whose text was classified to it. */
  demand: number
  /** Published answers in all, the share's denominator. */
  total: number
  /** demand / total in percent, null without answers. */
  share: number | null
  /** The same theme's published count in the period before (null: no period before on the grid). */
  previous: number | null
  /** demand − previous. */
  trend: number | null
  emerging: boolean
}

export interface SeriesInput {
  current: ReadonlyMap<number, Cell>
  previous: ReadonlyMap<number, Cell> | null
  currentTotal: Cell
  previousTotal: Cell | null
}

/** Published figures per theme of one population, with the emerging test the dashboard uses (src/answers/emerging.ts), on published counts. */
export function seriesOf(themeIds: readonly number[], input: SeriesInput): Map<number, Series> {
  const total = published(input.currentTotal)
  const previousTotal = input.previousTotal === null ? null : published(input.previousTotal)
  const counts = themeIds.map((themeId) => ({
    themeId,
    current: published(input.current.get(themeId)),
    previous: input.previous === null ? 0 : published(input.previous.get(themeId)),
  }))
  const emerging = new Set(
    previousTotal === null ? [] : emergingThemes(counts, { current: total, previous: previousTotal }, K).filter((row) => row.emerging).map((row) => row.themeId),
  )
  const series = new Map<number, Series>()
  for (const count of counts) {
    const previous = input.previous === null ? null : count.previous
    series.set(count.themeId, {
      demand: count.current,
      total,
      share: total > 0 ? (100 * count.current) / total : null,
      previous,
      trend: previous === null ? null : count.current - previous,
      emerging: emerging.has(count.themeId),
    })
  }
  return series
}

export interface SupplyItem {
  kind: 'offer' | 'activity'
  id: number
  title: string
  /** The partner (activities) or the provider as typed (offers). */
  partner: string
  partnerId: number | null
  /** Offers: where, as typed. Activities: how many locations have a poster for it. */
  place: string | null
  places: number
  /** Offers: when, as typed. Activities: their dates. */
  when: string | null
}

export interface PlanRow {
  themeId: number
  label: string
  verdict: Verdict
  /** The series the verdict and the order read: the region's, or for a partner member whose region figure is withheld, their own. */
  basis: 'region' | 'partner'
  region: Series | null
  partner: Series | null
  rest: Series | null
  supply: SupplyItem[]
  supplyCount: number
  /** Published open contact requests with this theme; null when withheld. */
  pressure: number | null
}

/** Verdict, then D (largest first), then trend (largest rise first), then the label. */
export function comparePlanRows(a: PlanRow, b: PlanRow, collator: Intl.Collator): number {
  const basis = (row: PlanRow) => (row.basis === 'region' ? row.region : row.partner)
  return (
    verdictOrder.indexOf(a.verdict) - verdictOrder.indexOf(b.verdict) ||
    (basis(b)?.demand ?? 0) - (basis(a)?.demand ?? 0) ||
    (basis(b)?.trend ?? Number.NEGATIVE_INFINITY) - (basis(a)?.trend ?? Number.NEGATIVE_INFINITY) ||
    collator.compare(a.label, b.label)
  )
}
