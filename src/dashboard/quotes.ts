import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { approvedQuotes } from '../followup/index.ts'
import type { Language } from '../i18n/i18n.ts'
import type { DashboardModel } from './dashboard.ts'
import { addDays, brusselsDay, cellKey, dayStartUtc, type Period, publish } from '../answers/index.ts'
import { type GridPeriod, periodRange } from '../answers/period-grid.ts'
import { labelsFor } from './presentation.ts'
import { answersByDay, type DashboardFilters, type DashboardScope } from './queries.ts'

/**
 * "In their own words": a few free texts on the signed-in dashboard.
 *
 * Only texts a moderator approved (the redacted copy when there is one), with phone numbers
 * and e-mail addresses masked (followup/moderation.ts), and only when the whole region (a
 * partner member: their own partner's posters) publishes at least k answers in the months read.
 * A quote carries its themes and at most its month — never the day, the hour, the
 * activity, the location, the poster or the age band. The month is left out as well when
 * that month's published count is under k.
 *
 * Which quotes are listed must not tell more than a quote carries (issue 15, finding 7):
 * - No filter narrows them. A quote listed under `?location=` and not under another
 *   location has told its location; the same for the age band, activity, partner and
 *   audience. With any filter the block says that quotes belong to the whole region, and
 *   lists none. A partner member's dashboard is already their partner's slice: its quotes
 *   are their own posters' (as the rest of their dashboard), never narrowed further.
 * - Quotes follow the grid period (issue 15) in whole calendar months: the months the
 *   period touches, first to last, up to yesterday like every figure (a quote approved
 *   today appears tomorrow). A week lists none, and says why: next to the weeks around it,
 *   it would tell a quote's week.
 *
 * Share links, the print view and the public page never show quotes: a link or a printout
 * can be passed on to anyone, and free text stays with the people who work with it.
 */

/** The newest quotes shown on the page. */
const quoteLimit = 6


export interface DashboardQuote {
  responseId: number
  text: string
  language: string
  /** `YYYY-MM`, or null when the month holds fewer than k answers. */
  month: string | null
  themeIds: number[]
}

/**
 * `shown`: the quotes of `months` (possibly none). `withheld`: fewer than k answers in those
 * months, no quote read. `filtered`: a filter is set. `short`: the period is a week.
 */
export type QuoteState = 'shown' | 'withheld' | 'filtered' | 'short'

export interface QuoteSection {
  state: QuoteState
  /** The whole months the quotes were read from (also when withheld). */
  months?: Period
  quotes: DashboardQuote[]
}

/** Any of the dashboard's filters set (a partner member's own scope is not a filter). */
function narrowsQuotes(filters: DashboardFilters): boolean {
  return [filters.partnerId, filters.locationId, filters.municipality, filters.activityId, filters.audience, filters.ageBand, filters.assisted].some((value) => value !== undefined)
}

/** The whole calendar months a period touches, from the first of its first month to the last day of its last, but never past yesterday. */
function wholeMonths(period: Period, today: string): Period {
  const from = `${period.from.slice(0, 7)}-01`
  const [year, month] = period.to.split('-').map(Number) as [number, number]
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`
  const last = addDays(next, -1)
  const yesterday = addDays(today, -1)
  return { from, to: last < yesterday ? last : yesterday }
}

export async function dashboardQuotes(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  grid: GridPeriod,
  today: string,
  model: Pick<DashboardModel, 'k'>,
  limit = quoteLimit,
): Promise<QuoteSection> {
  const k = model.k
  if (narrowsQuotes(filters)) return { state: 'filtered', quotes: [] }
  if (grid.kind === 'week') return { state: 'short', quotes: [] }
  const months = wholeMonths(periodRange(grid, today), today)
  // The scope's answers per day over those months (no filter), for k and for each quote's month.
  const days = await answersByDay(db, scope, {}, months)
  // The gates read published counts, like every other figure: a true count compared with k
  // would tell a reader whether a month held 1…4 answers. A cell's key is its key sum mod 256.
  const perMonth = new Map<string, { count: number; keySum: number }>()
  const total = { count: 0, keySum: 0 }
  for (const day of days) {
    const month = perMonth.get(day.day.slice(0, 7)) ?? { count: 0, keySum: 0 }
    month.count += day.responses
    month.keySum += day.responses_key
    perMonth.set(day.day.slice(0, 7), month)
    total.count += day.responses
    total.keySum += day.responses_key
  }
  const published = (cell: { count: number; keySum: number } | undefined) => (cell ? publish(cell.count, cellKey(cell.keySum)) : 0)
  if (published(total) < k) return { state: 'withheld', months, quotes: [] }
  const quotes = await approvedQuotes(db, scope.regionId, {
    from: dayStartUtc(months.from),
    to: dayStartUtc(addDays(months.to, 1)),
    ...(scope.partnerId === undefined ? {} : { partnerId: scope.partnerId }),
    limit,
  })
  if (quotes.length === 0) return { state: 'shown', months, quotes: [] }
  const ids = quotes.map((quote) => quote.responseId)
  // Plan: SEARCH response_themes USING COVERING INDEX sqlite_autoindex_response_themes_1
  // (response_id=?): the themes of the few quotes shown, by key.
  const themeRows = await db.selectFrom('response_themes').select(['response_id', 'theme_id']).where('response_id', 'in', ids).orderBy('theme_id').execute()
  return {
    state: 'shown',
    months,
    quotes: quotes.map((quote) => {
      const month = brusselsDay(quote.createdAt).slice(0, 7)
      return {
        responseId: quote.responseId,
        text: quote.text,
        language: quote.language,
        month: published(perMonth.get(month)) >= k ? month : null,
        themeIds: themeRows.filter((row) => row.response_id === quote.responseId).map((row) => row.theme_id),
      }
    }),
  }
}

export interface QuoteView {
  state: QuoteState
  /** The months read, in words ("oktober 2026 – november 2026"). */
  months: string
  items: { text: string; language: string; meta: string }[]
}

/** The quotes in words: theme labels and the month in the reader's language. */
export function presentQuotes(section: QuoteSection, model: DashboardModel, lang: Language): QuoteView {
  const labels = labelsFor(model, lang)
  const monthFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : `${lang}-BE`, { month: 'long', year: 'numeric', timeZone: 'UTC' })
  const month = (day: string) => monthFormat.format(new Date(`${day.slice(0, 7)}-15T12:00:00Z`))
  const months = section.months === undefined ? '' : section.months.from.slice(0, 7) === section.months.to.slice(0, 7) ? month(section.months.from) : `${month(section.months.from)} – ${month(section.months.to)}`
  return {
    state: section.state,
    months,
    items: section.quotes.map((quote) => ({
      text: quote.text,
      language: quote.language,
      meta: [...quote.themeIds.map((id) => labels.theme(id)), ...(quote.month ? [monthFormat.format(new Date(`${quote.month}-15T12:00:00Z`))] : [])].join(' · '),
    })),
  }
}
