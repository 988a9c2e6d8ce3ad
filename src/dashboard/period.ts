import { brusselsDay } from './rollups.ts'

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

export function isDay(value: string): boolean {
  if (!dayPattern.test(value)) return false
  const date = new Date(`${value}T12:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** Number of days from `from` to `to`, both counted. */
export function dayCount(period: Period): number {
  return Math.round((Date.parse(`${period.to}T12:00:00Z`) - Date.parse(`${period.from}T12:00:00Z`)) / 86_400_000) + 1
}

export function today(now = new Date()): string {
  return brusselsDay(now.toISOString())
}

const lengths: Record<Exclude<PeriodName, 'custom'>, number> = { '4w': 28, quarter: 91, year: 365 }

/** The last 4 weeks, quarter (13 weeks) or year, ending today. */
export function namedPeriod(name: Exclude<PeriodName, 'custom'>, until: string): Period {
  return { from: addDays(until, -(lengths[name] - 1)), to: until }
}

/** The period of equal length just before (for emerging themes). */
export function previousPeriod(period: Period): Period {
  const length = dayCount(period)
  return { from: addDays(period.from, -length), to: addDays(period.from, -1) }
}

/** ISO 8601 week of a day: `2026-W48`, and the Monday it starts on. */
export function isoWeek(day: string): { week: string; monday: string } {
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
  /** Whole calendar months inside the period (`YYYY-MM`, inclusive), if any. */
  months?: { from: string; to: string }
  /** The days outside those months (none, one or two ranges). */
  days: Period[]
}

/**
 * Splits a period into whole months and loose days at its ends, so that a long period is
 * read from the month rollups and only its ends from the day rollups.
 */
export function splitPeriod(period: Period): PeriodSplit {
  const first = period.from.endsWith('-01') ? period.from.slice(0, 7) : nextMonth(period.from.slice(0, 7))
  const last = monthEnd(period.to.slice(0, 7)) === period.to ? period.to.slice(0, 7) : previousMonth(period.to.slice(0, 7))
  if (first > last) return { days: [period] }
  const days: Period[] = []
  if (period.from < `${first}-01`) days.push({ from: period.from, to: addDays(`${first}-01`, -1) })
  if (period.to > monthEnd(last)) days.push({ from: addDays(monthEnd(last), 1), to: period.to })
  return { months: { from: first, to: last }, days }
}
