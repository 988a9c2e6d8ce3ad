import type { Kysely } from 'kysely'
import type { Audience, Database, PosterStatus } from '../db/types.ts'

/** Everything the citizen form needs to know about a poster, in one indexed read. */
export interface PosterForm {
  id: number
  code: string
  status: PosterStatus
  language: string | null
  regionId: number
  partnerId: number
  locationId: number
  activityId: number
  activityTitle: string
  audience: Audience
  locationName: string
  contactLine: string | null
  oneAnswerPerDevice: number
  /** For the consent sentence of the contact opt-in: who sees the details, and for how long. */
  regionName: string
  contactMaxAgeDays: number
}

export async function findPosterForm(db: Kysely<Database>, code: string): Promise<PosterForm | undefined> {
  const row = await db
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
      'posters.partner_id as partnerId',
      'posters.location_id as locationId',
      'posters.activity_id as activityId',
      'activities.title as activityTitle',
      'activities.audience',
      'locations.name as locationName',
      'regions.contact_line as contactLine',
      'posters.one_answer_per_device as oneAnswerPerDevice',
      'regions.name as regionName',
      'regions.contact_max_age_days as contactMaxAgeDays',
    ])
    .where('posters.code', '=', code)
    .executeTakeFirst()
  return row
}

/**
 * Closes a kiosk answer for step 2; true when this call closed it, false when it was closed
 * already. Inside the step-2 transaction, so that of two submits only one amends.
 */
export async function closeKioskAnswer(db: Kysely<Database>, responseId: number, now = new Date()): Promise<boolean> {
  const result = await db
    .insertInto('closed_kiosk_answers')
    .values({ response_id: responseId, closed_at: now.toISOString() })
    .onConflict((oc) => oc.column('response_id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

export async function kioskAnswerClosed(db: Kysely<Database>, responseId: number): Promise<boolean> {
  const row = await db.selectFrom('closed_kiosk_answers').select('response_id').where('response_id', '=', responseId).executeTakeFirst()
  return row !== undefined
}
