import { type Kysely, sql } from 'kysely'
import { eraseNotesOfErasedRequests } from './paths.ts'
import type { Audience, ContactOutcome, ContactStatus, Database, EraseReason, NewContactRequest } from '../db/types.ts'

/**
 * Stores a contact request for a response, inside the caller's transaction (the step-2
 * amend). A form sent twice (double tap, back and resend) replaces the first request's
 * details rather than adding a second request for the same answer. A request that was
 * withdrawn and is then sent again (the answer token lives two hours) is a new request:
 * it goes back to the queue as new.
 */
export async function upsertContactRequest(db: Kysely<Database>, row: NewContactRequest): Promise<void> {
  await db
    .insertInto('contact_requests')
    .values(row)
    .onConflict((oc) =>
      oc.column('response_id').doUpdateSet({
        name: row.name,
        channel: row.channel,
        contact_value: row.contact_value,
        preferred_language: row.preferred_language,
        good_moment: row.good_moment,
        consent_version: row.consent_version,
        language: row.language,
        withdrawal_token_hash: row.withdrawal_token_hash,
        // SET expressions see the row as it was, so these test the old erased_at.
        status: sql<ContactStatus>`case when contact_requests.erased_at is null then contact_requests.status else 'new' end`,
        claimed_by: sql<number | null>`case when contact_requests.erased_at is null then contact_requests.claimed_by else null end`,
        claimed_at: sql<string | null>`case when contact_requests.erased_at is null then contact_requests.claimed_at else null end`,
        outcome: sql<ContactOutcome | null>`case when contact_requests.erased_at is null then contact_requests.outcome else null end`,
        closed_at: sql<string | null>`case when contact_requests.erased_at is null then contact_requests.closed_at else null end`,
        created_at: sql<string>`case when contact_requests.erased_at is null then contact_requests.created_at else ${row.created_at} end`,
        erased_at: null,
        erase_reason: null,
      }),
    )
    .execute()
}

/**
 * What erasing a contact request leaves: the fact that there was one, its status and outcome.
 * The next contact goes too: with nobody left to contact, the path leaves the due list.
 */
export const erasedContactFields = (now: string, reason: EraseReason) =>
  ({ name: null, contact_value: null, withdrawal_token_hash: null, next_contact_on: null, erased_at: now, erase_reason: reason }) as const

/**
 * The private withdrawal link: erases the contact details at once. True when something
 * was erased; false for an unknown or already used token (the caller shows the same
 * friendly page either way).
 */
export async function withdrawContactRequest(db: Kysely<Database>, tokenHash: string, now = new Date().toISOString()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('contact_requests')
      .set({ ...erasedContactFields(now, 'withdrawn'), status: 'closed', outcome: 'not_needed', closed_at: now })
      .where('withdrawal_token_hash', '=', tokenHash)
      .where('erased_at', 'is', null)
      .executeTakeFirst()
    // The bridge figures' notes about the person go with the contact details.
    await eraseNotesOfErasedRequests(trx)
    return Number(result.numUpdatedRows) > 0
  })
}

export interface CitizenOffer {
  id: number
  title: string
  provider: string
  place: string | null
  schedule: string | null
  cost: string | null
  languages: string
  textLanguage: string
  link: string | null
}

/**
 * The next steps on the thank-you page: the region's current offers that share a theme
 * with this answer, for this audience (children see offers for children and for all;
 * everyone else does not see offers meant only for children). At most `limit`.
 */
export async function offersForResponse(
  db: Kysely<Database>,
  responseId: number,
  regionId: number,
  audience: Audience,
  limit = 4,
): Promise<CitizenOffer[]> {
  let query = db
    .selectFrom('offers')
    .select([
      'offers.id',
      'offers.title',
      'offers.provider',
      'offers.place',
      'offers.schedule',
      'offers.cost',
      'offers.languages',
      'offers.text_language as textLanguage',
      'offers.link',
    ])
    .where('offers.region_id', '=', regionId)
    .where('offers.archived', '=', 0)
    .where('offers.id', 'in', (eb) =>
      eb
        .selectFrom('offer_themes')
        .select('offer_themes.offer_id')
        .where('offer_themes.theme_id', 'in', eb.selectFrom('response_themes').select('response_themes.theme_id').where('response_themes.response_id', '=', responseId)),
    )
  query = audience === 'children' ? query.where('offers.audience', 'in', ['all', 'children']) : query.where('offers.audience', '!=', 'children')
  return query.orderBy('offers.title').orderBy('offers.id').limit(limit).execute()
}
