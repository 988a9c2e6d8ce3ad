import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'

/**
 * Login throttling, counted in the database so that every instance sees the same count.
 * An account is locked for 15 minutes after 10 failures within 15 minutes; a client
 * address after 50 (a library or school shares one address between many people). The
 * account key is made from the typed e-mail address whether or not an account exists,
 * so locking tells nothing about who has an account.
 */
export const accountLimit = 10
export const clientLimit = 50
const windowMs = 15 * 60 * 1000
const lockMs = 15 * 60 * 1000

/** Milliseconds until the key may try again; 0 when it may try now. */
export async function lockedFor(db: Kysely<Database>, key: string, now = new Date()): Promise<number> {
  const row = await db.selectFrom('login_throttle').select('locked_until').where('key', '=', key).executeTakeFirst()
  if (!row?.locked_until) return 0
  return Math.max(0, Date.parse(row.locked_until) - now.getTime())
}

export async function recordFailure(db: Kysely<Database>, key: string, limit: number, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst()
    const fresh = row === undefined || now.getTime() - Date.parse(row.first_failure_at) > windowMs
    const failures = fresh ? 1 : row.failures + 1
    const values = {
      failures,
      first_failure_at: fresh ? now.toISOString() : row.first_failure_at,
      locked_until: failures >= limit ? new Date(now.getTime() + lockMs).toISOString() : row?.locked_until && !fresh ? row.locked_until : null,
    }
    if (row === undefined) {
      await trx
        .insertInto('login_throttle')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet({ failures: (eb) => eb('login_throttle.failures', '+', 1) }))
        .execute()
    } else {
      await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute()
    }
  })
}

export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}

/** Housekeeping: counters whose window and lock are both over tell nothing any more. */
export async function forgetOldFailures(db: Kysely<Database>, now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMs).toISOString()
  await db
    .deleteFrom('login_throttle')
    .where('first_failure_at', '<', windowStart)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
    .execute()
}
