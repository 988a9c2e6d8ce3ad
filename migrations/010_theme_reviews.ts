import type { Kysely } from 'kysely'

/**
 * A coordinator has looked at a response's free text and set its themes by hand (issue 6).
 * The themes themselves live in response_themes (source 'corrected'); this row records that
 * the text was reviewed, also when the answer was "none of the themes", so that the text
 * leaves the list of unclassified texts and is not offered for review again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('response_theme_reviews')
    .addColumn('response_id', 'integer', (col) => col.primaryKey().references('responses.id').onDelete('cascade'))
    .addColumn('reviewed_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('reviewed_at', 'varchar(30)', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('response_theme_reviews').execute()
}
