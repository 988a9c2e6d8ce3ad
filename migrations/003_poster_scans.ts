import type { Kysely } from 'kysely'

/**
 * Scans per poster per day, for the scan → step 1 → step 2 funnel. Only a count: no
 * address, no cookie, no time of day, nothing about the person who scanned.
 */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('poster_scans')
    .addColumn('poster_id', 'integer', (col) => col.notNull().references('posters.id').onDelete('cascade'))
    // The UTC day, YYYY-MM-DD.
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
    .addColumn('scans', 'integer', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('poster_scans_pk', ['poster_id', 'day'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('poster_scans').execute()
}
