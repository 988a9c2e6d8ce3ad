/**
 * An exact integer feasibility search for the bounds check (a): is there a count
 * x_a ≥ 0 of every atom with lo_c ≤ Σ_{a ∈ c} x_a ≤ hi_c for every published cell c?
 *
 * Why not an LP package: javascript-lp-solver's branch and bound did not finish on the
 * reader's whole domain (a few hundred atoms, most of them empty) and does not keep to
 * its own timeout. These systems are small sums of 0/1 rows with interval bounds, which
 * bounds propagation handles well: each row tightens every atom's range by what the
 * other atoms of the row can and must hold, to a fixpoint; a search then branches on one
 * atom at a time, trying the value a guide (the true counts) suggests first, so that a
 * feasible system is usually settled on the first dive and an infeasible one is refuted
 * by propagation after a few branches. Sound both ways: a solution is checked against
 * every row before it is reported, and a branch is only dropped when propagation proves
 * that no integer point is left in it. A search that runs out of nodes says so.
 */

export interface Row {
  atoms: readonly number[]
  lo: number
  /** May be Infinity. */
  hi: number
}

export type Feasibility = { feasible: true; solution: number[] } | { feasible: false } | { feasible: 'undecided' }

export function solveIntervals(atomCount: number, rows: readonly Row[], guide: readonly number[], nodeLimit = 20_000): Feasibility {
  let seed = 12_345
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  const rowsOfAtom: number[][] = Array.from({ length: atomCount }, () => [])
  rows.forEach((row, r) => {
    for (const a of row.atoms) rowsOfAtom[a]!.push(r)
  })
  const lower = new Float64Array(atomCount)
  const upper = new Float64Array(atomCount).fill(Number.POSITIVE_INFINITY)
  let nodes = 0

  /** Tightens `lower`/`upper` in place; false when some range is empty. */
  function propagate(lower: Float64Array, upper: Float64Array, start: readonly number[]): boolean {
    const queued = new Uint8Array(rows.length)
    const queue: number[] = []
    for (const r of start) {
      if (!queued[r]) {
        queued[r] = 1
        queue.push(r)
      }
    }
    while (queue.length > 0) {
      const r = queue.pop()!
      queued[r] = 0
      const row = rows[r]!
      let sumLower = 0
      let sumUpper = 0
      for (const a of row.atoms) {
        sumLower += lower[a]!
        sumUpper += upper[a]!
      }
      if (sumLower > row.hi || sumUpper < row.lo) return false
      for (const a of row.atoms) {
        const othersLower = sumLower - lower[a]!
        // with an infinite upper somewhere, the others' upper sum is infinite unless it is a's own
        const othersUpper = upper[a] === Number.POSITIVE_INFINITY ? sumUpperWithout(row, upper, a) : sumUpper - upper[a]!
        const newUpper = Math.min(upper[a]!, row.hi - othersLower)
        const newLower = Math.max(lower[a]!, row.lo - othersUpper)
        if (newLower > newUpper) return false
        if (newUpper < upper[a]! || newLower > lower[a]!) {
          sumLower += newLower - lower[a]!
          sumUpper = sumUpper === Number.POSITIVE_INFINITY ? sumUpperAll(row, upper, a, newUpper) : sumUpper + newUpper - upper[a]!
          lower[a] = newLower
          upper[a] = newUpper
          for (const other of rowsOfAtom[a]!) {
            if (other !== r && !queued[other]) {
              queued[other] = 1
              queue.push(other)
            }
          }
        }
      }
    }
    return true
  }

  function sumUpperWithout(row: Row, upper: Float64Array, skip: number): number {
    let sum = 0
    for (const a of row.atoms) if (a !== skip) sum += upper[a]!
    return sum
  }
  function sumUpperAll(row: Row, upper: Float64Array, changed: number, value: number): number {
    let sum = 0
    for (const a of row.atoms) sum += a === changed ? value : upper[a]!
    return sum
  }

  function check(solution: number[]): boolean {
    return rows.every((row) => {
      const sum = row.atoms.reduce((s, a) => s + solution[a]!, 0)
      return sum >= row.lo && sum <= row.hi
    })
  }

  function search(lower: Float64Array, upper: Float64Array, changed: readonly number[]): Feasibility {
    if (++nodes > budget) return { feasible: 'undecided' }
    if (!propagate(lower, upper, changed)) return { feasible: false }
    // the open atom with the smallest range first: fewest branches, most propagation
    let pick = -1
    let width = Number.POSITIVE_INFINITY
    let ties = 0
    for (let a = 0; a < atomCount; a++) {
      const w = upper[a]! - lower[a]!
      if (w <= 0 || w > width) continue
      if (w < width) {
        width = w
        pick = a
        ties = 1
      } else if (random() * ++ties < 1) pick = a // a random one of the narrowest (restarts differ)
    }
    if (pick < 0) {
      const solution = Array.from(lower)
      return check(solution) ? { feasible: true, solution } : { feasible: false }
    }
    const value = Math.min(Math.max(guide[pick] ?? 0, lower[pick]!), upper[pick]!)
    const branches: Array<[number, number]> = [[value, value]]
    // then the side nearer the guide's other values first: below, then above
    if (value > lower[pick]!) branches.push([lower[pick]!, value - 1])
    if (value < upper[pick]!) branches.push([value + 1, upper[pick]!])
    let undecided = false
    for (const [from, to] of branches) {
      const l = lower.slice()
      const u = upper.slice()
      l[pick] = from
      u[pick] = to
      const result = search(l, u, rowsOfAtom[pick]!)
      if (result.feasible === true) return result
      if (result.feasible === 'undecided') undecided = true
      if (nodes > budget) return { feasible: 'undecided' }
    }
    return undecided ? { feasible: 'undecided' } : { feasible: false }
  }

  if (!propagate(lower, upper, rows.map((_, r) => r))) return { feasible: false }
  // Restarts with growing budgets (and other tie-breaks) instead of one deep search: a dive
  // that fixed the wrong atoms early thrashes below them, a fresh one usually does not.
  // A restart that ends without hitting its budget has searched its whole tree: final.
  let budget = 0
  for (let step = 64; ; step *= 2) {
    const room = Math.min(step, nodeLimit - nodes)
    if (room <= 0) return { feasible: 'undecided' }
    budget = nodes + room
    const result = search(lower.slice(), upper.slice(), [])
    if (result.feasible !== 'undecided') return result
  }
}
