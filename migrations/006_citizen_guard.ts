import type { Kysely } from 'kysely'

/**
 * Abuse resistance without knowing who anyone is:
 * - responses.idempotency_key: the random key of the form that was shown, so a double tap
 *   or a resubmitted form makes one response, not two (unique; null for imported rows);
 * - posters.one_answer_per_device: whether the one-answer-per-device-per-day rule applies
 *   to this poster (on by default; a partner can switch it off, kiosks never use it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('responses').addColumn('idempotency_key', 'varchar(32)').execute()
  await db.schema.createIndex('responses_idempotency_key').on('responses').column('idempotency_key').unique().execute()
  await db.schema.alterTable('posters').addColumn('one_answer_per_device', 'integer', (col) => col.notNull().defaultTo(1)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('posters').dropColumn('one_answer_per_device').execute()
  await db.schema.dropIndex('responses_idempotency_key').execute()
  await db.schema.alterTable('responses').dropColumn('idempotency_key').execute()
}
