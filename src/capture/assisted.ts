import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Audience, Database } from '../db/types.ts'
import { languageCodes, type MessageKey } from '../i18n/i18n.ts'
import { stepOneBody, stepTwoBody } from './schemas.ts'

/**
 * Assisted capture (issue 19): a bridge figure or desk worker records a learning question
 * from a conversation at a walk-in point, on the person's behalf. The form asks what the
 * citizen form asks — the step-1 question and the step-2 fields, with the same schemas — plus
 * where it happened and the language of the conversation. The answer is stored through the
 * write model like any other (answers/responses.ts `insertWholeAnswer`), marked assisted.
 */

/** A poster of the region that can take an answer: where the conversation is recorded. */
export interface AssistedPlace {
  posterId: number
  partnerId: number
  locationId: number
  activityId: number
  activityTitle: string
  locationName: string
  audience: Audience
}

/**
 * The region's posters that are not retired (activity × location), by location then
 * activity. A paused poster takes no scans, but its activity still happens at its location:
 * a conversation there can still be recorded. A retired one is gone for good.
 */
export async function assistedPlaces(db: Kysely<Database>, regionId: number): Promise<AssistedPlace[]> {
  return db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .select([
      'posters.id as posterId',
      'posters.partner_id as partnerId',
      'posters.location_id as locationId',
      'posters.activity_id as activityId',
      'activities.title as activityTitle',
      'locations.name as locationName',
      'activities.audience',
    ])
    .where('posters.region_id', '=', regionId)
    .where('posters.status', '!=', 'retired')
    .orderBy('locations.name')
    .orderBy('activities.title')
    .orderBy('posters.id')
    .execute()
}

const message = (key: MessageKey) => ({ message: key })

/**
 * The assisted form: the step-1 question and every step-2 field exactly as the citizen
 * form parses them (schemas.ts), and the three things only staff fill in. The contact
 * fields are parsed by followup's `parseContactForm`, as on step 2.
 */
export const assistedBody = stepTwoBody.extend({
  // The citizen's message says "tap one of the three buttons"; the staff member needs another.
  tried_new: z.enum(stepOneBody.shape.tried_new.options, message('admin.assisted.tried_new.invalid')),
  poster_id: z.string(message('admin.assisted.place.invalid')).regex(/^\d{1,9}$/, message('admin.assisted.place.invalid')).transform(Number),
  language: z.enum(languageCodes as [string, ...string[]], message('admin.assisted.language.invalid')),
  ticket: z.string(message('admin.error.invalid')).regex(/^[A-Za-z0-9_-]{22}$/, message('admin.error.invalid')),
})

/**
 * The answer's idempotency key: the form's ticket (drawn when the form was shown) and the
 * place. A double submit stores one answer; the same form sent again for another place is
 * another answer, not an error.
 */
export function assistedIdempotencyKey(ticket: string, posterId: number): string {
  return createHash('sha256').update(`assisted:${ticket}:${posterId}`, 'utf8').digest('base64url').slice(0, 32)
}
