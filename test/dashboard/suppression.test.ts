import fc from 'fast-check'
import t from 'tap'
import { type Cell, cellText, knownInterval, suppressCounts, suppressList, suppressTable } from '../../src/dashboard/suppression.ts'

/**
 * Suppression as a property: random tables, and for each an independent brute-force
 * attacker who knows every shown number, every published total and what each hidden
 * mark says ("< k" = 1…k−1, "•" = at least k), and tries every other filling of the
 * hidden cells within one unit of the truth. A hidden cell is derivable when no other
 * filling that keeps all the sums changes it.
 */

interface Entry {
  cell: Cell
  k: number
}

/** Linear constraints: each a list of [entry index, coefficient] summing to zero. */
function derivableEntries(entries: Entry[], constraints: [number, number][][]): number[] {
  const hidden = entries.map((entry, index) => (entry.cell.state === 'shown' ? -1 : index)).filter((index) => index >= 0)
  const delta = new Map<number, number>()
  const moved = new Set<number>()
  const order = hidden
  const search = (position: number) => {
    if (position === order.length) {
      for (const constraint of constraints) {
        let sum = 0
        for (const [index, coefficient] of constraint) sum += coefficient * (delta.get(index) ?? 0)
        if (sum !== 0) return
      }
      for (const [index, d] of delta) if (d !== 0) moved.add(index)
      return
    }
    const index = order[position]!
    const { cell, k } = entries[index]!
    const [lo, hi] = knownInterval(cell, k)
    for (const d of [-1, 0, 1]) {
      if (cell.value + d < lo || cell.value + d > hi) continue
      delta.set(index, d)
      // Prune: a constraint whose hidden entries are all assigned must already hold.
      const broken = constraints.some((constraint) => {
        let sum = 0
        for (const [i, coefficient] of constraint) {
          if (entries[i]!.cell.state !== 'shown' && !delta.has(i)) return false
          sum += coefficient * (delta.get(i) ?? 0)
        }
        return sum !== 0
      })
      if (!broken) search(position + 1)
      delta.delete(index)
    }
  }
  search(0)
  return hidden.filter((index) => !moved.has(index))
}

function noSmallShown(cells: Cell[], k: number): boolean {
  return cells.every((cell) => cell.state !== 'shown' || cell.value === 0 || cell.value >= (cell.k ?? k))
}

const smallCount = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 40 }))

t.test('a list with a total: no small number shown, no hidden one derivable', async (t) => {
  fc.assert(
    fc.property(fc.array(smallCount, { minLength: 1, maxLength: 7 }), fc.integer({ min: 3, max: 6 }), (values, k) => {
      const list = suppressList(values, k)
      const cells = [...list.cells, list.total]
      if (!noSmallShown(cells, k)) return false
      if (list.withheld) return true
      const entries = cells.map((cell) => ({ cell, k }))
      const constraint: [number, number][] = [...values.map((_, i) => [i, 1] as [number, number]), [values.length, -1]]
      return derivableEntries(entries, [constraint]).length === 0
    }),
    { numRuns: 400 },
  )
  t.pass('held for 400 random lists')
})

t.test('a two-way table with totals: no small number shown, no hidden one derivable', async (t) => {
  const table = fc
    .record({ rows: fc.integer({ min: 1, max: 3 }), columns: fc.integer({ min: 1, max: 3 }) })
    .chain(({ rows, columns }) => fc.array(fc.array(smallCount, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }))
  fc.assert(
    fc.property(table, fc.integer({ min: 3, max: 10 }), (values, k) => {
      const result = suppressTable(values, k)
      const rows = values.length
      const columns = values[0]!.length
      const all = [...result.cells.flat(), ...result.rowTotals, ...result.columnTotals, result.total]
      if (!noSmallShown(all, k)) return false
      if (result.withheld) return true
      // Entry layout: cells row by row, then row totals, column totals, grand total.
      const cellIndex = (i: number, j: number) => i * columns + j
      const rowIndex = (i: number) => rows * columns + i
      const columnIndex = (j: number) => rows * columns + rows + j
      const grandIndex = rows * columns + rows + columns
      const entries = all.map((cell) => ({ cell, k }))
      const constraints: [number, number][][] = []
      for (let i = 0; i < rows; i++) constraints.push([...Array.from({ length: columns }, (_, j) => [cellIndex(i, j), 1] as [number, number]), [rowIndex(i), -1]])
      for (let j = 0; j < columns; j++) constraints.push([...Array.from({ length: rows }, (_, i) => [cellIndex(i, j), 1] as [number, number]), [columnIndex(j), -1]])
      constraints.push([...Array.from({ length: rows }, (_, i) => [rowIndex(i), 1] as [number, number]), [grandIndex, -1]])
      return derivableEntries(entries, constraints).length === 0
    }),
    { numRuns: 300 },
  )
  t.pass('held for 300 random tables')
})

