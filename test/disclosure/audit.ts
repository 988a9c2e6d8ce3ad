import { K } from '../../src/answers/cell-key.ts'
import { type Row, solveIntervals } from './bounds-solver.ts'
import type { DisclosureModel, Publication } from './publication.ts'

/**
 * The disclosure audit: what can a reader who collects every figure of a publication,
 * and knows the method, work out about a small group of answers?
 *
 * Unknowns are the *atoms*: the classes of answers that every published cell either
 * counts entirely or not at all (answers with the same membership in every cell). A
 * published cell says "the sum of these atoms lies in this interval" (the model's
 * interval of the shown value); cells with the same answers are merged, their intervals
 * intersected. A *target* is a group of answers the query space can single out — an
 * atom, or the answers of a cell A not in a cell B ⊂ A — whose true size is 1 … k−1.
 *
 * (a) Bounds: is there an integer count of every atom that agrees with every published
 *     interval and gives the target another size than its true one (a witness search,
 *     then an exhaustive search, bounds-solver.ts)? A target with one feasible size is pinned: its true small
 *     count is disclosed.
 * (b) Averaging: every differencing path to a target (each published A ⊃ B with A \ B the
 *     target, and the target's own cell when it is published) is an unbiased estimate
 *     p(A) − p(B); their mean is the least-squares estimate under equal, independent
 *     noise. It succeeds when, rounded, it equals the true count. The baseline is one
 *     path: the most direct one (the target's own cell, else the pair with the smallest A).
 */

export interface Cell {
  /** Bitmask of atoms (atom i is bit i). */
  atoms: bigint
  /** The answers it counts, and so its true count. */
  size: number
  lo: number
  hi: number
  /** A published number (for averaging), when every cell with these answers showed the same one. */
  value: number | null
  sources: string[]
}

export interface AuditSystem {
  atomSizes: number[]
  cells: Cell[]
  /** Same answers, different shown numbers: the method was not applied consistently. */
  inconsistent: string[]
}

function bitCount(mask: bigint): number {
  let count = 0
  for (let m = mask; m > 0n; m &= m - 1n) count++
  return count
}

function atomsIn(mask: bigint): number[] {
  const found: number[] = []
  for (let i = 0, m = mask; m > 0n; i++, m >>= 1n) if (m & 1n) found.push(i)
  return found
}

/** Merges cells with the same answers and splits the answers into atoms. */
export function buildSystem(publication: Publication, model: DisclosureModel): AuditSystem {
  const cellsOfRecord = new Map<number, number[]>()
  publication.cells.forEach((cell, index) => {
    for (const record of cell.records) {
      const of = cellsOfRecord.get(record)
      if (of === undefined) cellsOfRecord.set(record, [index])
      else of.push(index)
    }
  })
  const atomOfSignature = new Map<string, number>()
  const signatures: (readonly number[])[] = []
  const atomSizes: number[] = []
  const atomFor = (signature: readonly number[]) => {
    const key = signature.join(',')
    let atom = atomOfSignature.get(key)
    if (atom === undefined) {
      atom = atomSizes.length
      atomOfSignature.set(key, atom)
      atomSizes.push(0)
      signatures.push(signature)
    }
    return atom
  }
  for (const signature of cellsOfRecord.values()) atomSizes[atomFor(signature)]! += 1
  if (publication.possible !== undefined) {
    const existing = atomSizes.length
    for (const signature of publication.possible) atomFor(signature)
    // every answer must be of a kind the reader considers possible, or the domain is wrong
    const known = new Set(publication.possible.map((signature) => signature.join(',')))
    for (const [key, atom] of atomOfSignature) if (atom < existing && !known.has(key)) throw new Error(`an answer counted by cells ${key} is outside the reader's domain`)
  }
  const atomsOfCell: bigint[] = publication.cells.map(() => 0n)
  signatures.forEach((signature, atom) => {
    for (const index of signature) atomsOfCell[index]! |= 1n << BigInt(atom)
  })
  const byAtoms = new Map<bigint, Cell>()
  const inconsistent: string[] = []
  for (const [index, published] of publication.cells.entries()) {
    const atoms = atomsOfCell[index]!
    const [lo, hi] = model.interval(published)
    const value = typeof published.published === 'number' ? published.published : null
    const known = byAtoms.get(atoms)
    if (known === undefined) {
      byAtoms.set(atoms, { atoms, size: published.records.length, lo, hi, value, sources: [published.source] })
      continue
    }
    if (known.value !== null && value !== null && known.value !== value) inconsistent.push(`${known.sources[0]} shows ${known.value}, ${published.source} shows ${value}`)
    known.lo = Math.max(known.lo, lo)
    known.hi = Math.min(known.hi, hi)
    if (known.value === null) known.value = value
    known.sources.push(published.source)
  }
  return { atomSizes, cells: [...byAtoms.values()].filter((cell) => cell.atoms !== 0n || cell.lo > 0), inconsistent }
}

