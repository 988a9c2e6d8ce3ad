import type { Kysely } from 'kysely'

/**
 * Kiosk answers whose step 2 can no longer be sent: closed when step 2 is stored, when the
 * thank-you page is shown and when the tablet goes back to step 1. A kiosk tablet is shared,
 * and the next person must find nothing to submit on the previous person's behalf, even with
 * a step-2 page that the browser kept. Keyed by response (not by token): a step-1 form sent
 * again yields the same response and a fresh token, which must not reopen it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('closed_kiosk_answers')
    .addColumn('response_id', 'integer', (col) => col.primaryKey())
    .addColumn('closed_at', 'varchar(30)', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('closed_kiosk_answers').execute()
}
