import type { Kysely } from 'kysely'
import type { AgeBand, Audience, Database, ModerationStatus } from '../db/types.ts'
import { maskContacts } from './masking.ts'

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

export async function listModeration(db: Kysely<Database>, regionId: number, status: ModerationStatus, limit = 200): Promise<ModerationItem[]> {
  let query = db
    .selectFrom('responses')
    .innerJoin('activities', 'activities.id', 'responses.activity_id')
    .leftJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
    .select([
      'responses.id as responseId',
      'responses.created_at as createdAt',
      'responses.language',
      'responses.free_text',
      'activities.title as activity',
      'response_moderation.redacted_text',
      'response_moderation.status',
    ])
    .where('responses.region_id', '=', regionId)
    .where('responses.free_text', 'is not', null)
  query =
    status === 'pending'
      ? query.where((eb) => eb.or([eb('response_moderation.status', 'is', null), eb('response_moderation.status', '=', 'pending')]))
      : query.where('response_moderation.status', '=', status)
  const rows = await query.orderBy('responses.created_at', status === 'pending' ? 'asc' : 'desc').limit(limit).execute()
  return rows.map((row) => ({
    responseId: row.responseId,
    createdAt: row.createdAt,
    language: row.language,
    activity: row.activity,
    text: maskContacts(row.free_text ?? ''),
    redactedText: row.redacted_text === null ? null : maskContacts(row.redacted_text),
    status: row.status ?? 'pending',
  }))
}

export type ModerationDecision = { action: 'approve' } | { action: 'hide' } | { action: 'redact'; text: string }

/** False when the response is not in this region or has no free text (any more). */
export async function moderate(db: Kysely<Database>, regionId: number, responseId: number, userId: number, decision: ModerationDecision, now = new Date().toISOString()): Promise<boolean> {
  const response = await db
    .selectFrom('responses')
    .select('id')
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
    .values({ response_id: responseId, redacted_text: null, ...values })
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
 */
export async function approvedQuotes(db: Kysely<Database>, regionId: number, filters: QuoteFilters = {}): Promise<Quote[]> {
  let query = db
    .selectFrom('responses')
    .innerJoin('response_moderation', 'response_moderation.response_id', 'responses.id')
    .select(['responses.id as responseId', 'responses.free_text', 'response_moderation.redacted_text', 'responses.language', 'responses.created_at as createdAt'])
    .where('responses.region_id', '=', regionId)
    .where('response_moderation.status', '=', 'approved')
    .where('responses.free_text', 'is not', null)
  if (filters.from !== undefined) query = query.where('responses.created_at', '>=', filters.from)
  if (filters.to !== undefined) query = query.where('responses.created_at', '<', filters.to)
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
  const rows = await query.orderBy('responses.created_at', 'desc').orderBy('responses.id', 'desc').limit(filters.limit ?? 50).execute()
  return rows.map((row) => ({
    responseId: row.responseId,
    text: maskContacts(row.redacted_text ?? row.free_text ?? ''),
    language: row.language,
    createdAt: row.createdAt,
  }))
}
