import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { randomToken, tokenHash } from '../auth/tokens.ts'

export interface ShareLinkRow {
  id: number
  createdAt: string
  createdBy: string | null
}

/**
 * A link opens either a region's dashboard or one partner's page (`partnerId`, issue 19):
 * the same table, tokens and revocation for both; every function below takes the partner
 * (undefined: the region's own links) so that a partner's link never opens the region's
 * dashboard, and a region's link never a partner's page.
 */
type LinkScope = number | undefined

/** The region's (or one partner's) links that still open; the tokens are not known (only their hashes are stored). */
export async function listActiveShareLinks(db: Kysely<Database>, regionId: number, partnerId?: LinkScope): Promise<ShareLinkRow[]> {
  const rows = await db
    .selectFrom('share_links')
    .leftJoin('users', 'users.id', 'share_links.created_by')
    .select(['share_links.id', 'share_links.created_at', 'users.email'])
    .where('share_links.region_id', '=', regionId)
    .where('share_links.partner_id', partnerId === undefined ? 'is' : '=', partnerId ?? null)
    .where('share_links.revoked_at', 'is', null)
    .orderBy('share_links.id', 'desc')
    .execute()
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at, createdBy: row.email ?? null }))
}

/** Makes a new link and returns its token: the only moment it exists outside the browser. */
export async function createShareLink(db: Kysely<Database>, regionId: number, userId: number, now = new Date(), partnerId?: LinkScope): Promise<{ id: number; token: string }> {
  const token = randomToken()
  const row = await db
    .insertInto('share_links')
    .values({ region_id: regionId, partner_id: partnerId ?? null, token_hash: tokenHash(token), created_by: userId, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, token }
}

/**
 * Revokes one of the region's links; false when the region has no such link. Revoking a
 * link that is already revoked changes nothing and is not an error (a double click).
 */
export async function revokeShareLink(db: Kysely<Database>, regionId: number, linkId: number, now = new Date(), partnerId?: LinkScope): Promise<boolean> {
  const link = await db
    .selectFrom('share_links')
    .select('id')
    .where('id', '=', linkId)
    .where('region_id', '=', regionId)
    .where('partner_id', partnerId === undefined ? 'is' : '=', partnerId ?? null)
    .executeTakeFirst()
  if (!link) return false
  await db.updateTable('share_links').set({ revoked_at: now.toISOString() }).where('id', '=', link.id).where('revoked_at', 'is', null).execute()
  return true
}

/** The region a token opens, or undefined for an unknown or revoked token (or a partner's link). */
export async function regionForShareToken(db: Kysely<Database>, token: string): Promise<number | undefined> {
  // Plan: SEARCH share_links USING INDEX on token_hash (unique, migration 008): one row by key.
  const row = await db
    .selectFrom('share_links')
    .select('region_id')
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .where('partner_id', 'is', null)
    .executeTakeFirst()
  return row?.region_id
}

/** The partner page a token opens, or undefined for an unknown or revoked token (or a region's link). */
export async function partnerForShareToken(db: Kysely<Database>, token: string): Promise<{ regionId: number; partnerId: number } | undefined> {
  const row = await db
    .selectFrom('share_links')
    .select(['region_id', 'partner_id'])
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .where('partner_id', 'is not', null)
    .executeTakeFirst()
  return row && row.partner_id !== null ? { regionId: row.region_id, partnerId: row.partner_id } : undefined
}
