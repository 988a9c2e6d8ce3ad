/**
 * Small-number protection for every count a dashboard shows.
 *
 * Primary suppression: a count with 0 < n < k is shown as "< k" (k is the region's
 * threshold, never below 3; breakdowns that could single someone out use a higher one).
 * Zero is shown: it says nothing about a person.
 *
 * Secondary suppression: a hidden count must not be recoverable from the totals and the
 * other cells. What a reader knows of a hidden cell is an interval — "< k" means 1…k−1,
 * and a cell hidden only to protect another (shown as "•") was at least k, since every
 * smaller non-zero count is already hidden. A cell is *derivable* when those intervals
 * and the published sums leave it a single possible value. Moving one unit around a
 * cycle of hidden cells keeps every sum, so a cell is safe exactly when such a cycle
 * through it stays inside every interval (the integer points of these "transportation"
 * tables are connected by such unit cycles); while one is not, the smallest shown cell
 * on its row or column is hidden too. When nothing is left to hide there, the whole
 * table is withheld.
 */

export type CellState = 'shown' | 'small' | 'secondary'

export interface Cell {
  value: number
  state: CellState
  /** The threshold this cell was judged by, when it is not the table's own. */
  k?: number
}

/** What a reader of the page knows of a cell: its value when shown, else an interval. */
export function knownInterval(cell: Cell, tableK: number): [number, number] {
  const k = cell.k ?? tableK
  if (cell.state === 'shown') return [cell.value, cell.value]
  if (cell.state === 'small') return [1, k - 1]
  return [k, Number.POSITIVE_INFINITY]
}

function primary(value: number, k: number): Cell {
  return { value, state: value > 0 && value < k ? 'small' : 'shown' }
}

/** Counts with no published sum (theme counts: one answer can have several themes). */
export function suppressCounts(values: readonly number[], k: number): Cell[] {
  return values.map((value) => primary(value, k))
}

export interface SuppressedList {
  cells: Cell[]
  total: Cell
  /** True when no pattern protects the small cells: show none of the cells. */
  withheld: boolean
}

/**
 * A breakdown whose cells add up to a published total (responses by location, by week…).
 * The total is the same number as the headline, so it is never hidden unless it is itself
 * small; `total` may be given when the total comes from another table (a partner's
 * activities under the partner's own cell).
 */
export function suppressList(values: readonly number[], k: number, total?: Cell): SuppressedList {
  const sum = values.reduce((a, b) => a + b, 0)
  const totalCell = total ?? primary(sum, k)
  const cells = values.map((value) => primary(value, k))
  for (;;) {
    const weak = cells.findIndex((cell, index) => cell.state !== 'shown' && listDerivable(cells, totalCell, index, k))
    if (weak === -1) return { cells, total: totalCell, withheld: false }
    let pick = -1
    for (let index = 0; index < cells.length; index++) {
      const cell = cells[index]!
      if (cell.state === 'shown' && cell.value > 0 && (pick === -1 || cell.value < cells[pick]!.value)) pick = index
    }
    if (pick === -1) {
      return { cells: cells.map((cell) => (cell.state === 'shown' && cell.value > 0 ? { ...cell, state: 'secondary' } : cell)), total: totalCell, withheld: true }
    }
    cells[pick] = { value: cells[pick]!.value, state: 'secondary' }
  }
}

/** Can hidden cell `index` move by one while the total (or its interval) still holds? */
function listDerivable(cells: readonly Cell[], total: Cell, index: number, k: number): boolean {
  const [lo, hi] = knownInterval(cells[index]!, k)
  const value = cells[index]!.value
  for (const step of [1, -1]) {
    if (value + step < lo || value + step > hi) continue
    // Another hidden cell moves the other way, or a hidden total absorbs the change.
    const partner = cells.some((other, j) => {
      if (j === index || other.state === 'shown') return false
      const [olo, ohi] = knownInterval(other, k)
      return other.value - step >= olo && other.value - step <= ohi
    })
    if (partner) return false
    if (total.state !== 'shown') {
      const [tlo, thi] = knownInterval(total, k)
      if (total.value + step >= tlo && total.value + step <= thi) return false
    }
  }
  return true
}

export interface SuppressedTable {
  cells: Cell[][]
  rowTotals: Cell[]
  columnTotals: Cell[]
  total: Cell
  withheld: boolean
}

/**
 * A two-way table with its row, column and grand totals (age band × location). Totals
 * are cells like any other here: a small row total is hidden, and a total can be hidden
 * to protect a cell — unless `totals` says how they are already published elsewhere (the
 * one-way breakdowns), in which case they are taken as a reader knows them and only
 * inner cells are hidden.
 */
