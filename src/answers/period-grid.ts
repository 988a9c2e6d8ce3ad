/**
 * The fixed grid of periods a figure can be published for: ISO weeks, calendar months,
 * quarters, years, quarter-to-date and year-to-date. No free day ranges: two free ranges
 * that differ by one day publish that day's answers as a difference (see
 * docs/privacy.md), and a grid keeps the number of distinct cells, and so of differencing
 * paths, small. Figures count answers up to the end of the day before `today` (the
 * Belgian calendar day, passed in as `YYYY-MM-DD`).
 *
 * Dates are handled as UTC day numbers (days since 1970-01-01): a day number has no
 * time of day, so no daylight-saving change can move it, and comparing or stepping is
 * integer arithmetic.
 */

export type GridKind = 'week' | 'month' | 'quarter' | 'year' | 'qtd' | 'ytd'

export type GridPeriod =
  | { kind: 'week'; year: number; week: number }
  | { kind: 'month'; year: number; month: number }
  | { kind: 'quarter' | 'qtd'; year: number; quarter: number }
  | { kind: 'year' | 'ytd'; year: number }

export interface DayRange {
  /** First day, inclusive. */
  from: string
  /** Last day, inclusive. */
  to: string
}

const FIRST_GRID_YEAR = 2000

export type GridPeriodErrorCode = 'off_grid' | 'out_of_range' | 'not_yet'

/** A period id or day that is not on the grid, or outside the years it covers. */
export class GridPeriodError extends Error {
  readonly code: GridPeriodErrorCode
  constructor(code: GridPeriodErrorCode, message: string) {
    super(message)
    this.name = 'GridPeriodError'
    this.code = code
  }
}

const DAY_MS = 86_400_000

export function dayNumber(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (match === null) throw new GridPeriodError('off_grid', `not a day: "${day}"`)
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const ms = Date.UTC(year, month - 1, date)
  const back = new Date(ms)
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== date) {
    throw new GridPeriodError('off_grid', `not a day: "${day}"`)
  }
  return ms / DAY_MS
}

export function dayString(number: number): string {
  return new Date(number * DAY_MS).toISOString().slice(0, 10)
}

function ymd(number: number): { year: number; month: number; date: number } {
  const d = new Date(number * DAY_MS)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate() }
}

function dayOf(year: number, month: number, date: number): number {
  return Date.UTC(year, month - 1, date) / DAY_MS
}

function monthLength(year: number, month: number): number {
  return dayOf(year, month + 1, 1) - dayOf(year, month, 1)
}

/** Monday of ISO week 1: the week that holds 4 January. */
function isoWeekOneMonday(year: number): number {
  const jan4 = dayOf(year, 1, 4)
  return jan4 - isoWeekday(jan4)
}

/** Monday 0 … Sunday 6 (1970-01-01 was a Thursday). */
function isoWeekday(number: number): number {
  return (((number + 3) % 7) + 7) % 7
}

function isoWeeksInYear(year: number): number {
  return (isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / 7
}

/** The ISO week a day lies in. */
export function isoWeekOf(number: number): { year: number; week: number } {
  const thursday = number - isoWeekday(number) + 3
  const year = ymd(thursday).year
  return { year, week: (number - isoWeekday(number) - isoWeekOneMonday(year)) / 7 + 1 }
}

export function periodId(p: GridPeriod): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  switch (p.kind) {
    case 'week':
      return `${p.year}-W${pad(p.week)}`
    case 'month':
      return `${p.year}-${pad(p.month)}`
    case 'quarter':
      return `${p.year}-Q${p.quarter}`
    case 'qtd':
      return `${p.year}-Q${p.quarter}-td`
    case 'year':
      return `${p.year}`
    case 'ytd':
      return `${p.year}-td`
  }
}

/** The years the grid covers on `today`: 2000 … next year. */
function checkYear(year: number, today: string): void {
  const last = ymd(dayNumber(today)).year + 1
  if (year < FIRST_GRID_YEAR || year > last) throw new GridPeriodError('out_of_range', `year ${year} is outside ${FIRST_GRID_YEAR}…${last}`)
}

const patterns: ReadonlyArray<[RegExp, (m: RegExpExecArray) => GridPeriod]> = [
  [/^(\d{4})-W(\d{2})$/, (m) => ({ kind: 'week', year: Number(m[1]), week: Number(m[2]) })],
  [/^(\d{4})-(\d{2})$/, (m) => ({ kind: 'month', year: Number(m[1]), month: Number(m[2]) })],
  [/^(\d{4})-Q([1-4])$/, (m) => ({ kind: 'quarter', year: Number(m[1]), quarter: Number(m[2]) })],
  [/^(\d{4})-Q([1-4])-td$/, (m) => ({ kind: 'qtd', year: Number(m[1]), quarter: Number(m[2]) })],
  [/^(\d{4})$/, (m) => ({ kind: 'year', year: Number(m[1]) })],
  [/^(\d{4})-td$/, (m) => ({ kind: 'ytd', year: Number(m[1]) })],
]

/**
 * Reads a period id, strictly: exactly the canonical spelling (`2026-W48`, `2026-11`,
 * `2026-Q4`, `2026`, `2026-Q4-td`, `2026-td`), a week that exists in its ISO year, a year
 * from 2000 to next year. Anything else throws a GridPeriodError.
 */
