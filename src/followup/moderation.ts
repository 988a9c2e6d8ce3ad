import type { Kysely } from 'kysely'
import type { AgeBand, Audience, Database, ModerationStatus } from '../db/types.ts'
import { maskContacts } from '../answers/index.ts'

/**
 * Free text waits in a moderation list before it is shown as a quote anywhere (dashboard,
 * report, public page). A moderator approves it, hides it, or redacts part of it (a name,
 * an address) and approves the redacted copy. The stored answer itself is not changed, so
 * that the free-text statistics stay honest; quotes use the redacted copy. Phone numbers
 * and e-mail addresses are masked on every display, moderated or not.
 */

export interface ModerationItem {
  responseId: number
  createdAt: string
  language: string
  activity: string
  text: string
  redactedText: string | null
  status: ModerationStatus
}

/** Texts per page of the moderation list. */
const moderationPageSize = 50

export interface ModerationPage {
  items: ModerationItem[]
  /** All texts with this status in the region, not only this page's. */
  total: number
  /** The page shown (1-based): the one asked for, or the last one when fewer pages are left. */
  page: number
  pages: number
}

/**
 * One page of the region's free texts with this status, newest first: a moderator sees what
 * came in lately (the texts a dashboard would quote next) and can page back to older ones.
 */
export async function listModeration(db: Kysely<Database>, regionId: number, status: ModerationStatus, page = 1, pageSize = moderationPageSize): Promise<ModerationPage> {
  let query = db
    .selectFrom('responses')
    .innerJoin('activities', 'activities.id', 'responses.activity_id')
    .leftJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
    .where('responses.region_id', '=', regionId)
    .where('responses.free_text', 'is not', null)
  query =
    status === 'pending'
      ? query.where((eb) => eb.or([eb('response_moderation.status', 'is', null), eb('response_moderation.status', '=', 'pending')]))
      : query.where('response_moderation.status', '=', status)
  const { n } = await query.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  const total = Number(n)
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const shown = Math.min(Math.max(1, page), pages)
  const rows = await query
    .select([
      'responses.id as responseId',
      'responses.created_at as createdAt',
      'responses.language',
      'responses.free_text',
      'activities.title as activity',
      'response_moderation.redacted_text',
      'response_moderation.status',
    ])
    // The id breaks ties between texts of the same moment, so that no text falls between two pages.
    .orderBy('responses.created_at', 'desc')
    .orderBy('responses.id', 'desc')
    .limit(pageSize)
    .offset((shown - 1) * pageSize)
    .execute()
  const items = rows.map((row) => ({
    responseId: row.responseId,
    createdAt: row.createdAt,
    language: row.language,
    activity: row.activity,
    text: maskContacts(row.free_text ?? ''),
    redactedText: row.redacted_text === null ? null : maskContacts(row.redacted_text),
    status: row.status ?? ('pending' as const),
  }))
  return { items, total, page: shown, pages }
}

/** Where one free text of this region stands; undefined when the region has no such free text (any more). */
export async function moderationStatusOf(db: Kysely<Database>, regionId: number, responseId: number): Promise<ModerationStatus | undefined> {
  const row = await db
    .selectFrom('responses')
    .leftJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
    .select('response_moderation.status')
    .where('responses.id', '=', responseId)
    .where('responses.region_id', '=', regionId)
    .where('responses.free_text', 'is not', null)
    .executeTakeFirst()
  return row === undefined ? undefined : (row.status ?? 'pending')
}

export type ModerationDecision = { action: 'approve' } | { action: 'hide' } | { action: 'redact'; text: string }

