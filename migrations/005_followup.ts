import { type Kysely, sql } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Follow-up: the people who asked to be helped further, the bridge figures' work on those
 * requests, the region's learning offers, moderation of free text, and retention.
 *
 * Contact details live in their own table and point at the anonymous response by id only:
 * the response never points back, so that erasing a contact request leaves the answer
 * (and every aggregate) untouched and unlinkable. `claimed_by` and `moderated_by` are user
 * ids without a foreign key: the users table comes from another migration.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(db)

  await db.schema
    .createTable('contact_requests')
    .addColumn('id', 'integer', id)
    .addColumn('response_id', 'integer', (col) => col.notNull().unique().references('responses.id').onDelete('cascade'))
    // The region scopes the queue (who may see the request); it is not a fact about the person.
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    // The personal data: set to null when the request is withdrawn or erased.
    .addColumn('name', 'varchar(100)')
    .addColumn('channel', 'varchar(5)', (col) => col.notNull().check(sql`channel in ('phone', 'email')`))
    .addColumn('contact_value', 'varchar(254)')
    .addColumn('preferred_language', 'varchar(8)', (col) => col.notNull())
    .addColumn('good_moment', 'varchar(12)', (col) => col.notNull())
    // Proof of consent: a hash of the exact consent sentence shown, and its language.
    .addColumn('consent_version', 'varchar(64)', (col) => col.notNull())
    .addColumn('language', 'varchar(8)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('status', 'varchar(8)', (col) => col.notNull().defaultTo('new').check(sql`status in ('new', 'claimed', 'closed')`))
    .addColumn('claimed_by', 'integer')
    .addColumn('claimed_at', 'varchar(30)')
    .addColumn('outcome', 'varchar(16)', (col) => col.check(sql`outcome in ('referred', 'not_reachable', 'not_needed', 'other')`))
    .addColumn('outcome_offer_id', 'integer')
    .addColumn('closed_at', 'varchar(30)')
    // sha256 of the private withdrawal link's token; null once used or erased.
    .addColumn('withdrawal_token_hash', 'varchar(64)', (col) => col.unique())
    .addColumn('erased_at', 'varchar(30)')
    .addColumn('erase_reason', 'varchar(16)')
    .execute()
  await db.schema.createIndex('contact_requests_region_status').on('contact_requests').columns(['region_id', 'status', 'created_at']).execute()
  await db.schema.createIndex('contact_requests_value').on('contact_requests').columns(['contact_value']).execute()

  await db.schema
    .createTable('contact_attempts')
    .addColumn('id', 'integer', id)
    .addColumn('contact_request_id', 'integer', (col) => col.notNull().references('contact_requests.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (col) => col.notNull())
    .addColumn('at', 'varchar(30)', (col) => col.notNull())
    .addColumn('result', 'varchar(16)', (col) => col.notNull().check(sql`result in ('reached', 'no_answer', 'left_message', 'wrong_number')`))
    .execute()
  await db.schema.createIndex('contact_attempts_request').on('contact_attempts').columns(['contact_request_id']).execute()

  await db.schema
    .createTable('offers')
    .addColumn('id', 'integer', id)
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('title', 'varchar(200)', (col) => col.notNull())
    .addColumn('provider', 'varchar(200)', (col) => col.notNull())
    .addColumn('place', 'varchar(300)')
    .addColumn('schedule', 'varchar(300)')
    .addColumn('cost', 'varchar(100)')
    // Comma-separated language codes the offer is given in.
    .addColumn('languages', 'varchar(100)', (col) => col.notNull().defaultTo(''))
    // The language the offer's own text is written in (the lang attribute on the citizen page).
    .addColumn('text_language', 'varchar(8)', (col) => col.notNull().defaultTo('nl'))
    .addColumn('audience', 'varchar(16)', (col) =>
      col.notNull().defaultTo('all').check(sql`audience in ('all', 'children', 'youth', 'adults', 'seniors')`),
    )
    .addColumn('link', 'varchar(500)')
    .addColumn('contact', 'varchar(300)')
    .addColumn('archived', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('offers_region').on('offers').columns(['region_id']).execute()

  await db.schema
    .createTable('offer_themes')
    .addColumn('offer_id', 'integer', (col) => col.notNull().references('offers.id').onDelete('cascade'))
    .addColumn('theme_id', 'integer', (col) => col.notNull().references('themes.id'))
    .addPrimaryKeyConstraint('offer_themes_pk', ['offer_id', 'theme_id'])
    .execute()
  await db.schema.createIndex('offer_themes_theme').on('offer_themes').columns(['theme_id']).execute()

  // No row means "pending": free text waits until a moderator has looked at it.
  await db.schema
    .createTable('response_moderation')
    .addColumn('response_id', 'integer', (col) => col.primaryKey().references('responses.id').onDelete('cascade'))
    .addColumn('status', 'varchar(8)', (col) => col.notNull().check(sql`status in ('pending', 'approved', 'hidden')`))
    .addColumn('redacted_text', 'varchar(2000)')
    .addColumn('moderated_by', 'integer')
    .addColumn('moderated_at', 'varchar(30)', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('retention_runs')
    .addColumn('id', 'integer', id)
    .addColumn('ran_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('contacts_after_close', 'integer', (col) => col.notNull())
    .addColumn('contacts_max_age', 'integer', (col) => col.notNull())
    .addColumn('free_texts', 'integer', (col) => col.notNull())
    .execute()

  await db.schema.alterTable('regions').addColumn('contact_days_after_close', 'integer', (col) => col.notNull().defaultTo(30)).execute()
  await db.schema.alterTable('regions').addColumn('contact_max_age_days', 'integer', (col) => col.notNull().defaultTo(90)).execute()
  await db.schema.alterTable('regions').addColumn('free_text_retention_days', 'integer', (col) => col.notNull().defaultTo(730)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['free_text_retention_days', 'contact_max_age_days', 'contact_days_after_close']) {
    await db.schema.alterTable('regions').dropColumn(column).execute()
  }
  for (const table of ['retention_runs', 'response_moderation', 'offer_themes', 'offers', 'contact_attempts', 'contact_requests']) {
    await db.schema.dropTable(table).execute()
  }
}
