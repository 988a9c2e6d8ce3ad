import { K, type PerturbationTable, preimageWith } from '../../src/answers/cell-key.ts'

/**
 * A publication: every figure a reader can collect, each with the records it counts.
 *
 * The audit needs nothing else, so a publication can come from the synthetic world in
 * `synthetic.ts` or from real HTTP responses: for each published count, its value as
 * the route showed it, where it came from (route, table, period, filters, the row) and
 * the ids of the answers it counts (read from the database with the same filter).
 */
export interface PublishedCell {
  /** Where the reader saw it, for messages: e.g. `GET /api/… 2026-W48 location=3 theme=7`. */
  source: string
  /** A number, or for rule-based suppression the mark shown instead. */
  published: number | 'small' | 'secondary'
  /** The answers the cell counts. */
  records: readonly number[]
}

export interface Publication {
  cells: readonly PublishedCell[]
  /**
   * Every kind of answer the reader cannot rule out, each as the indices of the cells
   * that would count it. Without it the audit takes the kinds of the answers that exist
   * as the only ones, which tells the reader every empty combination.
   */
  possible?: readonly (readonly number[])[]
}

/**
 * What a reader who knows the method learns about a cell's true count from what is
 * shown: an inclusive interval (hi may be Infinity).
 */
export interface DisclosureModel {
  name: string
  interval(cell: PublishedCell): [number, number]
}

/** The cell-key method: a published value is any true count in its preimage under the table. */
export function cellKeyModel(table: PerturbationTable): DisclosureModel {
  return {
    name: `cell key k=${table.k} D=${table.d}`,
    interval(cell) {
      if (typeof cell.published !== 'number') throw new Error(`${cell.source}: the cell-key method shows numbers only`)
      const interval = preimageWith(table, cell.published)
      if (interval === null) throw new Error(`${cell.source}: ${cell.published} cannot be published by this table`)
      return interval
    },
  }
}

/** Today's rule: shown counts are exact, "< k" is 1…k−1, a secondary mark is at least k. */
export function suppressionModel(k = K): DisclosureModel {
  return {
    name: `rule-based suppression k=${k}`,
    interval(cell) {
      if (cell.published === 'small') return [1, k - 1]
      if (cell.published === 'secondary') return [k, Number.POSITIVE_INFINITY]
      return [cell.published, cell.published]
    },
  }
}
