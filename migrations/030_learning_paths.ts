import { type Kysely, sql } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Learning paths (issue 19): a contact request becomes a path of steps, with a next-contact
 * date that puts it on the bridge figure's due list.
 *
 * A step's note is personal data written by a bridge figure about a person: it lives here,
 * beside the contact request and never beside the anonymous answer, and it is set to null
 * whenever the request's contact details are erased (retention, withdrawal, a data subject
 * request). `recorded_by` is a user id without a foreign key, like `claimed_by`.
 * `record_key` (0…255, random) lets the partner page publish referral counts through the
 * cell-key table over key sums, as answers do (migration 018).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('path_steps')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('contact_request_id', 'integer', (col) => col.notNull().references('contact_requests.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(12)', (col) =>
      col.notNull().check(sql`kind in ('conversation', 'referral', 'trial', 'started', 'completed', 'stopped')`),
    )
    // The Brussels day the step happened (YYYY-MM-DD), as the bridge figure gave it.
    .addColumn('on_day', 'varchar(10)', (col) => col.notNull())
    .addColumn('offer_id', 'integer', (col) => col.references('offers.id'))
    .addColumn('note', 'varchar(2000)')
    .addColumn('recorded_by', 'integer', (col) => col.notNull())
    .addColumn('recorded_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('record_key', 'integer', (col) => col.notNull().check(sql`record_key >= 0 and record_key < 256`))
    .execute()
  await db.schema.createIndex('path_steps_request').on('path_steps').columns(['contact_request_id', 'id']).execute()
  await db.schema.createIndex('path_steps_offer').on('path_steps').columns(['offer_id', 'kind']).execute()

  // The next agreed contact, a Brussels day; null when none is planned (or the path ended).
  await db.schema.alterTable('contact_requests').addColumn('next_contact_on', 'varchar(10)').execute()
  await db.schema.createIndex('contact_requests_due').on('contact_requests').columns(['claimed_by', 'status', 'next_contact_on']).execute()

  await db.schema.alterTable('retention_runs').addColumn('notes', 'integer', (col) => col.notNull().defaultTo(0)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('retention_runs').dropColumn('notes').execute()
  await db.schema.dropIndex('contact_requests_due').execute()
  await db.schema.alterTable('contact_requests').dropColumn('next_contact_on').execute()
  await db.schema.dropTable('path_steps').execute()
}
