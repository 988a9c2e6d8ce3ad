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

  // "What we did with your answers": short public updates by the coordinator, each
  // optionally about one theme. Hidden updates stay for the record but are not shown.
  await db.schema
    .createTable('region_updates')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('theme_id', 'integer', (col) => col.references('themes.id').onDelete('set null'))
    .addColumn('body', 'varchar(600)', (col) => col.notNull())
    .addColumn('created_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('hidden_at', 'varchar(30)')
    .execute()
  await db.schema.createIndex('region_updates_region').on('region_updates').columns(['region_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('region_updates').execute()
  await db.schema.dropTable('share_links').execute()
}