export function suppressTable(
  values: readonly (readonly number[])[],
  k: number,
  totals?: { rows: readonly Cell[]; columns: readonly Cell[]; total: Cell; k: number },
): SuppressedTable {
  const rows = values.length
  const columns = values[0]?.length ?? 0
  // The table with its totals as an (rows+1) × (columns+1) grid whose every line sums to
  // zero: cells as they are, totals negated, the grand total positive.
  const grid: Cell[][] = []
  const sign = (i: number, j: number) => (i === rows && j === columns ? 1 : i === rows || j === columns ? -1 : 1)
  for (let i = 0; i <= rows; i++) {
    const line: Cell[] = []
    for (let j = 0; j <= columns; j++) {
      let value: number
      if (i < rows && j < columns) value = values[i]![j]!
      else if (i < rows) value = values[i]!.reduce((a, b) => a + b, 0)
      else if (j < columns) value = values.reduce((a, row) => a + row[j]!, 0)
      else value = values.reduce((a, row) => a + row.reduce((b, c) => b + c, 0), 0)
      const published = totals === undefined ? undefined : i < rows && j === columns ? totals.rows[i] : i === rows && j < columns ? totals.columns[j] : i === rows && j === columns ? totals.total : undefined
      line.push(published ? { ...published, k: published.k ?? totals!.k } : primary(value, k))
    }
    grid.push(line)
  }
  const fixed = (i: number, j: number) => totals !== undefined && (i === rows || j === columns)

  let withheld = false
  // Passes over the hidden cells, protecting each derivable one as it is met (a fix often
  // protects its neighbours too), until a pass finds nothing left to protect.
  // Hiding a cell only adds ways to move the others, so a cell found safe stays safe:
  // each is proved once.
  const safe = new Set<number>()
  const moves = movesOf(grid, sign, k)
  const derivableCells = function* () {
    for (let i = 0; i <= rows; i++) {
      for (let j = 0; j <= columns; j++) {
        const id = i * (columns + 1) + j
        if (grid[i]![j]!.state === 'shown' || safe.has(id)) continue
        if (isDerivable(rows + 1, moves, i, j)) yield [i, j] as const
        else safe.add(id)
      }
    }
  }
  for (let changed = true; changed && !withheld; ) {
    changed = false
    for (const [wi, wj] of derivableCells()) {
    let pick: [number, number] | undefined
    const consider = (i: number, j: number) => {
      const cell = grid[i]![j]!
      if (!fixed(i, j) && cell.state === 'shown' && cell.value > 0 && (pick === undefined || cell.value < grid[pick[0]]![pick[1]]!.value)) pick = [i, j]
    }
    for (let j = 0; j <= columns; j++) consider(wi, j)
    for (let i = 0; i <= rows; i++) consider(i, wj)
    // Nothing left to hide on its row or column: rather than hiding cells far away one by
    // one (slow, and it leaves little to see), the table is withheld.
    if (pick === undefined) {
      withheld = true
      break
    }
    grid[pick[0]]![pick[1]] = { value: grid[pick[0]]![pick[1]]!.value, state: 'secondary' }
    updateMoves(moves, grid, sign, k, pick[0], pick[1])
    changed = true
    }
  }
  return {
    cells: grid.slice(0, rows).map((line) => line.slice(0, columns)),
    rowTotals: grid.slice(0, rows).map((line) => line[columns]!),
    columnTotals: grid[rows]!.slice(0, columns),
    total: grid[rows]![columns]!,
    withheld,
  }
}

/**
 * Whether no unit cycle can move hidden cell (i, j). Nodes are the grid's rows and
 * columns; a hidden cell whose signed value can rise is an edge row → column, one that
 * can fall an edge column → row. A cell can rise exactly when its column reaches its row
 * again without it (and fall when its row reaches its column).
 */
interface Moves {
  columns: number
  /** Per grid cell: 1 when it is hidden and its signed value can rise (fall) by one. */
  rise: Uint8Array
  fall: Uint8Array
}

function movesOf(grid: Cell[][], sign: (i: number, j: number) => number, k: number): Moves {
  const rows = grid.length
  const columns = grid[0]!.length
  const moves = { columns, rise: new Uint8Array(rows * columns), fall: new Uint8Array(rows * columns) }
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) updateMoves(moves, grid, sign, k, i, j)
  return moves
}

function updateMoves(moves: Moves, grid: Cell[][], sign: (i: number, j: number) => number, k: number, i: number, j: number): void {
  const cell = grid[i]![j]!
  const index = i * moves.columns + j
  if (cell.state === 'shown') {
    moves.rise[index] = 0
    moves.fall[index] = 0
    return
  }
  const [lo, hi] = knownInterval(cell, k)
  const canUp = cell.value + 1 <= hi
  const canDown = cell.value - 1 >= lo
  moves.rise[index] = Number(sign(i, j) > 0 ? canUp : canDown)
  moves.fall[index] = Number(sign(i, j) > 0 ? canDown : canUp)
}

/**
 * Whether no unit cycle can move hidden cell (i, j). Nodes are the grid's rows and
 * columns; a hidden cell whose signed value can rise is an edge row → column, one that
 * can fall an edge column → row. A cell can rise exactly when its column reaches its row
 * again without it (and fall when its row reaches its column).
 */
function isDerivable(rows: number, moves: Moves, i: number, j: number): boolean {
  const { columns, rise, fall } = moves
  const self = i * columns + j
  // Node ids: rows 0…rows−1, columns rows…rows+columns−1.
  const reaches = (from: number, to: number): boolean => {
    const seen = new Uint8Array(rows + columns)
    seen[from] = 1
    const stack = [from]
    while (stack.length > 0) {
      const node = stack.pop()!
      if (node === to) return true
      if (node < rows) {
        for (let b = 0; b < columns; b++) {
          const index = node * columns + b
          if (seen[rows + b] || !rise[index] || index === self) continue
          seen[rows + b] = 1
          stack.push(rows + b)
        }
      } else {
        const b = node - rows
        for (let a = 0; a < rows; a++) {
          const index = a * columns + b
          if (seen[a] || !fall[index] || index === self) continue
          seen[a] = 1
          stack.push(a)
        }
      }
    }
    return false
  }
  if (rise[self] && reaches(rows + j, i)) return false
  return !(fall[self] && reaches(i, rows + j))
}

/** The text a reader sees for a cell. */
export function cellText(cell: Cell, k: number, format: (n: number) => string = String): string {
  if (cell.state === 'small') return `< ${k}`
  if (cell.state === 'secondary') return '•'
  return format(cell.value)
}
