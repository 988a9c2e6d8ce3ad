import type { Kysely } from 'kysely'
import type { Database, Invitation, Role } from '../db/types.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { hashPassword } from './passwords.ts'
import { createUser, normalizeEmail } from './users.ts'
import { randomToken, tokenHash } from './tokens.ts'

const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000

export interface NewInvitation {
  email: string
  role: Role
  regionId?: number | null
  partnerId?: number | null
  invitedBy: number | null
}

/** Makes a single-use invitation and returns its token (shown once; only its hash is kept). */
export async function createInvitation(db: Kysely<Database>, input: NewInvitation, now = new Date()): Promise<{ id: number; token: string }> {
  const token = randomToken()
  const { id } = await db
    .insertInto('invitations')
    .values({
      token_hash: tokenHash(token),
      email: normalizeEmail(input.email),
      role: input.role,
      region_id: input.regionId ?? null,
      partner_id: input.partnerId ?? null,
      invited_by: input.invitedBy,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + invitationLifetimeMs).toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id, token }
}

export function invitationLink(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/login/invite/${token}`
}

/** An invitation that can still be used: known token, not used, not expired. */
export async function findUsableInvitation(db: Kysely<Database>, token: string, now = new Date()): Promise<Invitation | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', tokenHash(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst()
}

export type AcceptResult = { ok: true; userId: number; invitation: Invitation } | { ok: false; reason: 'invalid' | 'account_exists' }

/**
 * Turns an invitation into an account. Marking it used is the first write, guarded by
 * `used_at is null`, so that two tabs submitting the same link create one account.
 */
export async function acceptInvitation(db: Kysely<Database>, token: string, input: { name: string; password: string }, now = new Date()): Promise<AcceptResult> {
  const invitation = await findUsableInvitation(db, token, now)
  if (invitation === undefined) return { ok: false, reason: 'invalid' }
  const passwordHash = await hashPassword(input.password)
  try {
    return await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('invitations')
        .set({ used_at: now.toISOString() })
        .where('id', '=', invitation.id)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) !== 1) throw new InvitationTaken()
      const userId = await createUser(trx, {
        email: invitation.email,
        name: input.name,
        role: invitation.role,
        passwordHash,
        regionIds: invitation.region_id !== null && invitation.role !== 'partner' && invitation.role !== 'admin' ? [invitation.region_id] : [],
        partnerIds: invitation.partner_id !== null && invitation.role === 'partner' ? [invitation.partner_id] : [],
      })
      await trx.updateTable('invitations').set({ user_id: userId }).where('id', '=', invitation.id).execute()
      return { ok: true as const, userId, invitation }
    })
  } catch (error) {
    if (error instanceof InvitationTaken) return { ok: false, reason: 'invalid' }
    if (isUniqueViolation(error)) return { ok: false, reason: 'account_exists' }
    throw error
  }
}

class InvitationTaken extends Error {}

export function listOpenInvitations(db: Kysely<Database>, regionId: number | null, now = new Date()) {
  let query = db
    .selectFrom('invitations')
    .leftJoin('partners', 'partners.id', 'invitations.partner_id')
    .select(['invitations.id', 'invitations.email', 'invitations.role', 'invitations.expires_at', 'partners.name as partner_name'])
    .where('invitations.used_at', 'is', null)
    .where('invitations.expires_at', '>', now.toISOString())
  query = regionId === null ? query.where('invitations.role', '=', 'admin') : query.where('invitations.region_id', '=', regionId)
  return query.orderBy('invitations.id', 'desc').execute()
}
