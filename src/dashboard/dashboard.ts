import type { Kysely } from 'kysely'
import type { AgeBand, Audience, Database } from '../db/types.ts'
import { emergingThemes } from './emerging.ts'
import { addDays, dayStartUtc, isoWeek, type Period, previousPeriod } from './period.ts'
import {
  addInto,
  type DashboardFilters,
  type DashboardScope,
  emptyMeasures,
  type Measures,
  measuresByDay,
  measuresByPosterAndBand,
  recentTexts,
  regionDirectory,
  type RegionDirectory,
  themeCounts,
} from './queries.ts'
import { type Cell, suppressCounts, suppressList, suppressTable, type SuppressedList } from './suppression.ts'
import { textStatistics, type TextStatistics, textWindow } from './text-stats.ts'

/**
 * Everything the dashboard page, the CSV export and the report show, already protected:
 * every count is a `Cell` that knows whether it may be shown. Templates never see a raw
 * small count.
 */

export const audiences = ['all', 'children', 'youth', 'adults', 'seniors'] as const satisfies readonly Audience[]
export const ageBandKeys = ['under_12', '12_17', '18_24', '25_44', '45_64', '65_plus', ''] as const satisfies readonly (AgeBand | '')[]

/** Breakdowns that could single someone out (age band × location) use at least this k. */
export const detailThreshold = 10

export interface Headline {
  responses: Cell
  /** Shares and averages, only when they rest on at least k answers. */
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
  withheld: boolean
}

export interface AgeByLocation {
  k: number
  columns: (AgeBand | '')[]
  rows: { locationId: number; cells: Cell[]; total: Cell }[]
  columnTotals: Cell[]
  total: Cell
  withheld: boolean
}

export interface DashboardModel {
  k: number
  period: Period
  previous: Period
  directory: RegionDirectory
  headline: Headline
  weeks: WeekBar[]
  weeksWithheld: boolean
  themes: RankedTheme[]
  emerging: EmergingRow[]
  breakdowns: Breakdown[]
  ageByLocation: AgeByLocation
  text: TextStatistics
}

function share(part: number, whole: number, k: number): number | null {
  return whole >= k ? part / whole : null
}

function totalOf(rows: readonly Measures[]): Measures {
  const total = emptyMeasures()
  for (const row of rows) addInto(total, row)
  return total
}

