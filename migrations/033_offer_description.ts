import type { Kysely } from 'kysely'

/**
 * A learning offer gets a description (issue 18): the themes an offer carries are
 * suggested from its title and description with the same keyword classifier the answers
 * use, as for activities, and an offer's title alone ("Dinsdagavond in de Bib") seldom
 * names what is learned. Nullable: existing offers have none.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('offers').addColumn('description', 'varchar(2000)').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('offers').dropColumn('description').execute()
}
