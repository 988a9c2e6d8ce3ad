import { type CreateTableBuilder, type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * Assisted answers (issue 19): a bridge figure or a desk worker records a learning question
 * from a conversation on someone's behalf. `responses.assisted` is 1 for those, 0 for every
 * answer a person gave on a poster or a kiosk (all rows stored so far). It is set with the
 * row and never changed.
 *
 * The dashboard can show them, show only them, or leave them out, and that switch is a
 * filter like any other: its figures come from the rollups' key sums through the cell key.
 * So the poster-grain rollups get `assisted` as one more key column, after `age_band`: an
 * assisted answer at a poster on a day lives in a row of its own. The region-grain tables
 * (all answers, the unfiltered view) stay as they are.
 *
 * A primary key cannot be changed in place on SQLite, so each poster-grain table is built
 * anew with the same columns plus `assisted`, filled from the old one (every stored answer
 * is unassisted, so every row moves with `assisted = 0` and no figure changes), and takes
 * the old one's name. The same steps run on PostgreSQL; the new key's constraint has a name
 * of its own because the old table's still exists while the new one is made.
 */

const counters = [
  'responses',
  'tried_yes',
  'tried_a_bit',
  'tried_no',
  'liked_sum',
  'liked_count',
  'step2',
  'liked_1',
  'liked_2',
  'liked_3',
  'liked_4',
  'liked_5',
  'responses_key',
  'tried_yes_key',
  'tried_a_bit_key',
  'tried_no_key',
  'liked_count_key',
  'step2_key',
  'liked_1_key',
  'liked_2_key',
  'liked_3_key',
  'liked_4_key',
  'liked_5_key',
] as const
const themeCounters = ['responses', 'responses_key'] as const

interface Shape {
  table: string
  grain: 'day' | 'month' | 'year'
  theme: boolean
}

const shapes: Shape[] = [
  { table: 'rollup_poster_days', grain: 'day', theme: false },
  { table: 'rollup_poster_months', grain: 'month', theme: false },
  { table: 'rollup_poster_years', grain: 'year', theme: false },
  { table: 'rollup_poster_theme_days', grain: 'day', theme: true },
  { table: 'rollup_poster_theme_months', grain: 'month', theme: true },
]

const grainType = { day: 'varchar(10)', month: 'varchar(7)', year: 'varchar(4)' } as const

async function rebuild(db: Kysely<any>, shape: Shape, withAssisted: boolean): Promise<void> {
  const { table, grain, theme } = shape
  const next = `${table}_next`
  const keys = ['region_id', grain, 'poster_id', 'age_band', ...(withAssisted ? ['assisted'] : []), ...(theme ? ['theme_id'] : [])]
  const measures = theme ? themeCounters : counters
  // Clustered on SQLite, as the rollups always were (migrations/004_rollups.ts).
  const clustered = <T extends string, C extends string>(builder: CreateTableBuilder<T, C>) => (isPostgres(db) ? builder : builder.modifyEnd(sql`without rowid`))
  await db.schema
    .createTable(next)
    .addColumn('region_id', 'integer', (col) => col.notNull())
    .addColumn(grain, grainType[grain], (col) => col.notNull())
    .addColumn('poster_id', 'integer', (col) => col.notNull())
    .addColumn('age_band', 'varchar(10)', (col) => col.notNull())
    .$call((builder) => (withAssisted ? builder.addColumn('assisted', 'integer', (col) => col.notNull().defaultTo(0)) : builder))
    .$call((builder) => (theme ? builder.addColumn('theme_id', 'integer', (col) => col.notNull()) : builder))
    .addColumn('partner_id', 'integer', (col) => col.notNull())
    .addColumn('location_id', 'integer', (col) => col.notNull())
    .addColumn('activity_id', 'integer', (col) => col.notNull())
    .addColumn('audience', 'varchar(16)', (col) => col.notNull())
    .$call((builder) => measures.reduce((t, measure) => t.addColumn(measure, 'integer', (col) => col.notNull().defaultTo(0)), builder))
    .addPrimaryKeyConstraint(withAssisted ? `${table}_assisted_pk` : `${table}_pk`, keys as never)
    .$call(clustered)
    .execute()
  const grouped = ['region_id', grain, 'poster_id', 'age_band', ...(theme ? ['theme_id'] : []), 'partner_id', 'location_id', 'activity_id', 'audience']
  const copied = [...grouped, ...measures]
  if (withAssisted) {
    await db
      .insertInto(next)
      .columns([...copied, 'assisted'])
      .expression(db.selectFrom(table).select(copied as never).select(sql<number>`0`.as('assisted')))
      .execute()
  } else {
    // Down: the assisted rows fold into the unassisted ones of the same key.
    await db
      .insertInto(next)
      .columns(copied)
      .expression(
        db
          .selectFrom(table)
          .select(grouped as never)
          .select(measures.map((measure) => sql<number>`sum(${sql.ref(measure)})`.as(measure)))
          .groupBy(grouped as never),
      )
      .execute()
  }
  await db.schema.dropTable(table).execute()
  await db.schema.alterTable(next).renameTo(table).execute()
  // A partner's own view reads only its rows (as in 004 and 011).
  await db.schema.createIndex(`${table}_partner`).on(table).columns(['partner_id', grain]).execute()
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('responses')
    .addColumn('assisted', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  for (const shape of shapes) await rebuild(db, shape, true)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const shape of shapes) await rebuild(db, shape, false)
  await db.schema.alterTable('responses').dropColumn('assisted').execute()
}
