import type { Kysely } from 'kysely'
import type { Audience, Database, Poster, PosterStatus } from '../db/types.ts'
import { generateCode } from './codes.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { inPosterScope, posterColumns, type PosterScope } from './scope.ts'

export interface NewPoster {
  activityId: number
  locationId: number
  language?: string
}

/**
 * Creates the poster for one activity at one location with a fresh random code. A clash
 * with an existing code (rare: 729 million codes) is retried with a new one; a second
 * poster for the same activity and location is refused by the unique constraint.
 */
export async function createPoster(db: Kysely<Database>, input: NewPoster): Promise<Poster> {
  const activity = await db
    .selectFrom('activities')
    .select(['id', 'region_id', 'partner_id'])
    .where('id', '=', input.activityId)
    .executeTakeFirstOrThrow()
  const now = new Date().toISOString()
  for (let attempt = 0; ; attempt++) {
    const code = generateCode()
    const clash = await db.selectFrom('posters').select('id').where('code', '=', code).executeTakeFirst()
    if (clash) continue
    try {
      return await db
        .insertInto('posters')
        .values({
          code,
          region_id: activity.region_id,
          partner_id: activity.partner_id,
          activity_id: activity.id,
          location_id: input.locationId,
          status: 'active',
          language: input.language ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
    } catch (error) {
      // Lost a race for the same code with another instance: try another code.
      if (attempt < 5 && isUniqueViolation(error) && String((error as Error).message).includes('code')) continue
      throw error
    }
  }
}

export async function setPosterStatus(db: Kysely<Database>, posterId: number, status: PosterStatus): Promise<void> {
  await db.updateTable('posters').set({ status, updated_at: new Date().toISOString() }).where('id', '=', posterId).execute()
}

/** A poster with what its print shows, and what decides who may print it. */
export interface PrintablePoster {
  id: number
  code: string
  status: PosterStatus
  language: string | null
  regionId: number
  /** The region's name, for the region menu of the preview page. */
  regionName: string
  partnerId: number
  activityId: number
  activityTitle: string
  audience: Audience
  locationName: string
}

function printableQuery(db: Kysely<Database>) {
  return db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .innerJoin('regions', 'regions.id', 'posters.region_id')
    .select([
      'posters.id',
      'posters.code',
      'posters.status',
      'posters.language',
      'posters.region_id as regionId',
      'regions.name as regionName',
      'posters.partner_id as partnerId',
      'posters.activity_id as activityId',
      'activities.title as activityTitle',
      'activities.audience',
      'locations.name as locationName',
    ])
}

export function findPrintablePoster(db: Kysely<Database>, posterId: number): Promise<PrintablePoster | undefined> {
  return printableQuery(db).where('posters.id', '=', posterId).executeTakeFirst()
}

/** What a batch holds: the posters in a scope, and (for a batch per location) one location. */
export interface BatchFilter {
  scope: PosterScope
  locationId?: number
}

function batchQuery(db: Kysely<Database>, filter: BatchFilter) {
  let query = printableQuery(db)
    .where('posters.status', '!=', 'retired')
    .where((eb) => inPosterScope(eb, posterColumns, filter.scope))
  if (filter.locationId !== undefined) query = query.where('posters.location_id', '=', filter.locationId)
  return query
}

/**
 * The posters of a batch: those of one activity, location, partner or region inside the
 * person's scope, in print order (the id last, so that parts of a long batch never overlap
 * or miss a poster). Retired posters are left out: a batch is for hanging up, and a retired
 * poster answers "no longer in use". `page` bounds what one PDF holds.
 */
export function printablePosters(db: Kysely<Database>, filter: BatchFilter, page?: { limit: number; offset: number }): Promise<PrintablePoster[]> {
  let query = batchQuery(db, filter).orderBy('activities.title').orderBy('locations.name').orderBy('posters.id')
  if (page) query = query.limit(page.limit).offset(page.offset)
  return query.execute()
}

export async function countPrintablePosters(db: Kysely<Database>, filter: BatchFilter): Promise<number> {
  const row = await batchQuery(db, filter)
    .clearSelect()
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