function headlineOf(total: Measures, cell: Cell, k: number): Headline {
  return {
    responses: cell,
    triedNewShare: share(total.tried_yes, total.responses, k),
    triedABitShare: share(total.tried_a_bit, total.responses, k),
    likedAverage: total.liked_count >= k ? total.liked_sum / total.liked_count : null,
    step2Share: share(total.step2, total.responses, k),
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

function breakdownRows(keys: readonly string[], groups: Map<string, Measures>, list: SuppressedList, k: number, groupKeys?: readonly string[]): BreakdownRow[] {
  return keys.map((key, index) => {
    const measures = groups.get(key) ?? emptyMeasures()
    const cell = list.cells[index]!
    const visible = cell.state === 'shown' && !list.withheld
    return {
      key,
      ...(groupKeys ? { groupKey: groupKeys[index] } : {}),
      cell: list.withheld ? { ...cell, state: cell.value > 0 ? 'secondary' : 'shown' } : cell,
      triedNewShare: visible ? share(measures.tried_yes, measures.responses, k) : null,
      likedAverage: visible && measures.liked_count >= k ? measures.liked_sum / measures.liked_count : null,
    }
  })
}

export interface LoadOptions {
  /** Texts per period for word statistics; 0 reads no free text (share links, the API). */
  textWindow?: number
  /** The scope's directory when the caller has read it already (it checks filters against it). */
  directory?: RegionDirectory
}

/** Loads and protects a whole dashboard for a slice and period; undefined for an unknown region. */
export async function loadDashboard(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  period: Period,
  options: LoadOptions = {},
): Promise<DashboardModel | undefined> {
  const previous = previousPeriod(period)
  const window = options.textWindow ?? textWindow
  const directory = options.directory ?? (await regionDirectory(db, scope))
  if (!directory) return undefined
  const k = directory.region.k
  const [days, themes, posterBands, currentTexts, previousTexts] = await Promise.all([
    measuresByDay(db, scope, filters, { from: previous.from, to: period.to }),
    themeCounts(db, scope, filters, period, previous),
    measuresByPosterAndBand(db, scope, filters, period, directory.posters),
    recentTexts(db, scope, filters, dayStartUtc(period.from), dayStartUtc(addDays(period.to, 1)), window),
    recentTexts(db, scope, filters, dayStartUtc(previous.from), dayStartUtc(period.from), window),
  ])

  const currentDays = days.filter((day) => day.day >= period.from)
  const total = totalOf(currentDays)
  const previousTotal = totalOf(days.filter((day) => day.day < period.from))

  // Weeks: every ISO week that touches the period, also the empty ones.
  const byWeek = new Map<string, number>()
  for (const day of currentDays) {
    const monday = isoWeek(day.day).monday
    byWeek.set(monday, (byWeek.get(monday) ?? 0) + day.responses)
  }
  const mondays: string[] = []
  for (let monday = isoWeek(period.from).monday; monday <= period.to; monday = addDays(monday, 7)) mondays.push(monday)
  const weekList = suppressList(
    mondays.map((monday) => byWeek.get(monday) ?? 0),
    k,
  )
  const responsesCell = weekList.total
  const weeks = mondays.map((monday, index) => ({ week: isoWeek(monday).week, monday, cell: weekList.cells[index]! }))

  // Themes, ranked; a theme's count has no sum to protect against (an answer may name three).
  const ranked = [...themes].filter((theme) => theme.current > 0).sort((a, b) => b.current - a.current || a.themeId - b.themeId)
  const themeCells = suppressCounts(
    ranked.map((theme) => theme.current),
    k,
  )
  const rankedThemes = ranked.map((theme, index) => ({
    themeId: theme.themeId,
    cell: themeCells[index]!,
    share: themeCells[index]!.state === 'shown' ? share(theme.current, total.responses, k) : null,
  }))

  const emerging = emergingThemes(
    themes.map((theme) => ({ themeId: theme.themeId, current: theme.current, previous: theme.previous })),
    { current: total.responses, previous: previousTotal.responses },
    k,
  )
    .filter((theme) => theme.emerging)
    .map((theme) => ({
      themeId: theme.themeId,
      current: suppressCounts([theme.current], k)[0]!,
      previous: suppressCounts([theme.previous], k)[0]!,
      currentTotal: responsesCell,
      previousTotal: suppressCounts([previousTotal.responses], k)[0]!,
      z: theme.z!,
    }))

  // Breakdowns: regroupings of the poster × age band rows, each protected against the total.
  const breakdowns: Breakdown[] = []
  const oneWay = (key: BreakdownKey, keys: readonly string[], keyOf: (row: (typeof posterBands)[number]) => string) => {
    const groups = groupMeasures(posterBands, keyOf)
    const list = suppressList(
      keys.map((id) => groups.get(id)?.responses ?? 0),
      k,
      responsesCell,
    )
    const breakdown = { key, rows: breakdownRows(keys, groups, list, k), total: list.total, withheld: list.withheld }
    breakdowns.push(breakdown)
    return { breakdown, groups, list }
  }
  const locationKeys = directory.locations.map((location) => String(location.id))
  const locations = oneWay('location', locationKeys, (row) => String(row.locationId))
  const partners = oneWay('partner', directory.partners.map((partner) => String(partner.id)), (row) => String(row.partnerId))

  // Activities sit under their partner: each partner's activities add up to the partner's
  // own (already published) cell, so they are protected against that cell.
  const activityGroups = groupMeasures(posterBands, (row) => String(row.activityId))
  const activityRows: BreakdownRow[] = []
  let activitiesWithheld = false
  directory.partners.forEach((partner, partnerIndex) => {
    const own = directory.activities.filter((activity) => activity.partnerId === partner.id).map((activity) => String(activity.id))
    if (own.length === 0) return
    const partnerCell = partners.list.withheld ? { ...partners.list.cells[partnerIndex]!, state: 'secondary' as const } : partners.list.cells[partnerIndex]!
    const list = suppressList(
      own.map((id) => activityGroups.get(id)?.responses ?? 0),
      k,
      partnerCell,
    )
    activitiesWithheld ||= list.withheld
    activityRows.push(...breakdownRows(own, activityGroups, list, k, own.map(() => String(partner.id))))
  })
  breakdowns.push({ key: 'activity', rows: activityRows, total: responsesCell, withheld: activitiesWithheld })

  oneWay('audience', audiences, (row) => row.audience)
  const bands = oneWay('age_band', ageBandKeys, (row) => row.ageBand)

  // Age band × location, with the higher threshold; its totals are the one-way
  // breakdowns above, as published.
  const detailK = Math.max(detailThreshold, k)
  const cellsByLocationBand = groupMeasures(posterBands, (row) => `${row.locationId}|${row.ageBand}`)
  const table = suppressTable(
    locationKeys.map((location) => ageBandKeys.map((band) => cellsByLocationBand.get(`${location}|${band}`)?.responses ?? 0)),
    detailK,
    { rows: locations.list.cells, columns: bands.list.cells, total: responsesCell, k },
  )
  const ageByLocation: AgeByLocation = {
    k: detailK,
    columns: [...ageBandKeys],
    rows: directory.locations.map((location, index) => ({ locationId: location.id, cells: table.cells[index]!, total: table.rowTotals[index]! })),
    columnTotals: table.columnTotals,
    total: table.total,
    withheld: table.withheld || locations.list.withheld || bands.list.withheld,
  }

  return {
    k,
    period,
    previous,
    directory,
    headline: headlineOf(total, responsesCell, k),
    weeks,
    weeksWithheld: weekList.withheld,
    themes: rankedThemes,
    emerging,
    breakdowns,
    ageByLocation,
    text: textStatistics(currentTexts, previousTexts, k),
  }
}
