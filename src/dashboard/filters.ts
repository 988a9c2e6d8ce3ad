import { z } from 'zod'
import type { AgeBand, Audience } from '../db/types.ts'
import type { MessageKey, Translate } from '../i18n/i18n.ts'
import { ageBandKeys, audiences } from './dashboard.ts'
import { addDays, dayNumber, type Period } from '../answers/index.ts'
import { type GridKind, type GridPeriod, GridPeriodError, parseGridPeriod, periodId, periodOf, periodRange, previousPeriod } from '../answers/period-grid.ts'
import type { DashboardFilters, RegionDirectory } from './queries.ts'
import { parseMunicipalityCode } from '../municipalities/index.ts'

/**
 * The filters live in the URL (`?period=2026-Q4&partner=3&age=18_24`) so that a view can be
 * bookmarked and shared. The schema only bounds the shape; whether a partner or location
 * exists in this region (and in this person's scope) is checked against the directory.
 * A value that does not fit is dropped with a message — the dashboard still shows.
 *
 * Periods are the fixed grid only (answers/period-grid.ts, issue 15): a grid id
 * (`2026-W48`, `2026-11`, `2026-Q4`, `2026`, `2026-Q4-td`, `2026-td`) or the name of a kind
 * (`week`, `month`, `quarter`, `year`, `qtd`, `ytd`: the one that holds yesterday). Free day
 * ranges (`from`/`to`, the old `custom` and `4w`) are refused: two ranges a day apart
 * publish that day as their difference. At most two filters at once: every further filter
 * multiplies the cells a reader can combine into differences.
 */

export const dashboardQuery = z.object({
  period: z.string().max(16).optional(),
  from: z.string().max(16).optional(),
  to: z.string().max(16).optional(),
  partner: z.string().max(16).optional(),
  location: z.string().max(16).optional(),
  municipality: z.string().max(16).optional(),
  activity: z.string().max(16).optional(),
  audience: z.string().max(16).optional(),
  age: z.string().max(16).optional(),
  /** Assisted answers (recorded by staff on a person's behalf): `include` (the default), `only`, `exclude`. */
  assisted: z.string().max(16).optional(),
  lang: z.string().max(16).optional(),
  /** `print=1`: the same page laid out for one A4 sheet, without the filter form. */
  print: z.string().max(4).optional(),
})

export type DashboardQuery = z.infer<typeof dashboardQuery>

/** The most filters a view may combine. */
export const maxFilters = 2

export interface Notice {
  key: MessageKey
  values?: Record<string, string>
}

/** A notice's values for its message: a filter's name in the person's language. */
export function noticeValues(notice: Notice, t: Translate): Record<string, string> | undefined {
  if (notice.values?.name) return { ...notice.values, name: t(`dashboard.filter.${notice.values.name}` as MessageKey) }
  return notice.values
}

export interface ParsedFilters {
  /** The grid period shown, and its days on this day (ending yesterday at the latest). */
  grid: GridPeriod
  period: Period
  filters: DashboardFilters
  notices: Notice[]
  /** The accepted filters, as URL parameters (links, the CSV link, the form). */
  params: Record<string, string>
}

const periodKinds = ['week', 'month', 'quarter', 'year', 'qtd', 'ytd'] as const satisfies readonly GridKind[]
const defaultKind: GridKind = 'quarter'

/** The grid period of `kind` that holds yesterday: the current one, counted up to yesterday. */
function currentPeriod(kind: GridKind, today: string): GridPeriod {
  return periodOf(kind, dayNumber(addDays(today, -1)))
}

/** How many periods of each kind the form offers, newest first. */
const offered: Record<GridKind, number> = { week: 26, month: 24, quarter: 8, year: 5, qtd: 4, ytd: 4 }

/** The periods the form offers on `today`, per kind, newest first. */
export function offeredPeriods(today: string): { kind: GridKind; periods: GridPeriod[] }[] {
  return periodKinds.map((kind) => {
    const periods: GridPeriod[] = []
    for (let p: GridPeriod | null = currentPeriod(kind, today); p !== null && periods.length < offered[kind]; p = previousPeriod(p)) periods.push(p)
    return { kind, periods }
  })
}

/**
 * Reads `?period=` (and refuses `from`/`to`) into a grid period; null with the notice when
 * it is not on the grid or has no day before today.
 */