export function parseGridPeriod(id: string, today: string): GridPeriod {
  for (const [pattern, build] of patterns) {
    const match = pattern.exec(id)
    if (match === null) continue
    const period = build(match)
    checkYear(period.year, today)
    if (period.kind === 'week' && (period.week < 1 || period.week > isoWeeksInYear(period.year))) {
      throw new GridPeriodError('off_grid', `${period.year} has no ISO week ${period.week}`)
    }
    if (period.kind === 'month' && (period.month < 1 || period.month > 12)) throw new GridPeriodError('off_grid', `no month ${period.month}`)
    return period
  }
  throw new GridPeriodError('off_grid', `not a period on the grid: "${id}"`)
}

/** The whole span of a period on the calendar, as day numbers (to-date kinds: their whole quarter or year). */
function fullSpan(p: GridPeriod): [number, number] {
  switch (p.kind) {
    case 'week': {
      const monday = isoWeekOneMonday(p.year) + 7 * (p.week - 1)
      return [monday, monday + 6]
    }
    case 'month':
      return [dayOf(p.year, p.month, 1), dayOf(p.year, p.month + 1, 1) - 1]
    case 'quarter':
    case 'qtd':
      return [dayOf(p.year, 3 * p.quarter - 2, 1), dayOf(p.year, 3 * p.quarter + 1, 1) - 1]
    case 'year':
    case 'ytd':
      return [dayOf(p.year, 1, 1), dayOf(p.year + 1, 1, 1) - 1]
  }
}

/**
 * The days a period's figures count on `today`: the period itself, ending yesterday at
 * the latest. A to-date period ends at the same point of its quarter or year as
 * yesterday is in the current one (same month of the quarter and day of the month,
 * clamped to the month's length), so that a period and the period before it compare like
 * with like. A period that starts after yesterday throws ('not_yet').
 */
export function periodRange(p: GridPeriod, today: string): DayRange {
  checkYear(p.year, today)
  const yesterday = dayNumber(today) - 1
  const [start, end] = fullSpan(p)
  if (start > yesterday) throw new GridPeriodError('not_yet', `${periodId(p)} has no days before ${today}`)
  let last = Math.min(end, yesterday)
  if (p.kind === 'qtd' || p.kind === 'ytd') {
    const cut = ymd(yesterday)
    const startMonth = p.kind === 'qtd' ? 3 * p.quarter - 2 : 1
    const monthsIn = p.kind === 'qtd' ? (cut.month - 1) % 3 : cut.month - 1
    const month = startMonth + monthsIn
    const cutDay = dayOf(p.year, month, Math.min(cut.date, monthLength(p.year, month)))
    last = Math.min(last, cutDay)
  }
  return { from: dayString(start), to: dayString(last) }
}

/** The grid period of the same kind just before (null before 2000). */
export function previousPeriod(p: GridPeriod): GridPeriod | null {
  let before: GridPeriod
  switch (p.kind) {
    case 'week': {
      const { year, week } = isoWeekOf(fullSpan(p)[0] - 7)
      before = { kind: 'week', year, week }
      break
    }
    case 'month':
      before = p.month === 1 ? { kind: 'month', year: p.year - 1, month: 12 } : { kind: 'month', year: p.year, month: p.month - 1 }
      break
    case 'quarter':
    case 'qtd':
      before = p.quarter === 1 ? { kind: p.kind, year: p.year - 1, quarter: 4 } : { kind: p.kind, year: p.year, quarter: p.quarter - 1 }
      break
    case 'year':
    case 'ytd':
      before = { kind: p.kind, year: p.year - 1 }
      break
  }
  return before.year < FIRST_GRID_YEAR ? null : before
}

/** The period of a kind that holds a day (to-date kinds: the quarter or year of that day). */
export function periodOf(kind: GridKind, number: number): GridPeriod {
  const { year, month } = ymd(number)
  switch (kind) {
    case 'week':
      return { kind, ...isoWeekOf(number) }
    case 'month':
      return { kind, year, month }
    case 'quarter':
    case 'qtd':
      return { kind, year, quarter: Math.ceil(month / 3) }
    case 'year':
    case 'ytd':
      return { kind, year }
  }
}

/**
 * Every period a reader can choose on `today` for answers from `earliest` on: each week,
 * month, quarter and year that has a day from `earliest` to yesterday, and the current
 * quarter- and year-to-date (those of yesterday) with the ones before them back to
 * `earliest`. Newest first within each kind.
 */
export function gridPeriodsAvailable(today: string, earliest: string): GridPeriod[] {
  const yesterday = dayNumber(today) - 1
  const first = Math.max(dayNumber(earliest), dayOf(FIRST_GRID_YEAR, 1, 1))
  const found: GridPeriod[] = []
  if (first > yesterday) return found
  for (const kind of ['week', 'month', 'quarter', 'year', 'qtd', 'ytd'] as const) {
    for (let p: GridPeriod | null = periodOf(kind, yesterday); p !== null; p = previousPeriod(p)) {
      const range = periodRange(p, today)
      if (dayNumber(range.to) < first) {
        // a to-date period can end before `earliest` while its whole span does not: go on
        if (kind === 'qtd' || kind === 'ytd') {
          if (fullSpan(p)[1] < first) break
          continue
        }
        break
      }
      found.push(p)
    }
  }
  return found
}
