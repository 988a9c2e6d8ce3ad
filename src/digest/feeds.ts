import type { Kysely } from 'kysely'
import { type CurrentUser, can } from '../auth/permissions.ts'
import { randomToken, tokenHash } from '../auth/tokens.ts'
import type { Database } from '../db/types.ts'

/**
 * Feed links of a digest. What a token grants: reading one digest (a region's, or one
 * partner's), every complete month of it, and nothing else: no page, no session, no other
 * scope. It stops working when it is revoked, when the account that made it is disabled, or
 * when that person may no longer see the digest (asked of `can()` on every request, with the
 * person's current memberships): a partner member who leaves takes their feeds with them.
 * Feed URLs end up in readers' logs and proxies, so only the token's sha256 is stored.
 */

export interface FeedLinkRow {
  id: number
  createdAt: string
  createdBy: string
}

export type DigestScope = { regionId: number; partnerId: number | undefined }

export async function createFeedLink(db: Kysely<Database>, scope: DigestScope, userId: number, now = new Date()): Promise<{ id: number; token: string }> {
  const token = randomToken()
  const row = await db
    .insertInto('digest_feed_links')
    .values({ region_id: scope.regionId, partner_id: scope.partnerId ?? null, token_hash: tokenHash(token), created_by: userId, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, token }
}

/** The digest's active links (the tokens are not known: only their hashes are stored). */
export async function listFeedLinks(db: Kysely<Database>, scope: DigestScope): Promise<FeedLinkRow[]> {
  const rows = await db
    .selectFrom('digest_feed_links')
    .innerJoin('users', 'users.id', 'digest_feed_links.created_by')
    .select(['digest_feed_links.id', 'digest_feed_links.created_at', 'users.email'])
    .where('digest_feed_links.region_id', '=', scope.regionId)
    .where('digest_feed_links.partner_id', scope.partnerId === undefined ? 'is' : '=', scope.partnerId ?? null)
    .where('digest_feed_links.revoked_at', 'is', null)
    .orderBy('digest_feed_links.id', 'desc')
    .execute()
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at, createdBy: row.email }))
}

/** Revokes one of the digest's links; false when this digest has no such link (another scope's is not found). */
export async function revokeFeedLink(db: Kysely<Database>, scope: DigestScope, linkId: number, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable('digest_feed_links')
    .set({ revoked_at: now.toISOString() })
    .where('id', '=', linkId)
    .where('region_id', '=', scope.regionId)
    .where('partner_id', scope.partnerId === undefined ? 'is' : '=', scope.partnerId ?? null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) > 0) return true
  // Revoked already (a double click) is not an error; another scope's link is.
  const row = await db
    .selectFrom('digest_feed_links')
    .select('id')
    .where('id', '=', linkId)
    .where('region_id', '=', scope.regionId)
    .where('partner_id', scope.partnerId === undefined ? 'is' : '=', scope.partnerId ?? null)
    .executeTakeFirst()
  return row !== undefined
}

/** A staff member as `can()` sees them now (their current memberships), or undefined when the account is disabled or gone. */
export async function staffMember(db: Kysely<Database>, userId: number): Promise<CurrentUser | undefined> {
  const user = await db.selectFrom('users').select(['id', 'email', 'name', 'role', 'disabled_at']).where('id', '=', userId).executeTakeFirst()
  if (user === undefined || user.disabled_at !== null) return undefined
  const [regions, partners] = await Promise.all([
    db.selectFrom('user_regions').select('region_id').where('user_id', '=', user.id).execute(),
    db.selectFrom('user_partners').innerJoin('partners', 'partners.id', 'user_partners.partner_id').select(['partners.id', 'partners.region_id']).where('user_partners.user_id', '=', user.id).execute(),
  ])
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    regionIds: regions.map((r) => r.region_id),
    partnerIds: partners.map((p) => p.id),
    partnerRegionIds: [...new Set(partners.map((p) => p.region_id))],
    sessionId: '',
  }
}

/** The digest a token opens, or undefined (unknown, revoked, or its maker may not see it any more). */
export async function digestForFeedToken(db: Kysely<Database>, token: string): Promise<DigestScope | undefined> {
  const row = await db.selectFrom('digest_feed_links').selectAll().where('token_hash', '=', tokenHash(token)).where('revoked_at', 'is', null).executeTakeFirst()
  if (row === undefined) return undefined
  const user = await staffMember(db, row.created_by)
  const scope: DigestScope = { regionId: row.region_id, partnerId: row.partner_id ?? undefined }
  if (user === undefined || !can(user, 'view', { type: 'digest', regionId: scope.regionId, ...(scope.partnerId === undefined ? {} : { partnerId: scope.partnerId }) })) return undefined
  return scope
}
