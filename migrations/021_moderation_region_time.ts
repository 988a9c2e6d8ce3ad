import { type Kysely, sql } from 'kysely'

/**
 * The approved-quotes query driven by what is rare (issue 17). It used to walk every free
 * text of the region's period and probe `response_moderation` for each, finding none when
 * few are approved: about 1 s at a million answers. The region and the answer's time are
 * copied onto the moderation row, with an index on (region_id, status, created_at desc),
 * so that the quotes query reads the approved rows of a region newest first and joins the
 * answer by its key: its cost follows the number of approved quotes, not of answers.
 *
 * An answer never changes region or time once stored, so the copies cannot drift; the
 * moderation write (src/followup/moderation.ts) fills them with every row it makes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('response_moderation').addColumn('region_id', 'integer').execute()
  await db.schema.alterTable('response_moderation').addColumn('created_at', 'varchar(30)').execute()
  // One statement, the same on SQLite and PostgreSQL: correlated subqueries by primary key.
  await sql`
    update response_moderation
    set region_id = (select responses.region_id from responses where responses.id = response_moderation.response_id),
        created_at = (select responses.created_at from responses where responses.id = response_moderation.response_id)
  `.execute(db)
  await db.schema
    .createIndex('response_moderation_region_status_time')
    .on('response_moderation')
    .columns(['region_id', 'status', 'created_at desc'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('response_moderation_region_status_time').execute()
  await db.schema.alterTable('response_moderation').dropColumn('created_at').execute()
  await db.schema.alterTable('response_moderation').dropColumn('region_id').execute()
}
