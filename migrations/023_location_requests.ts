import type { Kysely } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * Requests for a missing location (issue 16): a partner member who does not find the place
 * of their activity in the picker asks the region's coordinator for it. The coordinator
 * answers once: the location is made from the request (`accepted`, with the location's id)
 * or declined with a short reason. The request belongs to a region and to the partner that
 * asked; only those two see it. It names places, not people: the person who asked is an
 * account id, as in the audit log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('location_requests')
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('partner_id', 'integer', (col) => col.notNull().references('partners.id'))
    .addColumn('requested_by', 'integer', (col) => col.references('users.id'))
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('address', 'varchar(300)')
    .addColumn('municipality', 'varchar(120)')
    .addColumn('note', 'varchar(500)')
    // open → accepted | declined, once.
    .addColumn('status', 'varchar(10)', (col) => col.notNull().defaultTo('open'))
    .addColumn('location_id', 'integer', (col) => col.references('locations.id'))
    .addColumn('answer', 'varchar(300)')
    .addColumn('answered_by', 'integer', (col) => col.references('users.id'))
    .addColumn('answered_at', 'varchar(30)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  // The coordinator's open requests, oldest first; a partner's own requests.
  await db.schema.createIndex('location_requests_region_status').on('location_requests').columns(['region_id', 'status', 'created_at']).execute()
  await db.schema.createIndex('location_requests_partner').on('location_requests').columns(['partner_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('location_requests').execute()
}
