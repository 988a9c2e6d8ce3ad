import { type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * The word statistics of a dashboard read the most recent free texts of a region
 * (src/dashboard/queries.ts recentTexts). Through the partial index of migration 004 each
 * text is then a lookup in the responses table: 2,000 of them per dashboard view, a third of
 * the page's database time at a million answers. On SQLite the index now carries the text
 * itself, so the read never leaves the index.
 *
 * Not on PostgreSQL: a B-tree entry there may not exceed about 2.7 KB, and a text of 280
 * graphemes (emoji sequences are long) can; its index keeps the lookups.
 */

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return
  await db.schema.dropIndex('responses_region_text').execute()
  await db.schema
    .createIndex('responses_region_text')
    .on('responses')
    .columns(['region_id', 'created_at', 'free_text'])
    .where(sql.ref('free_text'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return
  await db.schema.dropIndex('responses_region_text').execute()
  await db.schema.createIndex('responses_region_text').on('responses').columns(['region_id', 'created_at']).where(sql.ref('free_text'), 'is not', null).execute()
}
