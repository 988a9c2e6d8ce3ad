import type { Kysely } from 'kysely'
import type { Audience, Database, Poster, PosterStatus } from '../db/types.ts'
import { generateCode } from './codes.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { type PosterScope, whereInScope } from './scope.ts'

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
    .select([
      'posters.id',
      'posters.code',
      'posters.status',
      'posters.language',
      'posters.region_id as regionId',
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

/**
 * The posters of a batch: those of one activity, one partner or one region inside the
 * person's scope, in print order. Retired posters are left out: a batch is for hanging
 * up, and a retired poster answers "no longer in use".
 */
export function printablePosters(db: Kysely<Database>, scope: PosterScope): Promise<PrintablePoster[]> {
  const query = whereInScope(printableQuery(db).where('posters.status', '!=', 'retired'), 'posters', scope)
  return query.orderBy('activities.title').orderBy('locations.name').orderBy('posters.id').execute()
}
