import type { Kysely } from 'kysely'
import type { AgeBand, Audience, Database } from '../db/types.ts'
import { defaultLanguage } from '../i18n/i18n.ts'
import { themeLabel } from '../themes/index.ts'
import { emergingThemes } from '../answers/emerging.ts'
import { dayStartUtc, addDays, type Period } from '../answers/index.ts'
import { type GridPeriod, periodOf, periodRange, previousPeriod, dayNumber } from '../answers/period-grid.ts'
import {
  addInto,
  type DashboardFilters,
  type DashboardScope,
  emptyMeasures,
  type Measures,
  answersByDay,
  measuresOver,
  measuresByPlace,
  noMeasures,
  recentTexts,
  regionDirectory,
  type RegionDirectory,
  themeCounts,
} from './queries.ts'
import { type Cell, K, publishedAverage, publishedCell, publishedShare } from './cells.ts'
import { textStatistics, type TextStatistics, textWindow } from './text-stats.ts'

/**
 * Everything the dashboard page, the CSV export, the report and the API show, already
 * published (issue 15, docs/privacy.md): figures for one period of the fixed grid
 * (answers/period-grid.ts), counted up to the end of yesterday in Brussels, every count
 * through the cell key of its answers (cells.ts), and everything derived (shares, the
 * liked average, emerging flags) worked out from published counts only. Templates and
 * routes never see a true count. Totals are published counts of their own: a table's
 * cells need not add up to its total.
 */

export const audiences = ['all', 'children', 'youth', 'adults', 'seniors'] as const satisfies readonly Audience[]
export const ageBandKeys = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', ''] as const satisfies readonly (AgeBand | '')[]

export interface Headline {
  responses: Cell
  /** Shares of published counts (whole percents, 0…1) and the average of the published faces; null without a published whole. */
  triedNewShare: number | null
  triedABitShare: number | null
  likedAverage: number | null
  step2Share: number | null
}

export interface WeekBar {
  week: string
  monday: string
  cell: Cell
}

export interface RankedTheme {
  themeId: number
  cell: Cell
  share: number | null
}

export interface EmergingRow {
  themeId: number
  current: Cell
  previous: Cell
  currentTotal: Cell
  previousTotal: Cell
  z: number
}

export type BreakdownKey = 'location' | 'partner' | 'activity' | 'audience' | 'age_band'

export interface BreakdownRow {
  /** Id, audience or age band ('' = not given). */
  key: string
  /** For activities: the partner it belongs to. */
  groupKey?: string
  cell: Cell
  triedNewShare: number | null
  likedAverage: number | null
}

export interface Breakdown {
  key: BreakdownKey
  rows: BreakdownRow[]
  total: Cell
}

export interface AgeByLocation {
  columns: (AgeBand | '')[]
  rows: { locationId: number; cells: Cell[]; total: Cell }[]
  columnTotals: Cell[]
  total: Cell
}

export interface DashboardModel {
  k: number
  /** The grid period shown and the one of the same kind before it (null before 2000). */
  grid: GridPeriod
  previousGrid: GridPeriod | null
  /** Their days as counted on this day: never past yesterday. */
  period: Period
  previous: Period
  directory: RegionDirectory
  headline: Headline
  weeks: WeekBar[]
  themes: RankedTheme[]
  emerging: EmergingRow[]
  breakdowns: Breakdown[]
  ageByLocation: AgeByLocation
  text: TextStatistics
}

