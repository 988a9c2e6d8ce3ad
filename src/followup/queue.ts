import type { Kysely } from 'kysely'
import type { AttemptResult, ContactOutcome, ContactStatus, Database } from '../db/types.ts'
import { themeLabel } from '../themes/index.ts'
import { brusselsDay, maskContacts, newRecordKey } from '../answers/index.ts'

/**
 * The bridge figures' queue: who asked to be helped, what they want to learn and where
 * they answered. The list never carries a name, phone number or e-mail address: those are
 * read one request at a time (`contactDetails`), and the route audits each read.
 */

/** Unclaimed this long, a request is highlighted in the queue. */
export const overdueDays = 7
const dayMs = 24 * 60 * 60 * 1000

export interface QueueItem {
  id: number
  createdAt: string
  status: ContactStatus
  claimedBy: number | null
  preferredLanguage: string
  goodMoment: string
  channel: 'phone' | 'email'
  erased: boolean
  activity: string
  location: string
  /** Masked: phone numbers and e-mail addresses a person typed are not shown. */
  freeText: string | null
  themes: string[]
  waitingDays: number
  overdue: boolean
}

export interface QueueFilter {
  status: 'open' | 'closed'
}

export async function themesOf(db: Kysely<Database>, responseIds: number[], language: string): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>()
  if (responseIds.length === 0) return map
  const rows = await db
    .selectFrom('response_themes')
    .innerJoin('themes', 'themes.id', 'response_themes.theme_id')
    .select(['response_themes.response_id', 'themes.labels', 'themes.position'])
    .where('response_themes.response_id', 'in', responseIds)
    .orderBy('themes.position')
    .execute()
  for (const row of rows) {
    const list = map.get(row.response_id) ?? []
    list.push(themeLabel(row, language))
    map.set(row.response_id, list)
  }
  return map
}

/** Contact requests with the answer, activity and location they came from (queue and detail share it). */
function requestsInContext(db: Kysely<Database>) {
  return db
    .selectFrom('contact_requests')
    .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
    .innerJoin('activities', 'activities.id', 'responses.activity_id')
    .innerJoin('locations', 'locations.id', 'responses.location_id')
}

/**
 * Open: the unclaimed requests first, the one waiting longest at the top, then the claimed
 * ones, also oldest first. Closed: the most recent request first. The queue's intro
 * (followup.queue.order.*) says this order in words: change both together.
 */
export async function listQueue(db: Kysely<Database>, regionId: number, filter: QueueFilter, language: string, now = new Date()): Promise<QueueItem[]> {
  let query = requestsInContext(db)
    .select([
      'contact_requests.id',
      'contact_requests.response_id',
      'contact_requests.created_at',
      'contact_requests.status',
      'contact_requests.claimed_by',
      'contact_requests.preferred_language',
      'contact_requests.good_moment',
      'contact_requests.channel',
      'contact_requests.erased_at',
      'activities.title as activity',
      'locations.name as location',
      'responses.free_text',
    ])
    .where('contact_requests.region_id', '=', regionId)
  query = filter.status === 'closed' ? query.where('contact_requests.status', '=', 'closed') : query.where('contact_requests.status', '!=', 'closed')
  const rows = await query
    .orderBy((eb) => eb.case().when('contact_requests.status', '=', 'new').then(0).else(1).end())
    .orderBy('contact_requests.created_at', filter.status === 'closed' ? 'desc' : 'asc')
    .limit(500)
    .execute()
  const themes = await themesOf(db, rows.map((row) => row.response_id), language)
  return rows.map((row) => {
    const waitingDays = Math.floor((now.getTime() - Date.parse(row.created_at)) / dayMs)
    return {
      id: row.id,
      createdAt: row.created_at,
      status: row.status,
      claimedBy: row.claimed_by,
      preferredLanguage: row.preferred_language,
      goodMoment: row.good_moment,
      channel: row.channel,
      erased: row.erased_at !== null,
      activity: row.activity,
      location: row.location,
      freeText: row.free_text === null ? null : maskContacts(row.free_text),
      themes: themes.get(row.response_id) ?? [],
      waitingDays,
      overdue: row.status === 'new' && waitingDays >= overdueDays,
    }
  })
}

export interface RequestDetail extends QueueItem {
  responseId: number
  /** The next agreed contact (Brussels day), or null. */
  nextContactOn: string | null
  claimedAt: string | null
  outcome: ContactOutcome | null
  outcomeOfferId: number | null
  closedAt: string | null
  attempts: { at: string; result: AttemptResult; userId: number }[]
}

