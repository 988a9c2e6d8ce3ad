import { type Kysely, sql } from 'kysely'
import { idColumn } from './_dialect.ts'

/**
 * The foundation: regions, partners, locations, activities, posters, themes and the
 * anonymous responses. Written once for SQLite and PostgreSQL: ids are integers made by
 * the database, timestamps are ISO-8601 text, booleans are 0/1 integers.
 */

export async function up(db: Kysely<any>): Promise<void> {
  const id = idColumn(db)

  await db.schema
    .createTable('regions')
    .addColumn('id', 'integer', id)
    .addColumn('slug', 'varchar(60)', (col) => col.notNull().unique())
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('default_language', 'varchar(8)', (col) => col.notNull().defaultTo('nl'))
    .addColumn('min_cell_size', 'integer', (col) => col.notNull().defaultTo(5).check(sql`min_cell_size >= 3`))
    .addColumn('contact_line', 'varchar(500)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute()

  await db.schema
    .createTable('partners')
    .addColumn('id', 'integer', id)
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('kind', 'varchar(40)', (col) => col.notNull().defaultTo('other'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('partners_region_name_unique', ['region_id', 'name'])
    .execute()

  await db.schema
    .createTable('locations')
    .addColumn('id', 'integer', id)
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('name', 'varchar(200)', (col) => col.notNull())
    .addColumn('address', 'varchar(300)')
    .addColumn('municipality', 'varchar(120)')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('locations_region_name_unique', ['region_id', 'name'])
    .execute()

  await db.schema
    .createTable('activities')
    .addColumn('id', 'integer', id)
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('partner_id', 'integer', (col) => col.notNull().references('partners.id'))
    .addColumn('title', 'varchar(200)', (col) => col.notNull())
    .addColumn('description', 'varchar(2000)')
    .addColumn('audience', 'varchar(16)', (col) =>
      col.notNull().defaultTo('all').check(sql`audience in ('all', 'children', 'youth', 'adults', 'seniors')`),
    )
    .addColumn('starts_on', 'varchar(10)')
    .addColumn('ends_on', 'varchar(10)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute()
  await db.schema.createIndex('activities_partner').on('activities').columns(['partner_id']).execute()

  await db.schema
    .createTable('posters')
    .addColumn('id', 'integer', id)
    .addColumn('code', 'varchar(6)', (col) => col.notNull().unique())
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('partner_id', 'integer', (col) => col.notNull().references('partners.id'))
    .addColumn('activity_id', 'integer', (col) => col.notNull().references('activities.id'))
    .addColumn('location_id', 'integer', (col) => col.notNull().references('locations.id'))
    .addColumn('status', 'varchar(10)', (col) =>
      col.notNull().defaultTo('active').check(sql`status in ('active', 'paused', 'retired')`),
    )
    // The poster's own language, when a partner sets one; null follows the browser.
    .addColumn('language', 'varchar(8)')
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('posters_activity_location_unique', ['activity_id', 'location_id'])
    .execute()
  await db.schema.createIndex('posters_region').on('posters').columns(['region_id']).execute()
  await db.schema.createIndex('posters_partner').on('posters').columns(['partner_id']).execute()

  await db.schema
    .createTable('themes')
    .addColumn('id', 'integer', id)
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('slug', 'varchar(60)', (col) => col.notNull())
    .addColumn('icon', 'varchar(16)')
    .addColumn('labels', 'text', (col) => col.notNull())
    .addColumn('keywords', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('position', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('hidden', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addUniqueConstraint('themes_region_slug_unique', ['region_id', 'slug'])
    .execute()

  await db.schema
    .createTable('responses')
    .addColumn('id', 'integer', id)
    .addColumn('poster_id', 'integer', (col) => col.notNull().references('posters.id'))
    .addColumn('region_id', 'integer', (col) => col.notNull().references('regions.id'))
    .addColumn('partner_id', 'integer', (col) => col.notNull().references('partners.id'))
    .addColumn('location_id', 'integer', (col) => col.notNull().references('locations.id'))
    .addColumn('activity_id', 'integer', (col) => col.notNull().references('activities.id'))
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .addColumn('updated_at', 'varchar(30)')
    .addColumn('language', 'varchar(8)', (col) => col.notNull())
    .addColumn('tried_new', 'varchar(6)', (col) => col.notNull().check(sql`tried_new in ('yes', 'a_bit', 'no')`))
    .addColumn('liked', 'integer', (col) => col.check(sql`liked between 1 and 5`))
    .addColumn('age_band', 'varchar(10)')
    .addColumn('free_text', 'varchar(2000)')
    .addColumn('step', 'integer', (col) => col.notNull().defaultTo(1))
    .execute()
  await db.schema.createIndex('responses_region_created').on('responses').columns(['region_id', 'created_at']).execute()
  await db.schema.createIndex('responses_poster').on('responses').columns(['poster_id']).execute()

  await db.schema
    .createTable('response_themes')
    .addColumn('response_id', 'integer', (col) => col.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('theme_id', 'integer', (col) => col.notNull().references('themes.id'))
    .addColumn('source', 'varchar(10)', (col) => col.notNull().defaultTo('chosen'))
    .addColumn('matched', 'varchar(100)')
    .addPrimaryKeyConstraint('response_themes_pk', ['response_id', 'theme_id'])
    .execute()
  await db.schema.createIndex('response_themes_theme').on('response_themes').columns(['theme_id']).execute()

  await db.schema
    .createTable('app_secrets')
    .addColumn('name', 'varchar(60)', (col) => col.primaryKey())
    .addColumn('value', 'varchar(200)', (col) => col.notNull())
    .addColumn('created_at', 'varchar(30)', (col) => col.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['app_secrets', 'response_themes', 'responses', 'themes', 'posters', 'activities', 'locations', 'partners', 'regions']) {
    await db.schema.dropTable(table).execute()
  }
}
