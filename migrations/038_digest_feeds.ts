import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Feed links of the monthly digest (issue 19): a feed reader cannot sign in, so a feed is
 * opened by an unguessable token. Only the token's sha256 is stored (as for share links): a
 * copy of the database or a log line of the table opens no feed. A link opens one digest
 * (a region's, or one partner's: partner_id) read-only, until it is revoked or the person who
 * made it loses the right to see that digest.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('digest_feed_links')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_by', 'integer', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('revoked_at', 'text')
    .execute()
  await db.schema.createIndex('digest_feed_links_scope').on('digest_feed_links').columns(['region_id', 'partner_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('digest_feed_links').execute()
}