/** One request without its contact details; undefined when it is not in this region. */
export async function findRequest(db: Kysely<Database>, regionId: number, id: number, language: string, now = new Date()): Promise<RequestDetail | undefined> {
  const row = await requestsInContext(db)
    .select([
      'contact_requests.id',
      'contact_requests.response_id',
      'contact_requests.created_at',
      'contact_requests.status',
      'contact_requests.claimed_by',
      'contact_requests.claimed_at',
      'contact_requests.outcome',
      'contact_requests.outcome_offer_id',
      'contact_requests.closed_at',
      'contact_requests.next_contact_on',
      'contact_requests.preferred_language',
      'contact_requests.good_moment',
      'contact_requests.channel',
      'contact_requests.erased_at',
      'activities.title as activity',
      'locations.name as location',
      'responses.free_text',
    ])
    .where('contact_requests.region_id', '=', regionId)
    .where('contact_requests.id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const themes = await themesOf(db, [row.response_id], language)
  const attempts = await db.selectFrom('contact_attempts').select(['at', 'result', 'user_id as userId']).where('contact_request_id', '=', id).orderBy('at').execute()
  const waitingDays = Math.floor((now.getTime() - Date.parse(row.created_at)) / dayMs)
  return {
    id: row.id,
    responseId: row.response_id,
    nextContactOn: row.next_contact_on,
    createdAt: row.created_at,
    status: row.status,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    outcome: row.outcome,
    outcomeOfferId: row.outcome_offer_id,
    closedAt: row.closed_at,
    preferredLanguage: row.preferred_language,
    goodMoment: row.good_moment,
    channel: row.channel,
    erased: row.erased_at !== null,
    activity: row.activity,
    location: row.location,
    freeText: row.free_text === null ? null : maskContacts(row.free_text),
    themes: themes.get(row.response_id) ?? [],
    waitingDays,
    overdue: row.status === 'new' && waitingDays >= overdueDays,
    attempts,
  }
}

/** The name and how to reach the person: read only when a bridge figure asks, and audited by the caller. */
export async function contactDetails(db: Kysely<Database>, regionId: number, id: number) {
  return db
    .selectFrom('contact_requests')
    .select(['name', 'channel', 'contact_value as value'])
    .where('region_id', '=', regionId)
    .where('id', '=', id)
    .where('erased_at', 'is', null)
    .executeTakeFirst()
}

/** Claims a new request for this user; false when it is not new any more (or not in the region). */
export async function claimRequest(db: Kysely<Database>, regionId: number, id: number, userId: number, now = new Date().toISOString()): Promise<boolean> {
  const result = await db
    .updateTable('contact_requests')
    .set({ status: 'claimed', claimed_by: userId, claimed_at: now })
    .where('region_id', '=', regionId)
    .where('id', '=', id)
    .where('status', '=', 'new')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function logAttempt(db: Kysely<Database>, regionId: number, id: number, userId: number, result: AttemptResult, now = new Date().toISOString()): Promise<boolean> {
  const open = await db
    .selectFrom('contact_requests')
    .select('id')
    .where('region_id', '=', regionId)
    .where('id', '=', id)
    .where('status', '!=', 'closed')
    .executeTakeFirst()
  if (open === undefined) return false
  await db.insertInto('contact_attempts').values({ contact_request_id: id, user_id: userId, at: now, result }).execute()
  return true
}

/**
 * Closes a request with its outcome. "referred" names an offer of the same region (checked
 * here). False when the request is already closed, not in the region, or the offer is not.
 */
export async function closeRequest(
  db: Kysely<Database>,
  regionId: number,
  id: number,
  userId: number,
  outcome: ContactOutcome,
  offerId: number | null,
  now = new Date().toISOString(),
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (outcome === 'referred') {
      if (offerId === null) return false
      const offer = await trx.selectFrom('offers').select('id').where('id', '=', offerId).where('region_id', '=', regionId).executeTakeFirst()
      if (offer === undefined) return false
    }
    const result = await trx
      .updateTable('contact_requests')
      .set((eb) => ({
        status: 'closed',
        outcome,
        outcome_offer_id: outcome === 'referred' ? offerId : null,
        closed_at: now,
        // Closing an unclaimed request claims it for whoever closed it.
        claimed_by: eb.fn.coalesce('claimed_by', eb.val(userId)),
      }))
      .where('region_id', '=', regionId)
      .where('id', '=', id)
      .where('status', '!=', 'closed')
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return false
    // Closing with a referral is the path's last step: recorded as one, so that the partner
    // page counts every referral the same way, whichever form made it.
    if (outcome === 'referred' && offerId !== null) {
      await trx
        .insertInto('path_steps')
        .values({ contact_request_id: id, kind: 'referral', on_day: brusselsDay(now), offer_id: offerId, note: null, recorded_by: userId, recorded_at: now, record_key: newRecordKey() })
        .execute()
    }
    return true
  })
}