export interface Target {
  atoms: bigint
  size: number
  /** How the query space singles it out, for messages. */
  description: string
}

/** Every atom and every difference of nested cells whose true size is 1 … k − 1. */
export function smallTargets(system: AuditSystem, k = K): Target[] {
  const found = new Map<bigint, Target>()
  system.atomSizes.forEach((size, atom) => {
    if (size > 0 && size < k) found.set(1n << BigInt(atom), { atoms: 1n << BigInt(atom), size, description: `atom ${atom}` })
  })
  const cells = system.cells
  for (const a of cells) {
    for (const b of cells) {
      const difference = a.size - b.size
      if (difference < 1 || difference >= k || (a.atoms & b.atoms) !== b.atoms) continue
      const atoms = a.atoms & ~b.atoms
      if (!found.has(atoms)) found.set(atoms, { atoms, size: difference, description: `${a.sources[0]} minus ${b.sources[0]}` })
    }
  }
  return [...found.values()]
}

export interface BoundsResult {
  target: Target
  /** Two feasible sizes (the true one and a second), or min === max when only the true one is. */
  min: number
  max: number
  /** The solver ran out of time before it found a second size or proved there is none. */
  undecided: boolean
}

/**
 * Is there an integer count of every atom that fits every published interval and gives
 * `target` a size in [min, max]? A feasibility problem for the bounds search of
 * bounds-solver.ts, guided by the true counts.
 */
export function feasibleSize(system: AuditSystem, target: bigint, min: number, max: number, nodes = SEARCH_NODES): boolean | 'undecided' {
  const rows: Row[] = [{ atoms: atomsIn(target), lo: Math.max(0, min), hi: max }]
  for (const cell of system.cells) if (cell.lo > 0 || Number.isFinite(cell.hi)) rows.push({ atoms: atomsIn(cell.atoms), lo: cell.lo, hi: cell.hi })
  return solveIntervals(system.atomSizes.length, rows, system.atomSizes, nodes).feasible
}

/** A search that has not finished by then is reported, not guessed (see `BoundsResult.undecided`). */
const SEARCH_NODES = Number(process.env.DISCLOSURE_SEARCH_NODES ?? 5_000)

/**
 * A witness without the search: move one unit into (or out of) a target atom, then repair
 * every published interval that move breaks by moving units of atoms outside the target
 * (min-conflicts: the move that breaks the fewest other intervals, ties and one move in
 * four at random, seeded; restarts). Whatever it ends on is checked against every
 * interval, so a witness it finds is a second feasible size and the target is not
 * pinned; when it finds none, the exhaustive search decides.
 */
const WITNESS_RESTARTS = Number(process.env.DISCLOSURE_WITNESS_RESTARTS ?? 400)
const WITNESS_STEPS = 200

function simpleWitness(system: AuditSystem, target: Target, delta: 1 | -1, restarts: number): boolean {
  const inTarget = (atom: number) => ((target.atoms >> BigInt(atom)) & 1n) === 1n
  const cellAtoms = cellAtomLists(system)
  const cellsOfAtom: number[][] = system.atomSizes.map(() => [])
  cellAtoms.forEach((atoms, c) => {
    for (const atom of atoms) cellsOfAtom[atom]!.push(c)
  })
  let seed = 1 + target.size + Number(target.atoms % 1_000_003n)
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed % n
  }
  const trueSums = cellAtoms.map((atoms) => atoms.reduce((sum, atom) => sum + system.atomSizes[atom]!, 0))
  const broken = (c: number, sum: number) => sum < system.cells[c]!.lo || sum > system.cells[c]!.hi
  for (const start of atomsIn(target.atoms)) {
    if (system.atomSizes[start]! + delta < 0) continue
    for (let restart = 0; restart < restarts; restart++) {
      const sizes = [...system.atomSizes]
      const sums = [...trueSums]
      const move = (atom: number, by: number) => {
        sizes[atom]! += by
        for (const c of cellsOfAtom[atom]!) sums[c]! += by
      }
      move(start, delta)
      for (let step = 0; step < WITNESS_STEPS; step++) {
        const open = sums.findIndex((sum, c) => broken(c, sum))
        if (open < 0) return true
        const fix = sums[open]! > system.cells[open]!.hi ? -1 : 1
        const movable = cellAtoms[open]!.filter((atom) => !inTarget(atom) && sizes[atom]! + fix >= 0)
        if (movable.length === 0) break
        let choice = movable[random(movable.length)]!
        if (random(4) !== 0) {
          let fewest = Number.POSITIVE_INFINITY
          let ties = 0
          for (const atom of movable) {
            let conflicts = 0
            for (const c of cellsOfAtom[atom]!) if (broken(c, sums[c]! + fix)) conflicts++
            if (conflicts < fewest) {
              fewest = conflicts
              choice = atom
              ties = 1
            } else if (conflicts === fewest && random(++ties) === 0) choice = atom
          }
        }
        move(choice, fix)
      }
    }
  }
  return false
}

