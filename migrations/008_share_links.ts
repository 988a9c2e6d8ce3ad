import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Read-only links to a region's dashboard. Only the SHA-256 of the token is kept: someone
 * who reads the table (or a backup) cannot open the dashboard with what they find there.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('share_links')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('token_hash', 'varchar(64)', (col) => col.notNull().unique())
    .addColumn('created_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('revoked_at', 'varchar(30)')
    .execute()
  await db.schema.createIndex('share_links_region').on('share_links').columns(['region_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('share_links').execute()
}