export function parsePeriod(query: Pick<DashboardQuery, 'period' | 'from' | 'to'>, today: string): { grid: GridPeriod } | { notice: Notice } {
  if (query.from !== undefined || query.to !== undefined) return { notice: { key: 'dashboard.error.period_off_grid' } }
  const requested = query.period ?? defaultKind
  if ((periodKinds as readonly string[]).includes(requested)) return { grid: currentPeriod(requested as GridKind, today) }
  try {
    const grid = parseGridPeriod(requested, today)
    periodRange(grid, today)
    return { grid }
  } catch (error) {
    if (!(error instanceof GridPeriodError)) throw error
    return { notice: { key: error.code === 'not_yet' ? 'dashboard.error.period_not_yet' : 'dashboard.error.period_off_grid' } }
  }
}

const filterOrder = ['partner', 'location', 'municipality', 'activity', 'audience', 'age', 'assisted'] as const
type FilterName = (typeof filterOrder)[number]

/**
 * The assisted switch. `include` is the default view (every answer) and no filter; `only`
 * and `exclude` are filters like the others: they count towards the two, and their figures
 * go through the cell key of the answers they count, so "all minus unassisted" is the
 * difference of two perturbed counts, never an exact small count of assisted answers.
 */
export const assistedChoices = ['include', 'only', 'exclude'] as const

/** The filters a query sets, in the form's order: every one counts towards `maxFilters` (the default `assisted=include` is no filter). */
export function askedFilters(query: Partial<Record<FilterName, string | undefined>>): FilterName[] {
  return filterOrder.filter((name) => query[name] !== undefined && query[name] !== '' && !(name === 'assisted' && query[name] === 'include'))
}

export function parseFilters(query: DashboardQuery, directory: RegionDirectory, today: string): ParsedFilters {
  const notices: Notice[] = []
  const params: Record<string, string> = {}
  const read = parsePeriod(query, today)
  let grid: GridPeriod
  if ('grid' in read) grid = read.grid
  else {
    notices.push(read.notice)
    grid = currentPeriod(defaultKind, today)
  }
  params.period = periodId(grid)

  // A third filter: the first two in the form's order stay, the rest are dropped with a message.
  const asked = askedFilters(query)
  const kept = new Set(asked.slice(0, maxFilters))
  if (asked.length > maxFilters) notices.push({ key: 'dashboard.error.too_many_filters', values: { max: String(maxFilters) } })

  const filters: DashboardFilters = {}
  const pickId = (name: (typeof filterOrder)[number], raw: string | undefined, known: readonly { id: number }[]): number | undefined => {
    if (raw === undefined || raw === '' || !kept.has(name)) return undefined
    const id = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN
    if (!known.some((item) => item.id === id)) {
      notices.push({ key: 'dashboard.error.unknown_filter', values: { name } })
      return undefined
    }
    params[name] = String(id)
    return id
  }
  const partnerId = pickId('partner', query.partner, directory.partners)
  if (partnerId !== undefined) filters.partnerId = partnerId
  const locationId = pickId('location', query.location, directory.locations)
  if (locationId !== undefined) filters.locationId = locationId
  if (query.municipality !== undefined && query.municipality !== '' && kept.has('municipality')) {
    const nis = parseMunicipalityCode(query.municipality)
    if (nis !== undefined) {
      filters.municipality = nis
      params.municipality = nis
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'municipality' } })
  }
  const activityId = pickId('activity', query.activity, directory.activities)
  if (activityId !== undefined) filters.activityId = activityId
  if (query.audience !== undefined && query.audience !== '' && kept.has('audience')) {
    if ((audiences as readonly string[]).includes(query.audience)) {
      filters.audience = query.audience as Audience
      params.audience = query.audience
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'audience' } })
  }
  if (query.age !== undefined && query.age !== '' && kept.has('age')) {
    if ((ageBandKeys as readonly string[]).includes(query.age) && query.age !== '') {
      filters.ageBand = query.age as AgeBand
      params.age = query.age
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'age' } })
  }
  if (query.assisted !== undefined && query.assisted !== '' && query.assisted !== 'include' && kept.has('assisted')) {
    if (query.assisted === 'only' || query.assisted === 'exclude') {
      filters.assisted = query.assisted
      params.assisted = query.assisted
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'assisted' } })
  }
  return { grid, period: periodRange(grid, today), filters, notices, params }
}
