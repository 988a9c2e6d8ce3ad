import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Importing activities and offers from UiTdatabank (Search API v3, event JSON-LD) and from
 * iCalendar feeds (issue 18).
 *
 * - `import_items`: one row per imported event, keyed by the source's own id (the JSON-LD
 *   `@id`, or the iCalendar UID): what makes re-importing idempotent. `fingerprint` is a hash
 *   of the mapped fields (not the raw document), so a change in a field we do not use is
 *   "unchanged". `source_status` is the last status seen (active, paused, cancelled).
 * - `import_places` and `import_organizers`: the source's places and organizers, linked to a
 *   location or partner once matched or confirmed by the coordinator (null until then).
 * - `import_terms`: UiTdatabank terms seen, and the region theme the coordinator maps each to.
 * - `import_pending`: events held until their place (or organizer) is confirmed; the mapped
 *   event is kept as JSON so that confirming imports it without the file again, with the
 *   upload's default partner (the partner chosen for events without a linked organizer).
 * - `import_runs`: every run with its report per event, kept for the coordinator.
 * - `activities.cancelled_at`: set when the source cancels or deletes the event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').addColumn('cancelled_at', 'varchar(30)').execute()

  await db.schema
    .createTable('import_items')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('external_id', 'varchar(500)', (col) => col.notNull())
    .addColumn('kind', 'varchar(16)', (col) => col.notNull())
    .addColumn('activity_id', 'integer', (col) => col.references('activities.id').onDelete('cascade'))
    .addColumn('offer_id', 'integer', (col) => col.references('offers.id').onDelete('cascade'))
    .addColumn('location_id', 'integer', (col) => col.references('locations.id').onDelete('set null'))
    .addColumn('fingerprint', 'varchar(64)', (col) => col.notNull())
    .addColumn('source_status', 'varchar(16)', (col) => col.notNull())
    .addColumn('imported_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('import_items_region_external', ['region_id', 'external_id'])
    .execute()

  await db.schema
    .createTable('import_places')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('external_id', 'varchar(500)', (col) => col.notNull())
    .addColumn('name', 'varchar(300)', (col) => col.notNull())
    .addColumn('address', 'varchar(500)')
    .addColumn('municipality', 'varchar(200)')
    .addColumn('location_id', 'integer', (col) => col.references('locations.id').onDelete('set null'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('import_places_region_external', ['region_id', 'external_id'])
    .execute()

  await db.schema
    .createTable('import_organizers')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('external_id', 'varchar(500)', (col) => col.notNull())
    .addColumn('name', 'varchar(300)', (col) => col.notNull())
    .addColumn('partner_id', 'integer', (col) => col.references('partners.id').onDelete('set null'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('import_organizers_region_external', ['region_id', 'external_id'])
    .execute()

  await db.schema
    .createTable('import_terms')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('term_id', 'varchar(100)', (col) => col.notNull())
    .addColumn('label', 'varchar(300)', (col) => col.notNull())
    .addColumn('theme_id', 'integer', (col) => col.references('themes.id').onDelete('set null'))
    .addUniqueConstraint('import_terms_region_term', ['region_id', 'term_id'])
    .execute()

  await db.schema
    .createTable('import_pending')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('external_id', 'varchar(500)', (col) => col.notNull())
    .addColumn('reason', 'varchar(32)', (col) => col.notNull())
    .addColumn('place_external_id', 'varchar(500)')
    .addColumn('organizer_external_id', 'varchar(500)')
    .addColumn('default_partner_id', 'integer', (col) => col.references('partners.id').onDelete('set null'))
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('import_pending_region_external', ['region_id', 'external_id'])
    .execute()

  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('source', 'varchar(16)', (col) => col.notNull())
    .addColumn('file_name', 'varchar(300)')
    .addColumn('started_by', 'integer', (col) => col.references('users.id').onDelete('set null'))
    .addColumn('started_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('finished_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('imported', 'integer', (col) => col.notNull())
    .addColumn('updated', 'integer', (col) => col.notNull())
    .addColumn('unchanged', 'integer', (col) => col.notNull())
    .addColumn('pending', 'integer', (col) => col.notNull())
    .addColumn('skipped', 'integer', (col) => col.notNull())
    .addColumn('failure', 'varchar(64)')
    .addColumn('modified_until', 'varchar(40)')
    .addColumn('report', 'text', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('import_runs_region').on('import_runs').columns(['region_id', 'started_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_runs').execute()
  await db.schema.dropTable('import_pending').execute()
  await db.schema.dropTable('import_terms').execute()
  await db.schema.dropTable('import_organizers').execute()
  await db.schema.dropTable('import_places').execute()
  await db.schema.dropTable('import_items').execute()
  await db.schema.alterTable('activities').dropColumn('cancelled_at').execute()
}
