import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, Role } from '../../src/db/types.ts'
import { upsertContactRequest } from '../../src/followup/index.ts'
import { createOffer, type OfferInput } from '../../src/followup/offers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, type Fixture } from '../helpers.ts'

interface Teardown {
  teardown(fn: () => unknown): void
}

const day = 24 * 60 * 60 * 1000

export interface AuditEntry {
  userId: number | null
  action: string
  resourceType: string | null
  resourceId: number | null
  regionId: number | null
  detail?: Record<string, unknown>
}

/** Entries of the shell and the sign-in, not of follow-up. */
const notFollowup = ['login.success', 'login.failure', 'login.throttled', 'logout', 'access.denied']

/**
 * The whole app with two regions (a and b), each with a poster. `signIn(role, regionIds)`
 * makes an account and signs it in through /login, as a person would; for a partner member
 * the regions name the organisations (each region's partner) they belong to.
 */
export async function followupWorld(t: Teardown) {
  const ctx = await buildTestApp(t)
  const db = ctx.database.db
  const a = await seedPoster(ctx.database)
  const b = await seedPoster(ctx.database)
  let people = 0

  /** An account with the test password (test/auth/browser.ts). */
  async function account(role: Role, regionIds: number[] = []): Promise<{ id: number; email: string }> {
    const email = `${role}-${++people}@example.be`
    const memberships = role === 'partner' ? { partnerIds: regionIds.map((regionId) => (regionId === a.regionId ? a.partnerId : b.partnerId)) } : { regionIds }
    return { id: await makeUser(db, role, email, memberships), email }
  }

  /** A signed-in person with their account id, on the start page (whose CSRF token their forms carry). */
  async function signIn(role: Role, regionIds: number[] = []): Promise<Browser & { id: number }> {
    const { id, email } = await account(role, regionIds)
    const browser = new Browser(ctx.app)
    await browser.signIn(email, testPassword)
    const home = await browser.get('/admin')
    if (home.statusCode !== 200) throw new Error(`${email} did not get to the start page`)
    return Object.assign(browser, { id })
  }

  /** What follow-up wrote to the audit log, oldest first. */
  async function audits(): Promise<AuditEntry[]> {
    const rows = await db
      .selectFrom('audit_log')
      .select(['user_id', 'action', 'resource_type', 'resource_id', 'region_id', 'detail'])
      .where('action', 'not in', notFollowup)
      .orderBy('id')
      .execute()
    return rows.map((row) => ({
      userId: row.user_id,
      action: row.action,
      resourceType: row.resource_type,
      resourceId: row.resource_id,
      regionId: row.region_id,
      ...(row.detail === null ? {} : { detail: JSON.parse(row.detail) as Record<string, unknown> }),
    }))
  }

  return { ...ctx, a, b, account, signIn, audits }
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
      record_key: 17,
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

/** The sewing workshop the follow-up tests refer people to, on one theme of the region; `changes` for a variant. */
export function sewingWorkshop(db: Kysely<Database>, regionId: number, themeId: number, changes: Partial<OfferInput> = {}): Promise<number> {
  return createOffer(db, regionId, {
    title: 'Naaiatelier voor beginners',
    provider: 'Vormingplus Limburg',
    place: 'Bib Tongeren, Veemarkt 1',
    schedule: 'Elke dinsdag 19u–21u',
    cost: 'Gratis',
    languages: ['nl', 'ar'],
    textLanguage: 'nl',
    audience: 'all',
    link: 'https://example.be/naaien',
    contact: null,
    themeIds: [themeId],
    archived: false,
    ...changes,
  })
}

/**
 * The follow-up world for the person's own path page (the private link of the thank-you
 * page): a sewing workshop offered in region a on its first theme, and `ask(lang, freeText)`,
 * which answers on region a's poster with a contact request, as a phone would, and returns
 * the private link.
 */
export async function ownPathWorld(t: Teardown) {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const sewing = await sewingWorkshop(db, w.a.regionId, themes[0]!)
  const contact = { contact_name: 'Fatima', contact_value: '0474/12.34.56', contact_language: 'العربية', contact_moment: 'evening', contact_consent: 'yes' }

  async function ask(lang: string, freeText: string): Promise<string> {
    const { location } = await answerStepOne(w.app, w.a.code, { lang })
    const sent = await w.app.inject({ method: 'POST', url: location, headers: formHeaders, payload: form({ lang, themes: [String(themes[0]!)], free_text: freeText, ...contact }) })
    const thanks = await w.app.inject({ method: 'GET', url: String(sent.headers.location) })
    const link = /href="(\/withdraw\?[^"]+)"/.exec(thanks.body)?.[1]?.replace(/&amp;/g, '&')
    if (!link) throw new Error('no private link on the thank-you page')
    return link
  }

  return { ...w, sewing, ask }
}

export type World = Awaited<ReturnType<typeof followupWorld>>
export type App = FastifyInstance