const faceCounts = ['liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const

/** The published cells of one slice's measures. */
function cellsOf(m: Measures) {
  return {
    responses: publishedCell(m.responses, m.responses_key),
    triedYes: publishedCell(m.tried_yes, m.tried_yes_key),
    triedABit: publishedCell(m.tried_a_bit, m.tried_a_bit_key),
    step2: publishedCell(m.step2, m.step2_key),
    faces: faceCounts.map((face) => publishedCell(m[face], m[`${face}_key`])),
  }
}

function headlineOf(total: Measures): Headline {
  const cells = cellsOf(total)
  return {
    responses: cells.responses,
    triedNewShare: publishedShare(cells.triedYes, cells.responses),
    triedABitShare: publishedShare(cells.triedABit, cells.responses),
    likedAverage: publishedAverage(cells.faces),
    step2Share: publishedShare(cells.step2, cells.responses),
  }
}

function groupMeasures<T>(rows: readonly (Measures & T)[], keyOf: (row: T) => string): Map<string, Measures> {
  const groups = new Map<string, Measures>()
  for (const row of rows) {
    const key = keyOf(row)
    let group = groups.get(key)
    if (!group) groups.set(key, (group = emptyMeasures()))
    addInto(group, row)
  }
  return groups
}

function breakdownRows(keys: readonly string[], groups: Map<string, Measures>, groupKeys?: readonly string[]): BreakdownRow[] {
  return keys.map((key, index) => {
    const cells = cellsOf(groups.get(key) ?? noMeasures)
    return {
      key,
      ...(groupKeys ? { groupKey: groupKeys[index] } : {}),
      cell: cells.responses,
      triedNewShare: publishedShare(cells.triedYes, cells.responses),
      likedAverage: publishedAverage(cells.faces),
    }
  })
}

export interface LoadOptions {
  /** Texts per period for word statistics; 0 reads no free text (share links, the API). */
  textWindow?: number
  /** The scope's directory when the caller has read it already (it checks filters against it). */
  directory?: RegionDirectory
}

/**
 * The whole ISO weeks inside a period's days, oldest first: each bar is then the same cell
 * as that week chosen as the period (a week cut by the period's edge would be a free day
 * range, which the grid exists to avoid).
 */
function weeksInside(range: Period, today: string): GridPeriod[] {
  const weeks: GridPeriod[] = []
  for (let day = dayNumber(range.from); day <= dayNumber(range.to); day += 7) {
    const week = periodOf('week', day)
    const days = periodRange(week, today)
    if (days.from >= range.from && days.to <= range.to) weeks.push(week)
  }
  const seen = new Set<string>()
  return weeks.filter((week) => {
    const id = JSON.stringify(week)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/**
 * Loads and publishes a whole dashboard for a slice and a grid period on `today` (the
 * Brussels day); undefined for an unknown region. Throws a GridPeriodError for a period
 * that has no day before today: filters.ts has told the person already.
 */
export async function loadDashboard(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  grid: GridPeriod,
  today: string,
  options: LoadOptions = {},
): Promise<DashboardModel | undefined> {
  const period = periodRange(grid, today)
  const previousGrid = previousPeriod(grid)
  // Before 2000 there is no grid and no answer: an empty period the day before.
  const previous = previousGrid ? periodRange(previousGrid, today) : { from: addDays(period.from, -1), to: addDays(period.from, -1) }
  const window = options.textWindow ?? textWindow
  const directory = options.directory ?? (await regionDirectory(db, scope))
  if (!directory) return undefined
  const k = K
  const [currentDays, total, previousTotal, themes, places, currentTexts, previousTexts] = await Promise.all([
    answersByDay(db, scope, filters, period),
    measuresOver(db, scope, filters, period),
    measuresOver(db, scope, filters, previous),
    themeCounts(db, scope, filters, period, previous),
    measuresByPlace(db, scope, filters, period, directory.posters),
    recentTexts(db, scope, filters, dayStartUtc(period.from), dayStartUtc(addDays(period.to, 1)), window),
    recentTexts(db, scope, filters, dayStartUtc(previous.from), dayStartUtc(addDays(previous.to, 1)), window),
  ])

  const responsesCell = publishedCell(total.responses, total.responses_key)
  const previousCell = publishedCell(previousTotal.responses, previousTotal.responses_key)

  const weeks = weeksInside(period, today).map((week) => {
    const days = periodRange(week, today)
    const inWeek = { responses: 0, keySum: 0 }
    for (const day of currentDays) {
      if (day.day < days.from || day.day > days.to) continue
      inWeek.responses += day.responses
      inWeek.keySum += day.responses_key
    }
    return { week: `${week.year}-W${String((week as { week: number }).week).padStart(2, '0')}`, monday: days.from, cell: publishedCell(inWeek.responses, inWeek.keySum) }
  })

  // Themes ranked by their published count. A theme whose published count is 0 is left
  // out, whatever its true count: listing it (or its place in an order by true count)
  // would tell a 1 … k − 1 from a 0. Ties go by the default language's label, so that
  // every language, the CSV and the API list them in one order.
  const labelOf = new Map(directory.themes.map((theme) => [theme.id, themeLabel(theme, defaultLanguage)]))
  const label = (id: number) => labelOf.get(id) ?? ''
  const publishedThemes = themes.map((theme) => ({
    themeId: theme.themeId,
    current: publishedCell(theme.current, theme.currentKey),
    previous: publishedCell(theme.previous, theme.previousKey),
  }))
  const rankedThemes = publishedThemes
    .filter((theme) => theme.current.value > 0)
    .map((theme) => ({ themeId: theme.themeId, cell: theme.current, share: publishedShare(theme.current, responsesCell) }))
    .sort((a, b) => b.cell.value - a.cell.value || label(a.themeId).localeCompare(label(b.themeId), defaultLanguage) || a.themeId - b.themeId)

  // Emerging: the z-test on published counts and published totals only.
  const byTheme = new Map(publishedThemes.map((theme) => [theme.themeId, theme]))
  const emerging = emergingThemes(
    publishedThemes.map((theme) => ({ themeId: theme.themeId, current: theme.current.value, previous: theme.previous.value })),
    { current: responsesCell.value, previous: previousCell.value },
    k,
  )
    .filter((theme) => theme.emerging)
    .map((theme) => ({
      themeId: theme.themeId,
      current: byTheme.get(theme.themeId)!.current,
      previous: byTheme.get(theme.themeId)!.previous,
      currentTotal: responsesCell,
      previousTotal: previousCell,
      z: theme.z!,
    }))

  // Breakdowns: regroupings of the posters' sums (measuresByPlace); each cell and each
  // total is published on its own (the total is the headline's cell: the same answers).
  const breakdowns: Breakdown[] = []
  const oneWay = (key: BreakdownKey, keys: readonly string[], groups: Map<string, Measures>) => {
    const breakdown = { key, rows: breakdownRows(keys, groups), total: responsesCell }
    breakdowns.push(breakdown)
    return breakdown
  }
  const posters = places.posters
  const locationKeys = directory.locations.map((location) => String(location.id))
  const locations = oneWay('location', locationKeys, groupMeasures(posters, (row) => String(row.locationId)))
  oneWay('partner', directory.partners.map((partner) => String(partner.id)), groupMeasures(posters, (row) => String(row.partnerId)))

  // Activities, grouped under their partner.
  const activityGroups = groupMeasures(posters, (row) => String(row.activityId))
  const activitiesOf = new Map<number, string[]>()
  for (const activity of directory.activities) {
    const own = activitiesOf.get(activity.partnerId)
    if (own) own.push(String(activity.id))
    else activitiesOf.set(activity.partnerId, [String(activity.id)])
  }
  const activityRows: BreakdownRow[] = []
  for (const partner of directory.partners) {
    const own = activitiesOf.get(partner.id) ?? []
    activityRows.push(...breakdownRows(own, activityGroups, own.map(() => String(partner.id))))
  }
  breakdowns.push({ key: 'activity', rows: activityRows, total: responsesCell })

  oneWay('audience', audiences, groupMeasures(posters, (row) => row.audience))
  const bands = oneWay('age_band', ageBandKeys, places.bands)

  // Age band × location: the same threshold as every cell (the table's rule is the same
  // everywhere, so filtering to one location teaches nothing the table did not, finding 5);
  // its totals are the one-way breakdowns' published cells.
  const cellsByLocationBand = new Map(places.locationBands.map((cell) => [`${cell.locationId}|${cell.ageBand}`, cell]))
  const ageByLocation: AgeByLocation = {
    columns: [...ageBandKeys],
    rows: directory.locations.map((location, index) => ({
      locationId: location.id,
      cells: ageBandKeys.map((band) => {
        const cell = cellsByLocationBand.get(`${location.id}|${band}`)
        return publishedCell(cell?.responses ?? 0, cell?.responses_key ?? 0)
      }),
      total: locations.rows[index]!.cell,
    })),
    columnTotals: bands.rows.map((row) => row.cell),
    total: responsesCell,
  }

  return {
    k,
    grid,
    previousGrid,
    period,
    previous,
    directory,
    headline: headlineOf(total),
    weeks,
    themes: rankedThemes,
    emerging,
    breakdowns,
    ageByLocation,
    text: textStatistics(currentTexts, previousTexts, k),
  }
}
