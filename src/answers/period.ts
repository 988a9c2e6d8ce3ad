import { brusselsDay } from './calendar.ts'

/**
 * Days are `YYYY-MM-DD` strings of the local calendar in Belgium. Arithmetic on them is
 * done on UTC noon of that date, which no daylight-saving change can move to another day.
 */

export type PeriodName = '4w' | 'quarter' | 'year' | 'custom'

export interface Period {
  /** First day, inclusive. */
  from: string
  /** Last day, inclusive. */
  to: string
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/

function isDay(value: string): boolean {
  if (!dayPattern.test(value)) return false
  const date = new Date(`${value}T12:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

/**
 * Throws rather than write a day outside the years 0000–9999: past 9999-12-31 comes
 * `+010000-01-01`, which sorts before it as a string, and a loop that compares days as
 * strings would never end (issue 13). Periods are checked against `dayRange` long before.
 */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  const result = date.toISOString().slice(0, 10)
  if (!dayPattern.test(result)) throw new RangeError(`${day} + ${days} days is outside the years 0000–9999`)
  return result
}

/** Days since 1970-01-01 (negative before): dates compared and counted as numbers. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T12:00:00Z`) / 86_400_000)
}

/** The longest custom period, in days: five years. */
export const maxPeriodDays = 5 * 366

/** The first day a period may start: there is nothing to read before it. */
const earliestDay = '2000-01-01'

/**
 * The days a period may use: from 2000-01-01 to a year after today (a period planned ahead
 * is fine; the year 9999 is not). Every loop over a period's days, weeks or months is
 * bounded by this range and `maxPeriodDays`.
 */
export function dayRange(until: string): { earliest: string; latest: string } {
  const [year, month, dayOfMonth] = until.split('-').map(Number) as [number, number, number]
  // 29 February plus a year is 1 March.
  const latest = new Date(Date.UTC(year + 1, month - 1, dayOfMonth, 12)).toISOString().slice(0, 10)
  return { earliest: earliestDay, latest }
}

/**
 * A period that every dashboard function may loop over: real days, in order, inside the
 * years any range allows, at most `maxPeriodDays` long. The checks for people (with their
 * messages) are in filters.ts; this one stops a caller that skipped them.
 */
export function assertBoundedPeriod(period: Period): void {
  const ok =
    isDay(period.from) &&
    isDay(period.to) &&
    // Compared as strings only once both are real four-digit days. The last year is left
    // out so that a week or a day after `to` is still a four-digit day.
    period.from >= earliestDay &&
    period.to < '9999-01-01' &&
    dayNumber(period.from) <= dayNumber(period.to) &&
    dayCount(period) <= maxPeriodDays
  if (!ok) throw new RangeError(`not a period the dashboard can read: ${JSON.stringify(period).slice(0, 80)}`)
}

/** Number of days from `from` to `to`, both counted. */
export function dayCount(period: Period): number {
  return dayNumber(period.to) - dayNumber(period.from) + 1
}

export function today(now = new Date()): string {
  return brusselsDay(now.toISOString())
}

const lengths: Record<Exclude<PeriodName, 'custom'>, number> = { '4w': 28, quarter: 91, year: 365 }

/** The last 4 weeks, quarter (13 weeks) or year, ending today. */
export function namedPeriod(name: Exclude<PeriodName, 'custom'>, until: string): Period {
  return { from: addDays(until, -(lengths[name] - 1)), to: until }
}

const weeks = new Map<string, { week: string; monday: string }>()

/** ISO 8601 week of a day: `2026-W48`, and the Monday it starts on (kept per day: a dashboard asks for hundreds). */
export function isoWeek(day: string): { week: string; monday: string } {
  let found = weeks.get(day)
  if (found === undefined) {
    found = computeIsoWeek(day)
    if (weeks.size > 20_000) weeks.clear()
    weeks.set(day, found)
  }
  return found
}

