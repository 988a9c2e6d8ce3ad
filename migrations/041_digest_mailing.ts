import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * The digest by e-mail (issue 19).
 *
 * - `digest_subscriptions`: a staff member's explicit choice to receive one digest (a
 *   region's, or one partner's) by e-mail, in one language. `scope_key` (`r12`, `p34`) names
 *   the digest in one non-null column, so that "one subscription per person per digest" is a
 *   plain unique constraint on both databases (a unique constraint over a nullable
 *   partner_id would let NULLs repeat). Unsubscribing deletes the row.
 * - `digest_outbox`: one row per subscriber per digest per month, made before anything is
 *   sent; the unique (user_id, scope_key, month) is what makes delivery at most once. Its
 *   status moves pending → sending → sent | retry | unknown | failed | cancelled, and
 *   `unsubscribe_hash` is the sha256 of the one-click unsubscribe token in that message
 *   (the token itself is never stored). The row outlives an unsubscription (the digest
 *   page counts what was sent), but not the account.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('digest_subscriptions')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('cascade'))
    .addColumn('scope_key', 'varchar(24)', (col) => col.notNull())
    .addColumn('language', 'varchar(8)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('digest_subscriptions_user_scope', ['user_id', 'scope_key'])
    .execute()

  await db.schema
    .createTable('digest_outbox')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('user_id', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('cascade'))
    .addColumn('scope_key', 'varchar(24)', (col) => col.notNull())
    .addColumn('month', 'varchar(7)', (col) => col.notNull())
    .addColumn('language', 'varchar(8)', (col) => col.notNull())
    .addColumn('status', 'varchar(16)', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('last_error', 'varchar(300)')
    .addColumn('unsubscribe_hash', 'varchar(64)', (col) => col.unique())
    .addColumn('unsubscribed_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('sent_at', 'varchar(30)')
    .addUniqueConstraint('digest_outbox_once', ['user_id', 'scope_key', 'month'])
    .execute()
  await db.schema.createIndex('digest_outbox_scope_month').on('digest_outbox').columns(['region_id', 'scope_key', 'month']).execute()
  await db.schema.createIndex('digest_outbox_due').on('digest_outbox').columns(['status', 'next_attempt_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('digest_outbox').execute()
  await db.schema.dropTable('digest_subscriptions').execute()
}