/** False when the response is not in this region or has no free text (any more). */
export async function moderate(db: Kysely<Database>, regionId: number, responseId: number, userId: number, decision: ModerationDecision, now = new Date().toISOString()): Promise<boolean> {
  const response = await db
    .selectFrom('responses')
    .select(['id', 'region_id', 'created_at'])
    .where('id', '=', responseId)
    .where('region_id', '=', regionId)
    .where('free_text', 'is not', null)
    .executeTakeFirst()
  if (response === undefined) return false
  const values = {
    status: decision.action === 'hide' ? ('hidden' as const) : ('approved' as const),
    // Approving keeps an earlier redaction; redacting replaces it; hiding drops it.
    ...(decision.action === 'redact' ? { redacted_text: decision.text } : decision.action === 'hide' ? { redacted_text: null } : {}),
    moderated_by: userId,
    moderated_at: now,
  }
  await db
    .insertInto('response_moderation')
    // The answer's region and time travel with the row, for the quotes index (migration 021).
    .values({ response_id: responseId, redacted_text: null, region_id: response.region_id, created_at: response.created_at, ...values })
    .onConflict((oc) => oc.column('response_id').doUpdateSet(values))
    .execute()
  return true
}

export interface QuoteFilters {
  /** ISO timestamps, inclusive start and exclusive end. */
  from?: string
  to?: string
  themeIds?: number[]
  partnerId?: number
  locationId?: number
  activityId?: number
  /** The activity's audience and the answer's age band (the dashboard's filters). */
  audience?: Audience
  ageBand?: AgeBand
  limit?: number
}

export interface Quote {
  responseId: number
  text: string
  language: string
  createdAt: string
}

/**
 * The quotes that may be shown: approved by a moderator, still within retention, the
 * redacted copy when there is one, phone numbers and e-mail addresses masked. For the
 * dashboard, reports and the public page.
 *
 * Driven by what is rare (issue 17): the query reads the region's approved moderation rows
 * newest first through the index `response_moderation_region_status_time` (region_id,
 * status, created_at desc; migration 021) and joins each answer by its primary key. Its
 * cost follows the number of approved quotes it walks past (at most those of the region
 * and period, stopping at `limit`), not the number of answers or free texts: a region with
 * a million answers and no approved quote costs one index probe.
 */
export async function approvedQuotes(db: Kysely<Database>, regionId: number, filters: QuoteFilters = {}): Promise<Quote[]> {
  const rows = await approvedQuotesQuery(db, regionId, filters).execute()
  return rows.map((row) => ({
    responseId: row.responseId,
    text: maskContacts(row.redacted_text ?? row.free_text ?? ''),
    language: row.language,
    createdAt: row.createdAt,
  }))
}

/** The query of `approvedQuotes`, unexecuted (its plan is tested: test/followup/quotes-plan.test.ts). */
export function approvedQuotesQuery(db: Kysely<Database>, regionId: number, filters: QuoteFilters = {}) {
  let query = db
    .selectFrom('response_moderation')
    .innerJoin('responses', 'responses.id', 'response_moderation.response_id')
    .select(['responses.id as responseId', 'responses.free_text', 'response_moderation.redacted_text', 'responses.language', 'responses.created_at as createdAt'])
    .where('response_moderation.region_id', '=', regionId)
    .where('response_moderation.status', '=', 'approved')
    .where('responses.free_text', 'is not', null)
  if (filters.from !== undefined) query = query.where('response_moderation.created_at', '>=', filters.from)
  if (filters.to !== undefined) query = query.where('response_moderation.created_at', '<', filters.to)
  if (filters.partnerId !== undefined) query = query.where('responses.partner_id', '=', filters.partnerId)
  if (filters.locationId !== undefined) query = query.where('responses.location_id', '=', filters.locationId)
  if (filters.activityId !== undefined) query = query.where('responses.activity_id', '=', filters.activityId)
  if (filters.ageBand !== undefined) query = query.where('responses.age_band', '=', filters.ageBand)
  if (filters.audience !== undefined) {
    const audience = filters.audience
    query = query.where('responses.activity_id', 'in', (eb) => eb.selectFrom('activities').select('id').where('audience', '=', audience).where('region_id', '=', regionId))
  }
  if (filters.themeIds !== undefined && filters.themeIds.length > 0) {
    const themeIds = filters.themeIds
    query = query.where('responses.id', 'in', (eb) => eb.selectFrom('response_themes').select('response_id').where('theme_id', 'in', themeIds))
  }
  return query.orderBy('response_moderation.created_at', 'desc').orderBy('response_moderation.response_id', 'desc').limit(filters.limit ?? 50)
}
