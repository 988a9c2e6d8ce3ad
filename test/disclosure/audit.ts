import lpSolver from 'javascript-lp-solver'
import { K } from '../../src/answers/cell-key.ts'
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
 *     then an integer program)? A target with one feasible size is pinned: its true small
 *     count is disclosed.
 * (b) Averaging: every differencing path to a target (each published A ⊃ B with A \ B the
 *     target, and the target's own cell when it is published) is an unbiased estimate
 *     p(A) − p(B); their mean is the least-squares estimate under equal, independent
 *     noise. It succeeds when, rounded, it equals the true count. The baseline is one
 *     path: the most direct one (the target's own cell, else the pair with the smallest A).
 */

// The package's types declare its default export in a way NodeNext resolution misreads; at run time it is the solver object.
const solver = lpSolver as unknown as { Solve(model: object): unknown }

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
  const membership = new Map<number, bigint>()
  publication.cells.forEach((cell, index) => {
    for (const record of cell.records) membership.set(record, (membership.get(record) ?? 0n) | (1n << BigInt(index)))
  })
  const atomOfSignature = new Map<bigint, number>()
  const atomOfRecord = new Map<number, number>()
  const atomSizes: number[] = []
  for (const [record, signature] of membership) {
    let atom = atomOfSignature.get(signature)
    if (atom === undefined) {
      atom = atomSizes.length
      atomOfSignature.set(signature, atom)
      atomSizes.push(0)
    }
    atomSizes[atom]! += 1
    atomOfRecord.set(record, atom)
  }
  const byAtoms = new Map<bigint, Cell>()
  const inconsistent: string[] = []
  for (const published of publication.cells) {
    let atoms = 0n
    for (const record of published.records) atoms |= 1n << BigInt(atomOfRecord.get(record)!)
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
 * `target` a size in [min, max]? A feasibility problem: the branch and bound stops at the
 * first integer solution, much sooner than when it has to prove an optimum.
 */
export function feasibleSize(system: AuditSystem, target: bigint, min: number, max: number): boolean | 'undecided' {
  const variables: Record<string, Record<string, number>> = {}
  const ints: Record<string, 1> = {}
  system.atomSizes.forEach((_, atom) => {
    variables[`x${atom}`] = { objective: 0, target: (target >> BigInt(atom)) & 1n ? 1 : 0 }
    ints[`x${atom}`] = 1
  })
  const constraints: Record<string, { min?: number; max?: number }> = { target: { min: Math.max(0, min), ...(Number.isFinite(max) ? { max } : {}) } }
  system.cells.forEach((cell, index) => {
    const bound: { min?: number; max?: number } = {}
    if (cell.lo > 0) bound.min = cell.lo
    if (Number.isFinite(cell.hi)) bound.max = cell.hi
    if (bound.min === undefined && bound.max === undefined) return
    constraints[`c${index}`] = bound
    for (const atom of atomsIn(cell.atoms)) variables[`x${atom}`]![`c${index}`] = 1
  })
  const started = Date.now()
  const result = solver.Solve({ optimize: 'objective', opType: 'max', constraints, variables, ints, timeout: SOLVE_TIMEOUT_MS }) as { feasible: boolean }
  if (Date.now() - started >= SOLVE_TIMEOUT_MS) return 'undecided'
  return result.feasible
}

/** A branch and bound that has not finished by then is reported, not guessed (see `BoundsResult.undecided`). */
const SOLVE_TIMEOUT_MS = Number(process.env.DISCLOSURE_SOLVE_TIMEOUT_MS ?? 10_000)

/**
 * A witness without the solver: move one unit into (or out of) a target atom, then repair
 * every published interval that move breaks by moving units of atoms outside the target
 * (greedy, with a seeded random choice, a few restarts). Whatever it ends on is checked
 * against every interval, so a witness it finds is a second feasible size and the target
 * is not pinned; when it finds none, the integer program decides.
 */
function simpleWitness(system: AuditSystem, target: Target, delta: 1 | -1): boolean {
  const inTarget = (atom: number) => ((target.atoms >> BigInt(atom)) & 1n) === 1n
  const cellAtoms = system.cells.map((cell) => atomsIn(cell.atoms))
  let seed = 1 + target.size + Number(target.atoms % 1_000_003n)
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed % n
  }
  for (const start of atomsIn(target.atoms)) {
    for (let restart = 0; restart < 4; restart++) {
      const sizes = [...system.atomSizes]
      if (sizes[start]! + delta < 0) break
      sizes[start]! += delta
      for (let step = 0; step < 60; step++) {
        const broken = system.cells.findIndex((cell, i) => {
          const size = cellAtoms[i]!.reduce((sum, atom) => sum + sizes[atom]!, 0)
          return size < cell.lo || size > cell.hi
        })
        if (broken < 0) return true
        const cell = system.cells[broken]!
        const size = cellAtoms[broken]!.reduce((sum, atom) => sum + sizes[atom]!, 0)
        const fix = size > cell.hi ? -1 : 1
        const movable = cellAtoms[broken]!.filter((atom) => !inTarget(atom) && sizes[atom]! + fix >= 0)
        if (movable.length === 0) break
        sizes[movable[random(movable.length)]!]! += fix
      }
    }
  }
  return false
}

/**
 * (a) for each target: is there a second feasible size? One size above the true one or
 * one below is enough; a target is pinned when neither exists (min === max then).
 */
export function boundTarget(system: AuditSystem, target: Target): BoundsResult {
  if (simpleWitness(system, target, 1)) return { target, min: target.size, max: target.size + 1, undecided: false }
  if (simpleWitness(system, target, -1)) return { target, min: target.size - 1, max: target.size, undecided: false }
  const above = feasibleSize(system, target.atoms, target.size + 1, Number.POSITIVE_INFINITY)
  if (above === true) return { target, min: target.size, max: target.size + 1, undecided: false }
  const below = target.size > 0 ? feasibleSize(system, target.atoms, 0, target.size - 1) : false
  if (below === true) return { target, min: target.size - 1, max: target.size, undecided: false }
  return { target, min: target.size, max: target.size, undecided: above === 'undecided' || below === 'undecided' }
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

/** (b) the least-squares attacker against one target, next to the one-path baseline. */
export function averageTarget(system: AuditSystem, target: Target): AveragingResult | null {
  const estimates: Array<{ estimate: number; order: number }> = []
  const direct = system.cells.find((cell) => cell.atoms === target.atoms)
  if (direct?.value != null) estimates.push({ estimate: direct.value, order: -1 })
  for (const a of system.cells) {
    if (a.value === null || (a.atoms & target.atoms) !== target.atoms || a.atoms === target.atoms) continue
    const rest = a.atoms & ~target.atoms
    for (const b of system.cells) {
      if (b.atoms === rest && b.value !== null) estimates.push({ estimate: a.value - b.value, order: a.size })
    }
  }
  if (estimates.length === 0) return null
  const guess = (value: number) => Math.max(0, Math.round(value))
  const baseline = estimates.reduce((best, e) => (e.order < best.order ? e : best))
  const mean = estimates.reduce((sum, e) => sum + e.estimate, 0) / estimates.length
  return { target, paths: estimates.length, baselineRight: guess(baseline.estimate) === target.size, attackerRight: guess(mean) === target.size }
}

export { bitCount }
