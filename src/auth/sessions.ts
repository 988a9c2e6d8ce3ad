import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import type { CurrentUser } from './permissions.ts'
import { randomToken, tokenHash } from './tokens.ts'

/** A session ends after 30 minutes without a request, and 12 hours after sign-in at the latest. */
const idleTimeoutMs = 30 * 60 * 1000
export const absoluteTimeoutMs = 12 * 60 * 60 * 1000
/** last_seen_at is written at most once a minute per session, not on every request. */
const touchIntervalMs = 60 * 1000

/** Starts a session and returns the cookie value; the database keeps only its hash. */
export async function createSession(db: Kysely<Database>, userId: number, now = new Date()): Promise<string> {
  const token = randomToken()
  await db
    .insertInto('sessions')
    .values({
      id: tokenHash(token),
      user_id: userId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + absoluteTimeoutMs).toISOString(),
    })
    .execute()
  return token
}

export async function endSession(db: Kysely<Database>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', tokenHash(token)).execute()
}

/**
 * The person behind a session cookie, read from the database on every request: a
 * disabled account, an expired session or a removed membership takes effect at once,
 * on every instance.
 */
export async function loadSessionUser(db: Kysely<Database>, token: string, now = new Date()): Promise<CurrentUser | undefined> {
  if (token.length < 20 || token.length > 100) return undefined
  const id = tokenHash(token)
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', 'sessions.last_seen_at', 'sessions.expires_at', 'users.id', 'users.email', 'users.name', 'users.role', 'users.disabled_at'])
    .where('sessions.id', '=', id)
    .executeTakeFirst()
  if (row === undefined) return undefined
  const idleSince = now.getTime() - Date.parse(row.last_seen_at)
  if (row.disabled_at !== null || row.expires_at <= now.toISOString() || idleSince > idleTimeoutMs) {
    await db.deleteFrom('sessions').where('id', '=', id).execute()
    return undefined
  }
  if (idleSince > touchIntervalMs) {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id', '=', id).execute()
  }
  const [regions, partners] = await Promise.all([
    db.selectFrom('user_regions').select('region_id').where('user_id', '=', row.id).execute(),
    db
      .selectFrom('user_partners')
      .innerJoin('partners', 'partners.id', 'user_partners.partner_id')
      .select(['partners.id', 'partners.region_id'])
      .where('user_partners.user_id', '=', row.id)
      .execute(),
  ])
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    regionIds: regions.map((r) => r.region_id),
    partnerIds: partners.map((p) => p.id),
    partnerRegionIds: [...new Set(partners.map((p) => p.region_id))],
    sessionId: id,
  }
}

/** Housekeeping: sessions past either timeout. */
export async function deleteExpiredSessions(db: Kysely<Database>, now = new Date()): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<', new Date(now.getTime() - idleTimeoutMs).toISOString())]))
    .execute()
}
