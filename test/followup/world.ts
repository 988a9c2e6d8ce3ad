import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/db/types.ts'
import type { StaffUser } from '../../src/followup/access.ts'
import followupRoutes, { type FollowupAuditEvent } from '../../src/followup/routes.ts'
import { upsertContactRequest } from '../../src/followup/queries.ts'
import { buildTestApp, seedPoster, type Fixture } from '../helpers.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

const day = 24 * 60 * 60 * 1000

/**
 * The app with the follow-up plugin mounted under /admin, as the lead will mount it behind
 * the accounts feature: the signed-in person is whoever the test sets in `world.as(...)`.
 */
export async function followupWorld(t: Teardown) {
  const ctx = await buildTestApp(t)
  const audits: FollowupAuditEvent[] = []
  let user: StaffUser | null = null
  await ctx.app.register(followupRoutes, {
    prefix: '/plugin',
    currentUser: () => user,
    audit: (event) => {
      audits.push(event)
    },
  })
  const a = await seedPoster(ctx.database)
  const b = await seedPoster(ctx.database)
  return {
    ...ctx,
    a,
    b,
    audits,
    as(next: StaffUser | null) {
      user = next
    },
  }
}

export async function themeIds(db: Kysely<Database>, regionId: number): Promise<number[]> {
  return (await db.selectFrom('themes').select('id').where('region_id', '=', regionId).orderBy('position').execute()).map((row) => row.id)
}

/** An answer with a contact request, made `daysAgo` days ago. */
export async function request(
  db: Kysely<Database>,
  fixture: Fixture,
  options: { daysAgo?: number; name?: string; value?: string; freeText?: string | null; themeIds?: number[] } = {},
): Promise<{ id: number; responseId: number }> {
  const createdAt = new Date(Date.now() - (options.daysAgo ?? 0) * day - 60_000).toISOString()
  const { id: responseId } = await db
    .insertInto('responses')
    .values({
      poster_id: fixture.posterId,
      region_id: fixture.regionId,
      partner_id: fixture.partnerId,
      location_id: fixture.locationId,
      activity_id: fixture.activityId,
      created_at: createdAt,
      language: 'nl',
      tried_new: 'yes',
      free_text: options.freeText ?? null,
      step: 2,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const themeId of options.themeIds ?? []) {
    await db.insertInto('response_themes').values({ response_id: responseId, theme_id: themeId, source: 'chosen', matched: null }).execute()
  }
  const value = options.value ?? '+32474123456'
  await upsertContactRequest(db, {
    response_id: responseId,
    region_id: fixture.regionId,
    name: options.name ?? 'Fatima',
    channel: value.includes('@') ? 'email' : 'phone',
    contact_value: value,
    preferred_language: 'ar',
    good_moment: 'evening',
    consent_version: 'c'.repeat(64),
    language: 'nl',
    created_at: createdAt,
    withdrawal_token_hash: null,
  })
  const row = await db.selectFrom('contact_requests').select('id').where('response_id', '=', responseId).executeTakeFirstOrThrow()
  return { id: row.id, responseId }
}

export type World = Awaited<ReturnType<typeof followupWorld>>
export type App = FastifyInstance
