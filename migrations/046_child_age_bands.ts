import type { Kysely } from 'kysely'

/**
 * Children's age bands (issue 19): a children's poster asks "jonger dan 8", "8 of 9" or
 * "10 of 11" instead of the adult bands. The child's answer is kept in its own column;
 * `age_band` gets 'under_12', the band it rolls up into, so that every rollup, filter, table
 * and export that reads `age_band` keeps its rows and its meaning and none of them can
 * publish the finer bands by mistake (answers/age-bands.ts). Nullable: existing answers
 * and every adult answer have none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('responses').addColumn('child_age_band', 'varchar(10)').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('responses').dropColumn('child_age_band').execute()
}
