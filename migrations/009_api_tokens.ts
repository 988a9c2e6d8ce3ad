import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Read-only API tokens, each bound to one region (the JSON API under /api/v1). As with
 * share links only the SHA-256 of the token is kept, so the table or a backup does not
 * open the API. `last_used_at` is written at most about once a minute per token: often
 * enough to tell a forgotten token from a live one, rarely enough that reading the API
 * does not turn into a write per request.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('name', 'varchar(80)', (col) => col.notNull())
    .addColumn('token_hash', 'varchar(64)', (col) => col.notNull().unique())
    .addColumn('created_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('last_used_at', 'varchar(30)')
    .addColumn('revoked_at', 'varchar(30)')
    .execute()
  await db.schema.createIndex('api_tokens_region').on('api_tokens').columns(['region_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_tokens').execute()
}
