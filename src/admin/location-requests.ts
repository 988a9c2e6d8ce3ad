import type { Kysely } from 'kysely'
import { inScope } from '../auth/permissions.ts'
import type { Database, LocationRequestStatus } from '../db/types.ts'
import { createLocation, type NewLocationInput } from './queries.ts'

/**
 * Requests for a missing location: a partner member asks, the region's coordinator answers
 * once (the location made from the request, or declined with a reason). Every query names
 * the region, and a partner member's the partners too, so that another region's or another
 * partner's request is simply not found.
 */

export interface LocationRequestInput {
  regionId: number
  partnerId: number
  requestedBy: number
  name: string
  address: string | null
  municipality: string | null
  note: string | null
}

export async function createLocationRequest(db: Kysely<Database>, input: LocationRequestInput, now = new Date().toISOString()): Promise<number> {
  const row = await db
    .insertInto('location_requests')
    .values({
      region_id: input.regionId,
      partner_id: input.partnerId,
      requested_by: input.requestedBy,
      name: input.name,
      address: input.address,
      municipality: input.municipality,
      note: input.note,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export interface LocationRequestRow {
  id: number
  partner_id: number
  partner_name: string
  requested_by_name: string | null
  name: string
  address: string | null
  municipality: string | null
  note: string | null
  status: LocationRequestStatus
  location_id: number | null
  location_name: string | null
  answer: string | null
  answered_at: string | null
  created_at: string
}

function requestsQuery(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all') {
  return db
    .selectFrom('location_requests')
    .innerJoin('partners', 'partners.id', 'location_requests.partner_id')
    .leftJoin('users', 'users.id', 'location_requests.requested_by')
    .leftJoin('locations', 'locations.id', 'location_requests.location_id')
    .select([
      'location_requests.id',
      'location_requests.partner_id',
      'partners.name as partner_name',
      'users.name as requested_by_name',
      'location_requests.name',
      'location_requests.address',
      'location_requests.municipality',
      'location_requests.note',
      'location_requests.status',
      'location_requests.location_id',
      'locations.name as location_name',
      'location_requests.answer',
      'location_requests.answered_at',
      'location_requests.created_at',
    ])
    .where('location_requests.region_id', '=', regionId)
    .where((eb) => inScope(eb, 'location_requests.partner_id', partnerIds))
}

/**
 * Open requests first, oldest first (the one waiting longest is answered first); then the
 * answered ones, the most recently answered first, at most `answeredLimit` of them.
 */
export async function listLocationRequests(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all', answeredLimit = 20): Promise<{ open: LocationRequestRow[]; answered: LocationRequestRow[] }> {
  const [open, answered] = await Promise.all([
    requestsQuery(db, regionId, partnerIds).where('location_requests.status', '=', 'open').orderBy('location_requests.created_at').orderBy('location_requests.id').execute(),
    requestsQuery(db, regionId, partnerIds)
      .where('location_requests.status', '!=', 'open')
      .orderBy('location_requests.answered_at', 'desc')
      .orderBy('location_requests.id', 'desc')
      .limit(answeredLimit)
      .execute(),
  ])
  return { open, answered }
}

export function findLocationRequest(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all', requestId: number): Promise<LocationRequestRow | undefined> {
  return requestsQuery(db, regionId, partnerIds).where('location_requests.id', '=', requestId).executeTakeFirst()
}

/** Open requests per region, for the coordinator's start page. */
export async function openLocationRequestCounts(db: Kysely<Database>, regionIds: number[]): Promise<Map<number, number>> {
  if (regionIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('location_requests')
    .select(['region_id', (eb) => eb.fn.countAll().as('count')])
    .where('region_id', 'in', regionIds)
    .where('status', '=', 'open')
    .groupBy('region_id')
    .execute()
  return new Map(rows.map((row) => [row.region_id, Number(row.count)]))
}

/** A partner member's requests in every region they work in, newest first, for their start page. */
export function recentLocationRequestsOf(db: Kysely<Database>, partnerIds: number[], limit = 5) {
  return db
    .selectFrom('location_requests')
    .innerJoin('regions', 'regions.id', 'location_requests.region_id')
    .leftJoin('locations', 'locations.id', 'location_requests.location_id')
    .select([
      'location_requests.id',
      'location_requests.region_id',
      'regions.name as region_name',
      'location_requests.name',
      'location_requests.status',
      'location_requests.answer',
      'locations.name as location_name',
      'location_requests.created_at',
    ])
    .where((eb) => inScope(eb, 'location_requests.partner_id', partnerIds))
    .orderBy('location_requests.created_at', 'desc')
    .orderBy('location_requests.id', 'desc')
    .limit(limit)
    .execute()
}

export type AnswerResult = { ok: true; locationId?: number } | { ok: false }

/**
 * Makes the location and marks the request accepted, in one transaction. The request is
 * claimed first with `where status = 'open'`: of two coordinators answering at the same
 * time one wins, the other gets `{ ok: false }` and nothing of theirs is written. A location
 * name that already exists throws the unique violation (the caller shows it next to the
 * field); the transaction then leaves the request open.
 */
export async function acceptLocationRequest(db: Kysely<Database>, regionId: number, requestId: number, userId: number, location: NewLocationInput, now = new Date().toISOString()): Promise<AnswerResult> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('location_requests')
      .set({ status: 'accepted', answered_by: userId, answered_at: now })
      .where('region_id', '=', regionId)
      .where('id', '=', requestId)
      .where('status', '=', 'open')
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return { ok: false }
    const locationId = await createLocation(trx, regionId, location)
    await trx.updateTable('location_requests').set({ location_id: locationId }).where('id', '=', requestId).execute()
    return { ok: true, locationId }
  })
}

/** Declines an open request with the coordinator's reason; false when it was answered already. */
export async function declineLocationRequest(db: Kysely<Database>, regionId: number, requestId: number, userId: number, reason: string, now = new Date().toISOString()): Promise<boolean> {
  const result = await db
    .updateTable('location_requests')
    .set({ status: 'declined', answer: reason, answered_by: userId, answered_at: now })
    .where('region_id', '=', regionId)
    .where('id', '=', requestId)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
