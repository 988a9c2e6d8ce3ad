import { type CreateTableBuilder, type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * Rollups for the region dashboards: counts per region, local day (Europe/Brussels,
 * `YYYY-MM-DD`), poster, age band and theme, kept up to date in the same transaction as
 * each answer. Dashboards read these instead of scanning responses, so a year's view of
 * the largest region costs a few thousand rows whatever the total number of answers.
 *
 * Per region and day (headline and weekly series: a few hundred rows a year), and per
 * poster and age band (filters, partner scope, breakdowns), each by day and by calendar
 * month (`YYYY-MM`). A long period reads whole months from the month tables and only
 * its ragged ends from the day tables, so a year costs about the same number of rows
 * however many answers a day a busy region gets. The poster grain carries the poster's
 * partner, location, activity and audience so that a filter needs no join. `age_band`
 * is '' until a person gives one.
 */

const measures = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_sum', 'liked_count', 'step2'] as const

export async function up(db: Kysely<any>): Promise<void> {
  // On SQLite the rows live in primary-key order (a clustered table): a dashboard reads a
  // contiguous range of (region, day|month) without a lookup per row. PostgreSQL keeps
  // its heap and uses the primary-key index.
  const clustered = <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
    isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)
  await db.schema
    .createTable('rollup_region_days')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('day', 'varchar(10)', (col) => col.notNull())
    .$call((table) => measures.reduce((t, measure) => t.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0)), table))
    .addPrimaryKeyConstraint('rollup_region_days_pk', ['region_id', 'day'])
    .$call(clustered)
    .execute()

  for (const grain of ['day', 'month'] as const) {
    const plural = `${grain}s`
    await db.schema
      .createTable(`rollup_poster_${plural}`)
      .addColumn('region_id', 'integer', (col) => col.notNull())
      .addColumn(grain, grain === 'day' ? 'varchar(10)' : 'varchar(7)', (col) => col.notNull())
      .addColumn('poster_id', 'integer', (col) => col.notNull())
      .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
      .addColumn('partner_id', 'integer', (col) => col.notNull())
      .addColumn('location_id', 'integer', (col) => col.notNull())
      .addColumn('activity_id', 'integer', (col) => col.notNull())
      .addColumn('audience', 'varchar(16)', (col) => col.notNull())
      .$call((table) => measures.reduce((t, measure) => t.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0)), table))
      .addPrimaryKeyConstraint(`rollup_poster_${plural}_pk`, ['region_id', grain, 'poster_id', 'age_band'])
      .$call(clustered)
      .execute()
    // A partner's own view reads only its rows.
    await db.schema.createIndex(`rollup_poster_${plural}_partner`).on(`rollup_poster_${plural}`).columns(['partner_id', grain]).execute()

    await db.schema
      .createTable(`rollup_region_theme_${plural}`)
      .addColumn('region_id', 'integer', (col) => col.notNull())
      .addColumn(grain, grain === 'day' ? 'varchar(10)' : 'varchar(7)', (col) => col.notNull())
      .addColumn('theme_id', 'integer', (col) => col.notNull())
      .addColumn('responses', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint(`rollup_region_theme_${plural}_pk`, ['region_id', grain, 'theme_id'])
      .$call(clustered)
      .execute()

    await db.schema
      .createTable(`rollup_poster_theme_${plural}`)
      .addColumn('region_id', 'integer', (col) => col.notNull())
      .addColumn(grain, grain === 'day' ? 'varchar(10)' : 'varchar(7)', (col) => col.notNull())
      .addColumn('poster_id', 'integer', (col) => col.notNull())
      .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
      .addColumn('theme_id', 'integer', (col) => col.notNull())
      .addColumn('partner_id', 'integer', (col) => col.notNull())
      .addColumn('location_id', 'integer', (col) => col.notNull())
      .addColumn('activity_id', 'integer', (col) => col.notNull())
      .addColumn('audience', 'varchar(16)', (col) => col.notNull())
      .addColumn('responses', 'integer', (col) => col.notNull().defaultTo(0))
      .addPrimaryKeyConstraint(`rollup_poster_theme_${plural}_pk`, ['region_id', grain, 'poster_id', 'age_band', 'theme_id'])
      .$call(clustered)
      .execute()
    await db.schema.createIndex(`rollup_poster_theme_${plural}_partner`).on(`rollup_poster_theme_${plural}`).columns(['partner_id', grain]).execute()
  }

  // Text statistics read the most recent free texts of a slice; this partial index keeps
  // that read from walking past the (many) answers without text.
  await db.schema
    .createIndex('responses_region_text')
    .on('responses')
    .columns(['region_id', 'created_at'])
    .where(sql.ref('free_text'), 'is not', null)
    .execute()
  // The same for a partner's own view, which would otherwise walk the whole region's texts.
  await db.schema
    .createIndex('responses_partner_text')
    .on('responses')
    .columns(['partner_id', 'created_at'])
    .where(sql.ref('free_text'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('responses_partner_text').execute()
  await db.schema.dropIndex('responses_region_text').execute()
  for (const table of [
    'rollup_poster_theme_months',
    'rollup_poster_theme_days',
    'rollup_region_theme_months',
    'rollup_region_theme_days',
    'rollup_poster_months',
    'rollup_poster_days',
    'rollup_region_days',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
