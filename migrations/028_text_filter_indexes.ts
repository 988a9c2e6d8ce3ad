import { type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * The word statistics read the newest free texts of a dashboard's slice, up to a window of
 * 1,000 (src/dashboard/queries.ts recentTexts). Unfiltered (responses_region_text, 012) and
 * by partner (responses_partner_text, 004) the index hands them over in order and the read
 * stops at the window. Filtered by a location or an activity it walked the region's texts
 * newest first and tested each against the filter: for one location of a region with 400,
 * every text of the period, so the cost followed the region's total (issue 17, the
 * "wide region" shape). With an index that leads with the location (or the activity) and
 * then the time, the read again stops after the window, whatever the region holds.
 *
 * Partial (texts only), so a step-1 answer, which has none, never touches them. On SQLite
 * they carry the region and the text, so the read never leaves the index (as 012 does);
 * not on PostgreSQL, where a B-tree entry may not exceed about 2.7 KB.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  for (const column of ['location_id', 'activity_id']) {
    await db.schema
      .createIndex(`responses_${column.replace('_id', '')}_text`)
      .on('responses')
      .columns(postgres ? [column, 'created_at'] : [column, 'created_at', 'region_id', 'free_text'])
      .where(sql.ref('free_text'), 'is not', null)
      .execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('responses_activity_text').execute()
  await db.schema.dropIndex('responses_location_text').execute()
}
