import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { parseContactValue } from './contact-value.ts'
import { eraseNotesOfErasedRequests } from './paths.ts'
import { erasedContactFields } from './queries.ts'

/**
 * Data subject requests (GDPR articles 15, 17 and 20): everything held about one phone
 * number or e-mail address, found through the normalised contact value, exported as JSON,
 * or erased. Erasing removes the contact details and the free text of the linked answers
 * (a person may have written something that identifies them); the taps, faces and themes
 * stay as anonymous answers that no longer link to anyone.
 */

export interface SubjectRecord {
  contactRequest: {
    id: number
    regionId: number
    name: string | null
    channel: string
    contactValue: string | null
    preferredLanguage: string
    goodMoment: string
    consentVersion: string
    consentLanguage: string
    createdAt: string
    status: string
    outcome: string | null
    closedAt: string | null
    nextContactOn: string | null
  }
  attempts: { at: string; result: string }[]
  /** The learning path: the steps a bridge figure recorded, with their notes. */
  steps: { onDay: string; kind: string; offer: string | null; note: string | null; recordedAt: string }[]
  /** The questions the person added later through their own link, in their words. */
  laterQuestions: { askedOn: string; askedAt: string; language: string; text: string }[]
  answer: {
    createdAt: string
    language: string
    triedNew: string
    liked: number | null
    ageBand: string | null
    freeText: string | null
    themes: string[]
    activity: string
    location: string
  }
}

/** The ids of the (not yet erased) contact requests for this value; [] when it is not a valid value. */
export async function findSubject(db: Kysely<Database>, input: string): Promise<number[]> {
  const parsed = parseContactValue(input)
  if (parsed === undefined) return []
  const rows = await db.selectFrom('contact_requests').select('id').where('contact_value', '=', parsed.value).orderBy('id').execute()
  return rows.map((row) => row.id)
}

export async function exportSubject(db: Kysely<Database>, input: string): Promise<SubjectRecord[]> {
  const ids = await findSubject(db, input)
  const records: SubjectRecord[] = []
  for (const id of ids) {
    const row = await db
      .selectFrom('contact_requests')
      .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
      .innerJoin('activities', 'activities.id', 'responses.activity_id')
      .innerJoin('locations', 'locations.id', 'responses.location_id')
      .select([
        'contact_requests.id',
        'contact_requests.region_id',
        'contact_requests.name',
        'contact_requests.channel',
        'contact_requests.contact_value',
        'contact_requests.preferred_language',
        'contact_requests.good_moment',
        'contact_requests.consent_version',
        'contact_requests.language as consent_language',
        'contact_requests.created_at',
        'contact_requests.status',
        'contact_requests.outcome',
        'contact_requests.closed_at',
        'contact_requests.next_contact_on',
        'responses.id as response_id',
        'responses.created_at as answered_at',
        'responses.language',
        'responses.tried_new',
        'responses.liked',
        'responses.age_band',
        'responses.free_text',
        'activities.title as activity',
        'locations.name as location',
      ])
      .where('contact_requests.id', '=', id)
      .executeTakeFirstOrThrow()
    const attempts = await db.selectFrom('contact_attempts').select(['at', 'result']).where('contact_request_id', '=', id).orderBy('at').execute()
    const steps = await db
      .selectFrom('path_steps')
      .leftJoin('offers', 'offers.id', 'path_steps.offer_id')
      .select(['path_steps.on_day as onDay', 'path_steps.kind', 'offers.title as offer', 'path_steps.note', 'path_steps.recorded_at as recordedAt'])
      .where('path_steps.contact_request_id', '=', id)
      .orderBy('path_steps.on_day')
      .orderBy('path_steps.id')
      .execute()
    const laterQuestions = await db
      .selectFrom('path_questions')
      .select(['asked_on as askedOn', 'asked_at as askedAt', 'language', 'text'])
      .where('contact_request_id', '=', id)
      .orderBy('id')
      .execute()
    const themes = await db
      .selectFrom('response_themes')
      .innerJoin('themes', 'themes.id', 'response_themes.theme_id')
      .select('themes.slug')
      .where('response_themes.response_id', '=', row.response_id)
      .execute()
    records.push({
      contactRequest: {
        id: row.id,
        regionId: row.region_id,
        name: row.name,
        channel: row.channel,
        contactValue: row.contact_value,
        preferredLanguage: row.preferred_language,
        goodMoment: row.good_moment,
        consentVersion: row.consent_version,
        consentLanguage: row.consent_language,
        createdAt: row.created_at,
        status: row.status,
        outcome: row.outcome,
        closedAt: row.closed_at,
        nextContactOn: row.next_contact_on,
      },
      attempts,
      steps: steps.map((step) => ({ ...step, offer: step.offer ?? null })),
      laterQuestions,
      answer: {
        createdAt: row.answered_at,
        language: row.language,
        triedNew: row.tried_new,
        liked: row.liked,
        ageBand: row.age_band,
        freeText: row.free_text,
        themes: themes.map((theme) => theme.slug),
        activity: row.activity,
        location: row.location,
      },
    })
  }
  return records
}

/** Erases everything about this value; returns how many contact requests were erased. */
export async function eraseSubject(db: Kysely<Database>, input: string, now = new Date().toISOString()): Promise<number> {
  const ids = await findSubject(db, input)
  if (ids.length === 0) return 0
  await db.transaction().execute(async (trx) => {
    const responseIds = (await trx.selectFrom('contact_requests').select('response_id').where('id', 'in', ids).execute()).map((row) => row.response_id)
    await trx
      .updateTable('contact_requests')
      .set({ ...erasedContactFields(now, 'subject_request'), status: 'closed', closed_at: now })
      .where('id', 'in', ids)
      .execute()
    await eraseNotesOfErasedRequests(trx)
    await trx.updateTable('responses').set({ free_text: null }).where('id', 'in', responseIds).execute()
    await trx.updateTable('response_moderation').set({ redacted_text: null, status: 'hidden' }).where('response_id', 'in', responseIds).execute()
  })
  return ids.length
}
