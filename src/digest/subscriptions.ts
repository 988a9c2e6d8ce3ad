import type { Kysely } from 'kysely'
import { type CurrentUser, can, regionScope } from '../auth/permissions.ts'
import { tokenHash } from '../auth/tokens.ts'
import { listRegionsIn } from '../auth/users.ts'
import type { Database } from '../db/types.ts'

/**
 * Subscriptions to the digest by e-mail (issue 19). A person subscribes only themselves,
 * only on their own profile page, and only to a digest `can()` lets them read; nothing is
 * sent to anyone who did not tick a box. Unsubscribing (on the profile page, or with the
 * one-click link of any digest e-mail) deletes the subscription.
 */

/** The languages a digest e-mail is written in (digest.*.json: nl, en, fr). */
export const mailLanguages = ['nl', 'en', 'fr'] as const
export type MailLanguage = (typeof mailLanguages)[number]

export interface DigestOption {
  /** `r<regionId>` or `p<partnerId>`: the form's value and the subscription's scope_key. */
  key: string
  regionId: number
  regionName: string
  partnerId: number | null
  partnerName: string | null
}

export const scopeKey = (regionId: number, partnerId: number | null) => (partnerId === null ? `r${regionId}` : `p${partnerId}`)

/**
 * Every digest this person may read, region by region: the region's own where they may read
 * it, then its partners' where they may. Asked of `can()`, as the digest pages ask it.
 */
export async function digestOptions(db: Kysely<Database>, user: CurrentUser): Promise<DigestOption[]> {
  const regions = await listRegionsIn(db, regionScope(user))
  if (regions.length === 0) return []
  const partners = await db
    .selectFrom('partners')
    .select(['id', 'region_id', 'name'])
    .where(
      'region_id',
      'in',
      regions.map((r) => r.id),
    )
    .orderBy('name')
    .execute()
  const options: DigestOption[] = []
  for (const region of regions) {
    if (can(user, 'view', { type: 'digest', regionId: region.id })) options.push({ key: scopeKey(region.id, null), regionId: region.id, regionName: region.name, partnerId: null, partnerName: null })
    for (const partner of partners) {
      if (partner.region_id !== region.id || !can(user, 'view', { type: 'digest', regionId: region.id, partnerId: partner.id })) continue
      options.push({ key: scopeKey(region.id, partner.id), regionId: region.id, regionName: region.name, partnerId: partner.id, partnerName: partner.name })
    }
  }
  return options
}

export async function subscriptionsOf(db: Kysely<Database>, userId: number): Promise<{ keys: string[]; language: MailLanguage | undefined }> {
  const rows = await db.selectFrom('digest_subscriptions').select(['scope_key', 'language']).where('user_id', '=', userId).orderBy('id').execute()
  return { keys: rows.map((r) => r.scope_key), language: rows[0]?.language as MailLanguage | undefined }
}

/**
 * Makes this person's subscriptions exactly `chosen` (options from `digestOptions`), all in
 * one language. Returns what was added and removed, for the audit log.
 */
export async function setSubscriptions(db: Kysely<Database>, userId: number, chosen: readonly DigestOption[], language: MailLanguage, now = new Date()): Promise<{ added: string[]; removed: string[] }> {
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('digest_subscriptions').select('scope_key').where('user_id', '=', userId).execute()
    const have = new Set(current.map((r) => r.scope_key))
    const want = new Set(chosen.map((o) => o.key))
    const removed = [...have].filter((key) => !want.has(key))
    const added = chosen.filter((o) => !have.has(o.key))
    if (removed.length > 0) await trx.deleteFrom('digest_subscriptions').where('user_id', '=', userId).where('scope_key', 'in', removed).execute()
    if (added.length > 0) {
      await trx
        .insertInto('digest_subscriptions')
        .values(added.map((o) => ({ user_id: userId, region_id: o.regionId, partner_id: o.partnerId, scope_key: o.key, language, created_at: now.toISOString() })))
        .onConflict((oc) => oc.columns(['user_id', 'scope_key']).doNothing())
        .execute()
    }
    await trx.updateTable('digest_subscriptions').set({ language }).where('user_id', '=', userId).execute()
    return { added: added.map((o) => o.key), removed }
  })
}

export interface UnsubscribeTarget {
  outboxId: number
  userId: number
  scopeKey: string
  regionName: string
  partnerName: string | null
  language: string
}

/** What an unsubscribe token opens: the digest e-mail it came in, while it is unused; else undefined. */
export async function findUnsubscribe(db: Kysely<Database>, token: string): Promise<UnsubscribeTarget | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined
  const row = await db
    .selectFrom('digest_outbox')
    .innerJoin('regions', 'regions.id', 'digest_outbox.region_id')
    .leftJoin('partners', 'partners.id', 'digest_outbox.partner_id')
    .select(['digest_outbox.id', 'digest_outbox.user_id', 'digest_outbox.scope_key', 'digest_outbox.language', 'regions.name as region_name', 'partners.name as partner_name'])
    .where('digest_outbox.unsubscribe_hash', '=', tokenHash(token))
    .where('digest_outbox.unsubscribed_at', 'is', null)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return { outboxId: row.id, userId: row.user_id, scopeKey: row.scope_key, regionName: row.region_name, partnerName: row.partner_name, language: row.language }
}

/**
 * One click: the subscription of the e-mail's digest is deleted, any of its e-mails still
 * waiting are cancelled, and the token is used up (a second click finds nothing). False
 * when the token was used meanwhile (two clicks at once: one wins).
 */
export async function unsubscribe(db: Kysely<Database>, target: UnsubscribeTarget, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('digest_outbox').set({ unsubscribed_at: now.toISOString() }).where('id', '=', target.outboxId).where('unsubscribed_at', 'is', null).executeTakeFirst()
    if (Number(used.numUpdatedRows) === 0) return false
    await trx.deleteFrom('digest_subscriptions').where('user_id', '=', target.userId).where('scope_key', '=', target.scopeKey).execute()
    await trx
      .updateTable('digest_outbox')
      .set({ status: 'cancelled' })
      .where('user_id', '=', target.userId)
      .where('scope_key', '=', target.scopeKey)
      .where('status', 'in', ['pending', 'retry'])
      .execute()
    return true
  })
}