const atomLists = new WeakMap<AuditSystem, number[][]>()
function cellAtomLists(system: AuditSystem): number[][] {
  let lists = atomLists.get(system)
  if (lists === undefined) {
    lists = system.cells.map((cell) => atomsIn(cell.atoms))
    atomLists.set(system, lists)
  }
  return lists
}

/**
 * (a) for each target: is there a second feasible size? One size above the true one or
 * one below is enough; a target is pinned when neither exists (min === max then).
 */
/** `effort` scales every budget below (the mutants of CI's short run use less: they need one pinned target, not a count). */
export function boundTarget(system: AuditSystem, target: Target, effort = 1): BoundsResult {
  const above = { min: target.size, max: target.size + 1 }
  const below = { min: target.size - 1, max: target.size }
  let up: boolean | 'undecided' = 'undecided'
  let down: boolean | 'undecided' = target.size > 0 ? 'undecided' : false
  // Cheapest first: a short witness search, a short exhaustive one (which refutes most
  // pinned targets at once), a long witness search, then the exhaustive search in full.
  for (const [restarts, nodes] of [
    [WITNESS_RESTARTS / 20, SEARCH_NODES / 10],
    [WITNESS_RESTARTS * effort, SEARCH_NODES * effort],
  ] as const) {
    if (up === 'undecided' && simpleWitness(system, target, 1, restarts)) return { target, ...above, undecided: false }
    if (down === 'undecided' && simpleWitness(system, target, -1, restarts)) return { target, ...below, undecided: false }
    if (up === 'undecided') up = feasibleSize(system, target.atoms, target.size + 1, Number.POSITIVE_INFINITY, nodes)
    if (up === true) return { target, ...above, undecided: false }
    if (down === 'undecided') down = feasibleSize(system, target.atoms, 0, target.size - 1, nodes)
    if (down === true) return { target, ...below, undecided: false }
    if (up === false && down === false) break
  }
  return { target, min: target.size, max: target.size, undecided: up === 'undecided' || down === 'undecided' }
}

export function isPinned(result: BoundsResult): boolean {
  return result.min === result.max && !result.undecided
}

export interface AveragingResult {
  target: Target
  paths: number
  baselineRight: boolean
  attackerRight: boolean
}

// cells are merged by their atoms (buildSystem), so each atom set names at most one cell
const cellIndex = new WeakMap<AuditSystem, Map<bigint, Cell>>()
function cellsByAtoms(system: AuditSystem): Map<bigint, Cell> {
  let index = cellIndex.get(system)
  if (index === undefined) {
    index = new Map(system.cells.map((cell) => [cell.atoms, cell]))
    cellIndex.set(system, index)
  }
  return index
}

/** (b) the least-squares attacker against one target, next to the one-path baseline. */
export function averageTarget(system: AuditSystem, target: Target): AveragingResult | null {
  const estimates: Array<{ estimate: number; order: number }> = []
  const direct = system.cells.find((cell) => cell.atoms === target.atoms)
  if (direct?.value != null) estimates.push({ estimate: direct.value, order: -1 })
  const byAtoms = cellsByAtoms(system)
  for (const a of system.cells) {
    if (a.value === null || (a.atoms & target.atoms) !== target.atoms || a.atoms === target.atoms) continue
    const b = byAtoms.get(a.atoms & ~target.atoms)
    if (b !== undefined && b.value !== null) estimates.push({ estimate: a.value - b.value, order: a.size })
  }
  if (estimates.length === 0) return null
  const guess = (value: number) => Math.max(0, Math.round(value))
  const baseline = estimates.reduce((best, e) => (e.order < best.order ? e : best))
  const mean = estimates.reduce((sum, e) => sum + e.estimate, 0) / estimates.length
  return { target, paths: estimates.length, baselineRight: guess(baseline.estimate) === target.size, attackerRight: guess(mean) === target.size }
}

export { bitCount }