t.test('a detail table whose totals are published elsewhere hides only inner cells, safely', async (t) => {
  const table = fc
    .record({ rows: fc.integer({ min: 1, max: 3 }), columns: fc.integer({ min: 2, max: 3 }) })
    .chain(({ rows, columns }) => fc.array(fc.array(smallCount, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }))
  fc.assert(
    fc.property(table, fc.integer({ min: 3, max: 5 }), (values, k) => {
      const detailK = 10
      const rowList = suppressList(values.map((row) => row.reduce((a, b) => a + b, 0)), k)
      const columnList = suppressList(values[0]!.map((_, j) => values.reduce((a, row) => a + row[j]!, 0)), k)
      if (rowList.withheld || columnList.withheld) return true
      const result = suppressTable(values, detailK, { rows: rowList.cells, columns: columnList.cells, total: rowList.total, k })
      if (!noSmallShown(result.cells.flat(), detailK)) return false
      if (result.withheld) return true
      const rows = values.length
      const columns = values[0]!.length
      const all = [...result.cells.flat(), ...result.rowTotals, ...result.columnTotals, result.total]
      const entries = all.map((cell) => ({ cell, k: cell.k ?? detailK }))
      const cellIndex = (i: number, j: number) => i * columns + j
      const constraints: [number, number][][] = []
      for (let i = 0; i < rows; i++) constraints.push([...Array.from({ length: columns }, (_, j) => [cellIndex(i, j), 1] as [number, number]), [rows * columns + i, -1]])
      for (let j = 0; j < columns; j++) constraints.push([...Array.from({ length: rows }, (_, i) => [cellIndex(i, j), 1] as [number, number]), [rows * columns + rows + j, -1]])
      constraints.push([...Array.from({ length: rows }, (_, i) => [rows * columns + i, 1] as [number, number]), [rows * columns + rows + columns, -1]])
      return derivableEntries(entries, constraints).length === 0
    }),
    { numRuns: 300 },
  )
  t.pass('held for 300 random detail tables')
})

t.test('what a reader sees', async (t) => {
  const list = suppressList([12, 2, 0, 30], 5)
  t.same(
    list.cells.map((cell) => cellText(cell, 5)),
    ['•', '< 5', '0', '30'],
    'the 2 is shown as "< 5", zero stays, and the smallest other cell is hidden so the 2 cannot be worked out from the total',
  )
  t.equal(cellText(list.total, 5), '44')
  t.same(
    suppressCounts([1, 4, 5, 0], 5).map((cell) => cellText(cell, 5)),
    ['< 5', '< 5', '5', '0'],
  )
  // A check that the attacker in this file is not toothless: an unprotected pattern is caught.
  const unprotected = [12, 2, 0, 30].map((value): Cell => ({ value, state: value > 0 && value < 5 ? 'small' : 'shown' }))
  const entries = [...unprotected, { value: 44, state: 'shown' as const }].map((cell) => ({ cell, k: 5 }))
  t.same(derivableEntries(entries, [[[0, 1], [1, 1], [2, 1], [3, 1], [4, -1]]]), [1], 'without secondary suppression the 2 is derivable')
})
