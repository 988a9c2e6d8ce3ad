import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { approvedQuotes } from '../followup/moderation.ts'
import type { Language } from '../i18n/i18n.ts'
import type { DashboardModel } from './dashboard.ts'
import { addDays, dayStartUtc, type Period } from './period.ts'
import { labelsFor } from './presentation.ts'
import { type DashboardFilters, type DashboardScope, measuresByDay } from './queries.ts'
import { brusselsDay } from './rollups.ts'

/**
 * "In their own words": a few free texts of the slice on the signed-in dashboard.
 *
 * Only texts a moderator approved (the redacted copy when there is one), with phone numbers
 * and e-mail addresses masked (followup/moderation.ts), and only when the slice holds at
 * least k answers: a quote from a slice of three answers at one activity is nearly a name.
 * A quote carries its themes and at most its month — never the day, the hour, the
 * activity, the location, the poster or the age band, which together with a filter could
 * point at one person. The month is left out as well when fewer than k answers of the
 * slice fall in that month. Share links, the print view and the public page never show
 * quotes: a link or a printout can be passed on to anyone, and free text stays with the
 * people who work with it.
 */

/** The newest quotes shown on the page. */
export const quoteLimit = 6

export interface DashboardQuote {
  responseId: number
  text: string
  language: string
  /** `YYYY-MM`, or null when the month holds fewer than k answers of the slice. */
  month: string | null
  themeIds: number[]
}

export interface QuoteSection {
  /** The slice has fewer than k answers: no quote is read at all. */
  withheld: boolean
  quotes: DashboardQuote[]
}

export async function dashboardQuotes(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  period: Period,
  model: Pick<DashboardModel, 'k' | 'headline'>,
  limit = quoteLimit,
): Promise<QuoteSection> {
  const k = model.k
  if (model.headline.responses.value < k) return { withheld: true, quotes: [] }
  // A partner member's scope and a partner filter are both kept by the directory to the
  // member's own partner; should they ever differ, the slice is empty.
  if (scope.partnerId !== undefined && filters.partnerId !== undefined && scope.partnerId !== filters.partnerId) return { withheld: false, quotes: [] }
  const partnerId = scope.partnerId ?? filters.partnerId
  const quotes = await approvedQuotes(db, scope.regionId, {
    from: dayStartUtc(period.from),
    to: dayStartUtc(addDays(period.to, 1)),
    ...(partnerId === undefined ? {} : { partnerId }),
    ...(filters.locationId === undefined ? {} : { locationId: filters.locationId }),
    ...(filters.activityId === undefined ? {} : { activityId: filters.activityId }),
    ...(filters.audience === undefined ? {} : { audience: filters.audience }),
    ...(filters.ageBand === undefined ? {} : { ageBand: filters.ageBand }),
    limit,
  })
  if (quotes.length === 0) return { withheld: false, quotes: [] }
  const ids = quotes.map((quote) => quote.responseId)
  const [themeRows, days] = await Promise.all([
    db.selectFrom('response_themes').select(['response_id', 'theme_id']).where('response_id', 'in', ids).orderBy('theme_id').execute(),
    measuresByDay(db, scope, filters, period),
  ])
  const perMonth = new Map<string, number>()
  for (const day of days) perMonth.set(day.day.slice(0, 7), (perMonth.get(day.day.slice(0, 7)) ?? 0) + day.responses)
  return {
    withheld: false,
    quotes: quotes.map((quote) => {
      const month = brusselsDay(quote.createdAt).slice(0, 7)
      return {
        responseId: quote.responseId,
        text: quote.text,
        language: quote.language,
        month: (perMonth.get(month) ?? 0) >= k ? month : null,
        themeIds: themeRows.filter((row) => row.response_id === quote.responseId).map((row) => row.theme_id),
      }
    }),
  }
}

export interface QuoteView {
  withheld: boolean
  items: { text: string; language: string; meta: string }[]
}

/** The quotes in words: theme labels and the month in the reader's language. */
export function presentQuotes(section: QuoteSection, model: DashboardModel, lang: Language): QuoteView {
  const labels = labelsFor(model, lang)
  const monthFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : `${lang}-BE`, { month: 'long', year: 'numeric', timeZone: 'UTC' })
  return {
    withheld: section.withheld,
    items: section.quotes.map((quote) => ({
      text: quote.text,
      language: quote.language,
      meta: [...quote.themeIds.map((id) => labels.theme(id)), ...(quote.month ? [monthFormat.format(new Date(`${quote.month}-15T12:00:00Z`))] : [])].join(' · '),
    })),
  }
}
