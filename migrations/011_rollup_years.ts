import { type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * A calendar-year twin of the poster rollups (`rollup_poster_months` with `year` instead
 * of `month`). The breakdowns of a dashboard (location, activity, partner, audience, age
 * band) regroup the poster × age band rows of the period: for a year's view that was
 * twelve months of them (some 8,000 rows for a region with 370 posters, most of the
 * dashboard's time). With years, the last twelve months are read as one year (minus its
 * months not in the period, which for a period ending today are empty) plus the months
 * before it. Filled from the month rows here; kept in the answers' transactions after.
 */

const measures = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_sum', 'liked_count', 'step2'] as const

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollup_poster_years')
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn('year', 'varchar(4)', (col) => col.notNull())
    .addColumn('poster_id', 'integer', (col) => col.notNull())
    .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
    .addColumn('partner_id', 'integer', (col) => col.notNull())
    .addColumn('location_id', 'integer', (col) => col.notNull())
    .addColumn('activity_id', 'integer', (col) => col.notNull())
    .addColumn('audience', 'varchar(16)', (col) => col.notNull())
    .$call((table) => measures.reduce((t, measure) => t.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0)), table))
    .addPrimaryKeyConstraint('rollup_poster_years_pk', ['region_id', 'year', 'poster_id', 'age_band'])
    // Clustered on SQLite, as the other rollups (migrations/004_rollups.ts).
    .$call((table) => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)))
    .execute()
  await db.schema.createIndex('rollup_poster_years_partner').on('rollup_poster_years').columns(['partner_id', 'year']).execute()

  // A poster keeps its partner, location, activity and audience for life, so grouping by
  // them too changes nothing and lets both databases select them.
  const carried = ['region_id', 'poster_id', 'age_band', 'partner_id', 'location_id', 'activity_id', 'audience'] as const
  await db
    .insertInto('rollup_poster_years')
    .columns(['year', ...carried, ...measures])
    .expression(
      db
        .selectFrom('rollup_poster_months')
        .select(sql<string>`substr(month, 1, 4)`.as('year'))
        .select([...carried])
        .select(measures.map((measure) => sql<number>`sum(${sql.ref(measure)})`.as(measure)))
        .groupBy([sql`substr(month, 1, 4)`, ...carried]),
    )
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_poster_years').execute()
}