function computeIsoWeek(day: string): { week: string; monday: string } {
  const date = new Date(`${day}T12:00:00Z`)
  const weekday = (date.getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  const monday = addDays(day, -weekday)
  const thursday = new Date(`${addDays(monday, 3)}T12:00:00Z`)
  const year = thursday.getUTCFullYear()
  const firstThursday = new Date(Date.UTC(year, 0, 4, 12))
  const firstMonday = addDays(firstThursday.toISOString().slice(0, 10), -((firstThursday.getUTCDay() + 6) % 7))
  const week = Math.round((Date.parse(`${monday}T12:00:00Z`) - Date.parse(`${firstMonday}T12:00:00Z`)) / (7 * 86_400_000)) + 1
  return { week: `${year}-W${String(week).padStart(2, '0')}`, monday }
}

/**
 * The Monday of every ISO week that touches the period, in order. The count is worked out
 * from day numbers first, so the loop cannot outrun a bad period.
 */
export function weekMondays(period: Period): string[] {
  assertBoundedPeriod(period)
  const first = isoWeek(period.from).monday
  const count = Math.floor((dayNumber(period.to) - dayNumber(first)) / 7) + 1
  return Array.from({ length: count }, (_, index) => addDays(first, 7 * index))
}

/** The UTC instant at which a local Belgian day starts (for reading raw responses by time). */
export function dayStartUtc(day: string): string {
  for (const offsetHours of [1, 2, 0]) {
    const candidate = new Date(Date.parse(`${day}T00:00:00Z`) - offsetHours * 3_600_000)
    if (brusselsDay(candidate.toISOString()) === day && brusselsDay(new Date(candidate.getTime() - 1).toISOString()) !== day) {
      return candidate.toISOString()
    }
  }
  return `${day}T00:00:00.000Z`
}

/** The last day of a `YYYY-MM` month. */
function monthEnd(month: string): string {
  const [year, m] = month.split('-').map(Number) as [number, number]
  return new Date(Date.UTC(year, m, 0, 12)).toISOString().slice(0, 10)
}

function nextMonth(month: string): string {
  return addDays(monthEnd(month), 1).slice(0, 7)
}

function previousMonth(month: string): string {
  return addDays(`${month}-01`, -1).slice(0, 7)
}

export interface PeriodSplit {
  /** Whole calendar months to read (`YYYY-MM`, inclusive), if any. */
  months?: { from: string; to: string }
  /** Day ranges to add (sign 1) or, where a month was read whole, to take away (sign −1). */
  days: (Period & { sign: 1 | -1 })[]
}

function monthStart(month: string): string {
  return `${month}-01`
}

/**
 * Splits a period into whole months and loose days, so that a long period is read mostly
 * from the month rollups. A partial month at either end is read from whichever is
 * smaller: its days, or the whole month minus the days outside the period — for a period
 * ending today the days after today are empty, so the current month costs one row per
 * poster instead of a row per poster and day.
 */
function splitPeriod(period: Period): PeriodSplit {
  const days: PeriodSplit['days'] = []
  const headMonth = period.from.slice(0, 7)
  const tailMonth = period.to.slice(0, 7)
  const length = (from: string, to: string) => (to < from ? 0 : dayCount({ from, to }))
  if (headMonth === tailMonth) {
    const inside = length(period.from, period.to)
    const outside = length(monthStart(headMonth), addDays(period.from, -1)) + length(addDays(period.to, 1), monthEnd(headMonth))
    if (outside >= inside) return { days: [{ ...period, sign: 1 }] }
    if (period.from > monthStart(headMonth)) days.push({ from: monthStart(headMonth), to: addDays(period.from, -1), sign: -1 })
    if (period.to < monthEnd(headMonth)) days.push({ from: addDays(period.to, 1), to: monthEnd(headMonth), sign: -1 })
    return { months: { from: headMonth, to: headMonth }, days }
  }
  let first = headMonth
  if (period.from > monthStart(headMonth)) {
    const inside = length(period.from, monthEnd(headMonth))
    const outside = length(monthStart(headMonth), addDays(period.from, -1))
    if (outside < inside) days.push({ from: monthStart(headMonth), to: addDays(period.from, -1), sign: -1 })
    else {
      days.push({ from: period.from, to: monthEnd(headMonth), sign: 1 })
      first = nextMonth(headMonth)
    }
  }
  let last = tailMonth
  if (period.to < monthEnd(tailMonth)) {
    const inside = length(monthStart(tailMonth), period.to)
    const outside = length(addDays(period.to, 1), monthEnd(tailMonth))
    if (outside < inside) days.push({ from: addDays(period.to, 1), to: monthEnd(tailMonth), sign: -1 })
    else {
      days.push({ from: monthStart(tailMonth), to: period.to, sign: 1 })
      last = previousMonth(tailMonth)
    }
  }
  return first <= last ? { months: { from: first, to: last }, days } : { days }
}

/** A range of one rollup grain, added (sign 1) or taken away (sign −1). */
export interface PeriodPiece {
  grain: 'day' | 'month' | 'year'
  /** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, inclusive. */
  from: string
  to: string
  sign: 1 | -1
}

const monthOf = (year: string, month: number) => `${year}-${String(month).padStart(2, '0')}`

/**
 * Whole months of one calendar year as pieces: the months themselves, or the whole year
 * minus the months outside, whichever reads fewer month rows (a tie keeps the months).
 */
function monthsOfYear(year: string, first: number, last: number): PeriodPiece[] {
  const inside = last - first + 1
  if (inside === 12) return [{ grain: 'year', from: year, to: year, sign: 1 }]
  const outside = 12 - inside
  if (outside >= inside) return [{ grain: 'month', from: monthOf(year, first), to: monthOf(year, last), sign: 1 }]
  const pieces: PeriodPiece[] = [{ grain: 'year', from: year, to: year, sign: 1 }]
  if (first > 1) pieces.push({ grain: 'month', from: monthOf(year, 1), to: monthOf(year, first - 1), sign: -1 })
  if (last < 12) pieces.push({ grain: 'month', from: monthOf(year, last + 1), to: monthOf(year, 12), sign: -1 })
  return pieces
}

/**
 * `splitPeriod` with calendar years as a third grain, for the tables that have one: the
 * whole months are read as years where that is fewer rows. The last twelve months ending
 * today become one month of last year plus this year minus its one month still to come
 * (which has no rows): two months' worth of rows instead of twelve.
 */
export function periodPieces(period: Period, options: { years: boolean }): PeriodPiece[] {
  const split = splitPeriod(period)
  const pieces: PeriodPiece[] = split.days.map((days) => ({ grain: 'day', from: days.from, to: days.to, sign: days.sign }))
  if (!split.months) return pieces
  const { from, to } = split.months
  if (!options.years) return [...pieces, { grain: 'month', from, to, sign: 1 }]
  const firstYear = Number(from.slice(0, 4))
  const lastYear = Number(to.slice(0, 4))
  for (let year = firstYear; year <= lastYear; year++) {
    const first = year === firstYear ? Number(from.slice(5, 7)) : 1
    const last = year === lastYear ? Number(to.slice(5, 7)) : 12
    pieces.push(...monthsOfYear(String(year), first, last))
  }
  return pieces
}
