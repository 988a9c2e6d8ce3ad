import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { randomToken, tokenHash } from '../auth/tokens.ts'

/**
 * Read-only API tokens, one region each. A token is `lvapi_` and 256 random bits: the
 * prefix lets a person (and secret scanners on code hosts) recognise a leaked token for
 * what it is. Only the SHA-256 of the whole string is stored.
 */
const tokenPrefix = 'lvapi_'
const tokenPattern = /^lvapi_[\w-]{43}$/

/** How stale `last_used_at` may get before a request writes it again. */
const lastUsedResolutionMs = 60_000

export interface ApiTokenRow {
  id: number
  name: string
  createdAt: string
  createdBy: string | null
  lastUsedAt: string | null
}

/** The region's tokens that still work, newest first; the tokens themselves are not known. */
export async function listActiveApiTokens(db: Kysely<Database>, regionId: number): Promise<ApiTokenRow[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.created_at', 'api_tokens.last_used_at', 'users.email'])
    .where('api_tokens.region_id', '=', regionId)
    .where('api_tokens.revoked_at', 'is', null)
    .orderBy('api_tokens.id', 'desc')
    .execute()
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at, createdBy: row.email ?? null, lastUsedAt: row.last_used_at }))
}

/** Makes a token and returns it: the only moment it exists outside the client that will use it. */
export async function createApiToken(
  db: Kysely<Database>,
  input: { regionId: number; name: string; userId: number | null },
  now = new Date(),
): Promise<{ id: number; token: string }> {
  const token = tokenPrefix + randomToken()
  const row = await db
    .insertInto('api_tokens')
    .values({ region_id: input.regionId, name: input.name, token_hash: tokenHash(token), created_by: input.userId, created_at: now.toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: row.id, token }
}

/**
 * Revokes one of the region's tokens; false when the region has no such token. Revoking
 * one that is already revoked changes nothing and is not an error (a double click).
 */
export async function revokeApiToken(db: Kysely<Database>, regionId: number, tokenId: number, now = new Date()): Promise<boolean> {
  const token = await db.selectFrom('api_tokens').select('id').where('id', '=', tokenId).where('region_id', '=', regionId).executeTakeFirst()
  if (!token) return false
  await db.updateTable('api_tokens').set({ revoked_at: now.toISOString() }).where('id', '=', token.id).where('revoked_at', 'is', null).execute()
  return true
}

export interface TokenGrant {
  tokenId: number
  regionId: number
}

/**
 * The region a presented token opens, or undefined for a malformed, unknown or revoked
 * token. Marks the token as used when its mark is older than `lastUsedResolutionMs`; the
 * condition in the UPDATE keeps several instances from all writing in the same minute.
 */
export async function grantForApiToken(db: Kysely<Database>, token: string, now = new Date()): Promise<TokenGrant | undefined> {
  if (!tokenPattern.test(token)) return undefined
  // Plan: SEARCH api_tokens USING INDEX on token_hash (unique, migration 009): one row by key.
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'region_id', 'last_used_at'])
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const stale = new Date(now.getTime() - lastUsedResolutionMs).toISOString()
  if (row.last_used_at === null || row.last_used_at < stale) {
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stale)]))
      .execute()
  }
  return { tokenId: row.id, regionId: row.region_id }
}
