import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { randomToken, tokenHash } from '../auth/tokens.ts'

export interface ShareLinkRow {
  id: number
  createdAt: string
  createdBy: string | null
}

/** The region's links that still open; the tokens are not known (only their hashes are stored). */
export async function listActiveShareLinks(db: Kysely<Database>, regionId: number): Promise<ShareLinkRow[]> {
  const rows = await db
    .selectFrom('share_links')
    .leftJoin('users', 'users.id', 'share_links.created_by')
    .select(['share_links.id', 'share_links.created_at', 'users.email'])
    .where('share_links.region_id', '=', regionId)
    .where('share_links.revoked_at', 'is', null)
    .orderBy('share_links.id', 'desc')
    .execute()
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at, createdBy: row.email ?? null }))
}

/** Makes a new link and returns its token: the only moment it exists outside the browser. */
export async function createShareLink(db: Kysely<Database>, regionId: number, userId: number, now = new Date()): Promise<{ id: number; token: string }> {
  const token = randomToken()
  const row = await db
    .insertInto('share_links')
    .values({ region_id: regionId, token_hash: tokenHash(token), created_by: userId, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, token }
}

/**
 * Revokes one of the region's links; false when the region has no such link. Revoking a
 * link that is already revoked changes nothing and is not an error (a double click).
 */
export async function revokeShareLink(db: Kysely<Database>, regionId: number, linkId: number, now = new Date()): Promise<boolean> {
  const link = await db.selectFrom('share_links').select('id').where('id', '=', linkId).where('region_id', '=', regionId).executeTakeFirst()
  if (!link) return false
  await db.updateTable('share_links').set({ revoked_at: now.toISOString() }).where('id', '=', link.id).where('revoked_at', 'is', null).execute()
  return true
}

/** The region a token opens, or undefined for an unknown or revoked token. */
export async function regionForShareToken(db: Kysely<Database>, token: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('share_links')
    .select('region_id')
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return row?.region_id
}
