import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from './types.ts'

/**
 * A named secret kept in the database, made on first use. Every instance that shares the
 * database reads the same value, so a token signed by one instance verifies on another.
 */
export async function loadOrCreateSecret(db: Kysely<Database>, name: string): Promise<string> {
  const existing = await db.selectFrom('app_secrets').select('value').where('name', '=', name).executeTakeFirst()
  if (existing) return existing.value
  await db
    .insertInto('app_secrets')
    .values({ name, value: randomBytes(32).toString('base64url'), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  // Read back: another instance may have won the race to create it.
  const row = await db.selectFrom('app_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow()
  return row.value
}
