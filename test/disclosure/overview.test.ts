import fc from 'fast-check'
import t, { type Test } from 'tap'
import { K, PERTURBATION_TABLE } from '../../src/answers/cell-key.ts'
import { averageTarget, boundTarget, buildSystem, isPinned, smallTargets } from './audit.ts'
import { cellKeyModel, type DisclosureModel, type Publication } from './publication.ts'
import { gridWindows, publishCellKey, type RawCell, readerDomain, type World, worldArbitrary } from './synthetic.ts'

/**
 * The overview over several regions (src/planning/overview.ts) as a publication of its own:
 * per period, each region's demand per theme and its answers, and the same over all the
 * regions together. The synthetic world's `partner` stands for the region (two of them).
 *
 * The total over the regions is published through the cell key of the union of the
 * regions' records. Beside the per-region figures it is one more equation: the mutant that
 * prints the true total instead lets the bounds pin small counts down, which is why the
 * product perturbs it like every other count.
 */

const DATASETS = Number(process.env.DISCLOSURE_OVERVIEW_DATASETS ?? 60)
const SEED = Number(process.env.DISCLOSURE_SEED ?? 20260415)
const worlds = fc.sample(worldArbitrary(1), { seed: SEED, numRuns: DATASETS })

/** The overview's cells on every grid window: region × theme, region, theme over the regions, all. */
function overviewCells(world: World): RawCell[] {
  const cells: RawCell[] = []
  let table = 0
  for (const window of gridWindows(world)) {
    const inWindow = world.records.filter((r) => r.day >= window.from && r.day <= window.to)
    for (const theme of [0, 1, undefined]) {
      table++
      for (const region of [0, 1, undefined]) {
        const setting = { ...(region === undefined ? {} : { partner: region }), ...(theme === undefined ? {} : { theme }) }
        const records = inWindow.filter((r) => (region === undefined || r.partner === region) && (theme === undefined || r.theme === theme))
        const over = region === undefined ? 'together' : `region ${region}`
        cells.push({ source: `${window.label} ${over} ${theme === undefined ? 'answers' : `theme ${theme}`}`, window, setting, records, table, total: region === undefined })
      }
    }
  }
  return cells
}

/** The mutant: the totals over the regions printed as their true counts. */
function exactTotals(cells: readonly RawCell[], published: Publication): Publication {
  return { ...published, cells: published.cells.map((cell, i) => (cells[i]!.total ? { ...cell, source: `exact ${cell.source}`, published: cells[i]!.records.length } : cell)) }
}

const mixedModel: DisclosureModel = {
  name: 'cell key, exact totals',
  interval(cell) {
    if (cell.source.startsWith('exact ')) return [cell.published as number, cell.published as number]
    return cellKeyModel(PERTURBATION_TABLE).interval(cell)
  },
}

function audit(t: Test, exact: boolean) {
  let targets = 0
  let pinned = 0
  let undecided = 0
  let averaging = 0
  let attacker = 0
  let baseline = 0
  for (const world of worlds) {
    const cells = overviewCells(world)
    const cellKeyed = publishCellKey(cells, PERTURBATION_TABLE)
    const publication = { ...(exact ? exactTotals(cells, cellKeyed) : cellKeyed), possible: readerDomain(world, cells) }
    const system = buildSystem(publication, exact ? mixedModel : cellKeyModel(PERTURBATION_TABLE))
    if (!exact) t.same(system.inconsistent, [], 'the same answers publish the same number everywhere')
    for (const target of smallTargets(system, K).slice(0, 6)) {
      const result = boundTarget(system, target)
      targets++
      if (result.undecided) undecided++
      if (isPinned(result)) pinned++
    }
    for (const target of exact ? [] : smallTargets(system, K)) {
      const result = averageTarget(system, target)
      if (result === null) continue
      averaging++
      if (result.attackerRight) attacker++
      if (result.baselineRight) baseline++
    }
  }
  return { targets, pinned, undecided, averaging, attacker, baseline }
}

t.test('the overview’s totals over the regions, published through the union’s cell key: nothing pinned, averaging within the limit', async (t) => {
  const figures = audit(t, false)
  t.comment(JSON.stringify(figures))
  t.ok(figures.targets >= 100, `at least 100 small targets bounded (${figures.targets})`)
  t.equal(figures.pinned + figures.undecided, 0, 'no small target pinned (and none undecided)')
  const rate = (n: number) => (figures.averaging === 0 ? 0 : (100 * n) / figures.averaging)
  t.ok(rate(figures.attacker) <= rate(figures.baseline) + 10, `averaging gains at most 10 points over one path (${rate(figures.attacker).toFixed(1)} % against ${rate(figures.baseline).toFixed(1)} %)`)
})

t.test('mutant: the true total beside the perturbed regions is flagged', async (t) => {
  const figures = audit(t, true)
  t.comment(JSON.stringify(figures))
  t.ok(figures.pinned > 0, `small targets pinned (${figures.pinned} of ${figures.targets})`)
})
