import { z } from 'zod'
import type { AgeBand, Audience } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { ageBandKeys, audiences } from './dashboard.ts'
import { dayCount, isDay, namedPeriod, type Period, type PeriodName } from './period.ts'
import type { DashboardFilters, RegionDirectory } from './queries.ts'

/**
 * The filters live in the URL (`?period=year&partner=3&age=18_24`) so that a view can be
 * bookmarked and shared. The schema only bounds the shape; whether a partner or location
 * exists in this region (and in this person's scope) is checked against the directory.
 * A value that does not fit is dropped with a message — the dashboard still shows.
 */

export const dashboardQuery = z.object({
  period: z.string().max(16).optional(),
  from: z.string().max(16).optional(),
  to: z.string().max(16).optional(),
  partner: z.string().max(16).optional(),
  location: z.string().max(16).optional(),
  activity: z.string().max(16).optional(),
  audience: z.string().max(16).optional(),
  age: z.string().max(16).optional(),
  lang: z.string().max(16).optional(),
  /** `print=1`: the same page laid out for one A4 sheet, without the filter form. */
  print: z.string().max(4).optional(),
})

export type DashboardQuery = z.infer<typeof dashboardQuery>

export const maxPeriodDays = 5 * 366

export interface Notice {
  key: MessageKey
  values?: Record<string, string>
}

export interface ParsedFilters {
  periodName: PeriodName
  period: Period
  filters: DashboardFilters
  notices: Notice[]
  /** The accepted filters, as URL parameters (links, the CSV link, the form). */
  params: Record<string, string>
}

const defaultPeriod: Exclude<PeriodName, 'custom'> = 'quarter'

export function parseFilters(query: DashboardQuery, directory: RegionDirectory, today: string): ParsedFilters {
  const notices: Notice[] = []
  const params: Record<string, string> = {}
  let periodName: PeriodName = defaultPeriod
  let period = namedPeriod(defaultPeriod, today)
  const requested = query.period ?? defaultPeriod
  if (requested === '4w' || requested === 'quarter' || requested === 'year') {
    periodName = requested
    period = namedPeriod(requested, today)
  } else if (requested === 'custom') {
    const from = query.from?.trim() ?? ''
    const to = query.to?.trim() ?? ''
    if (!isDay(from) || !isDay(to)) notices.push({ key: 'dashboard.error.period_invalid' })
    else if (to < from) notices.push({ key: 'dashboard.error.period_order' })
    else if (dayCount({ from, to }) > maxPeriodDays) notices.push({ key: 'dashboard.error.period_too_long' })
    else {
      periodName = 'custom'
      period = { from, to }
      params.from = from
      params.to = to
    }
  } else {
    notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'period' } })
  }
  params.period = periodName

  const filters: DashboardFilters = {}
  const pickId = (name: string, raw: string | undefined, known: readonly { id: number }[]): number | undefined => {
    if (raw === undefined || raw === '') return undefined
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
  const activityId = pickId('activity', query.activity, directory.activities)
  if (activityId !== undefined) filters.activityId = activityId
  if (query.audience !== undefined && query.audience !== '') {
    if ((audiences as readonly string[]).includes(query.audience)) {
      filters.audience = query.audience as Audience
      params.audience = query.audience
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'audience' } })
  }
  if (query.age !== undefined && query.age !== '') {
    if ((ageBandKeys as readonly string[]).includes(query.age) && query.age !== '') {
      filters.ageBand = query.age as AgeBand
      params.age = query.age
    } else notices.push({ key: 'dashboard.error.unknown_filter', values: { name: 'age' } })
  }
  return { periodName, period, filters, notices, params }
}
