import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { hashPassword } from './passwords.ts'
import { randomToken, tokenHash } from './tokens.ts'

/**
 * Password reset links, made by a staff member for an account they may manage (`can()`
 * 'user' manage with the account's role) and passed on by hand: there is no e-mail server.
 * Like invitations: 256 random bits, only the sha256 stored, single use. Shorter-lived than
 * an invitation (24 hours), because a reset link takes over an account that already has
 * access to data.
 */
export const passwordResetLifetimeMs = 24 * 60 * 60 * 1000

/**
 * Makes a reset link for an account and returns its token (shown once). Earlier unused links
 * of the same account stop working: only the newest link a staff member handed out counts.
 */
export async function createPasswordReset(db: Kysely<Database>, input: { userId: number; createdBy: number }, now = new Date()): Promise<{ id: number; token: string }> {
  const token = randomToken()
  const id = await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('password_resets').where('user_id', '=', input.userId).where('used_at', 'is', null).execute()
    const row = await trx
      .insertInto('password_resets')
      .values({
        token_hash: tokenHash(token),
        user_id: input.userId,
        created_by: input.createdBy,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + passwordResetLifetimeMs).toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  })
  return { id, token }
}

export function passwordResetLink(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/login/reset/${token}`
}

export interface UsableReset {
  id: number
  userId: number
  email: string
  name: string
}

/**
 * A reset link that can still be used: a well-formed, known token, not used, not expired,
 * for an account that is not disabled (a link must not be a way around "Disable").
 */
export async function findUsableReset(db: Kysely<Database>, token: string, now = new Date()): Promise<UsableReset | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
  const row = await db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .select(['password_resets.id', 'users.id as userId', 'users.email', 'users.name'])
    .where('password_resets.token_hash', '=', tokenHash(token))
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', now.toISOString())
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst()
  return row
}

/**
 * Sets the new password and ends every session of the account, in one transaction. Marking
 * the link used is the first write, guarded by `used_at is null`, so two tabs submitting
 * the same link change the password once. Returns the account's id, or undefined when the
 * link no longer works.
 */
export async function usePasswordReset(db: Kysely<Database>, token: string, password: string, now = new Date()): Promise<number | undefined> {
  const reset = await findUsableReset(db, token, now)
  if (reset === undefined) return undefined
  const passwordHash = await hashPassword(password)
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('password_resets')
      .set({ used_at: now.toISOString() })
      .where('id', '=', reset.id)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return undefined
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', reset.userId).execute()
    await trx.deleteFrom('sessions').where('user_id', '=', reset.userId).execute()
    return reset.userId
  })
}
