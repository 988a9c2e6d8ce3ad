import { type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * The word statistics read the newest free texts of a dashboard's slice with their record
 * keys (src/dashboard/queries.ts recentTexts: a word's count is published through the keys
 * of the answers that use it, since migration 018). The SQLite text indexes of 012 and 028
 * carry the text but not the key, so every one of the up to 1,000 texts per period cost a
 * lookup in the table; and a filter the index does not lead with (an age band, an audience,
 * the assisted switch, a second filter) was tested on the table row too. Measured on the
 * bench's data shapes at 100,000 answers: the text reads were the largest statement left on
 * the page for an age band (two reads of some 1,700 rows, each a table lookup).
 *
 * Each text index now carries the key and every column a dashboard filter tests, so the
 * read never leaves the index, whatever the combination, and still stops at the window.
 * Partial (texts only), as before: a step-1 answer, which has none, never touches them.
 * Not on PostgreSQL, where a B-tree entry may not exceed about 2.7 KB (so no text in it)
 * and the planner reads the rows by a bitmap of the index anyway.
 */
const carried = ['free_text', 'record_key', 'region_id', 'partner_id', 'location_id', 'activity_id', 'age_band', 'assisted']

const indexes = [
  { name: 'responses_region_text', lead: 'region_id', before: ['region_id', 'created_at', 'free_text'] },
  { name: 'responses_partner_text', lead: 'partner_id', before: ['partner_id', 'created_at'] },
  { name: 'responses_location_text', lead: 'location_id', before: ['location_id', 'created_at', 'region_id', 'free_text'] },
  { name: 'responses_activity_text', lead: 'activity_id', before: ['activity_id', 'created_at', 'region_id', 'free_text'] },
]

async function textIndex(db: Kysely<any>, name: string, columns: string[]): Promise<void> {
  await db.schema.dropIndex(name).execute()
  await db.schema.createIndex(name).on('responses').columns(columns).where(sql.ref('free_text'), 'is not', null).execute()
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return
  for (const { name, lead } of indexes) {
    await textIndex(db, name, [lead, 'created_at', ...carried.filter((column) => column !== lead)])
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) return
  for (const { name, before } of indexes) await textIndex(db, name, before)
}
