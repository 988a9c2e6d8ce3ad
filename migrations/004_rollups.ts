import { type Kysely, sql } from 'kysely'

/**
 * Rollups for the region dashboards: counts per region, local day (Europe/Brussels,
 * `YYYY-MM-DD`), poster, age band and theme, kept up to date in the same transaction as
 * each answer. Dashboards read these instead of scanning responses, so a year's view of
 * the largest region costs a few thousand rows whatever the total number of answers.
 *
 * Two grains: per region and day (the unfiltered coordinator view reads only these, a
 * few hundred rows a year) and per poster, age band and day (filters, partner scope and
 * the breakdowns). The poster grain carries the poster's partner, location, activity and
 * audience so that a filter needs no join. `age_band` is '' until a person gives one.
 */

const measures = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_sum', 'liked_count', 'step2'] as const

export async function up(db: Kysely<any>): Promise<void> {
  let regionDays = db.schema
    .createTable('rollup_region_days')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
  for (const measure of measures) regionDays = regionDays.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0))
  await regionDays.addPrimaryKeyConstraint('rollup_region_days_pk', ['region_id', 'day']).execute()

  let posterDays = db.schema
    .createTable('rollup_poster_days')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
    .addColumn('poster_id', 'integer', (col) => col.notNull())
    .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
    .addColumn('partner_id', 'integer', (col) => col.notNull())
    .addColumn('location_id', 'integer', (col) => col.notNull())
    .addColumn('activity_id', 'integer', (col) => col.notNull())
    .addColumn('audience', 'varchar(16)', (col) => col.notNull())
  for (const measure of measures) posterDays = posterDays.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0))
  await posterDays.addPrimaryKeyConstraint('rollup_poster_days_pk', ['region_id', 'day', 'poster_id', 'age_band']).execute()
  // A partner's own view scans only its rows.
  await db.schema.createIndex('rollup_poster_days_partner').on('rollup_poster_days').columns(['partner_id', 'day']).execute()

  await db.schema
    .createTable('rollup_region_theme_days')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
    .addColumn('theme_id', 'integer', (col) => col.notNull())
    .addColumn('responses', 'integer', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_region_theme_days_pk', ['region_id', 'day', 'theme_id'])
    .execute()

  await db.schema
    .createTable('rollup_poster_theme_days')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
    .addColumn('poster_id', 'integer', (col) => col.notNull())
    .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
    .addColumn('theme_id', 'integer', (col) => col.notNull())
    .addColumn('partner_id', 'integer', (col) => col.notNull())
    .addColumn('location_id', 'integer', (col) => col.notNull())
    .addColumn('activity_id', 'integer', (col) => col.notNull())
    .addColumn('audience', 'varchar(16)', (col) => col.notNull())
    .addColumn('responses', 'integer', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('rollup_poster_theme_days_pk', ['region_id', 'day', 'poster_id', 'age_band', 'theme_id'])
    .execute()
  await db.schema.createIndex('rollup_poster_theme_days_partner').on('rollup_poster_theme_days').columns(['partner_id', 'day']).execute()

  // Text statistics read the most recent free texts of a slice; this partial index keeps
  // that read from walking past the (many) answers without text.
  await db.schema
    .createIndex('responses_region_text')
    .on('responses')
    .columns(['region_id', 'created_at'])
    .where(sql.ref('free_text'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('responses_region_text').execute()
  for (const table of ['rollup_poster_theme_days', 'rollup_region_theme_days', 'rollup_poster_days', 'rollup_region_days']) {
    await db.schema.dropTable(table).execute()
  }
}
