import { type Kysely, sql } from 'kysely'
import { isPostgres } from './_dialect.ts'

/**
 * Record keys and key sums for the cell-key method (src/answers/cell-key.ts, issue 15).
 *
 * Every answer gets a random record key 0…255 when it is stored and keeps it for life; the
 * rows already stored get one here. Next to every count the rollups hold there is now the
 * sum of the record keys of the answers it counts (`<measure>_key`): a published cell's key
 * is the sum of its rows' key sums modulo 256, so a figure is perturbed the same way on
 * every route and asking again teaches nothing.
 *
 * The liked scale gets per-face counts (`liked_1` … `liked_5`, children's posters use faces
 * 1, 3 and 5 of the same scale), so that the average can be derived from perturbed counts;
 * `liked_sum` stays for the dashboard as it reads today but gets no key (it is not a count).
 *
 * The rollups are emptied, not backfilled here: a rollup row's cell is a Brussels calendar
 * day, which SQL cannot compute on SQLite, and the one place that knows how to count an
 * answer is src/answers/rollups.ts. `ensureRollups` refills empty rollups from the responses
 * at start-up, before the server listens (src/start.ts, and `npm run migrate` calls it too).
 */

const countMeasures = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_count', 'step2'] as const
const faces = ['liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const
const answerTables = ['rollup_region_days', 'rollup_poster_days', 'rollup_poster_months', 'rollup_poster_years'] as const
const themeTables = ['rollup_region_theme_days', 'rollup_region_theme_months', 'rollup_poster_theme_days', 'rollup_poster_theme_months'] as const

function newColumns(table: string): string[] {
  if ((themeTables as readonly string[]).includes(table)) return ['responses_key']
  return [...faces, ...[...countMeasures, ...faces].map((measure) => `${measure}_key`)]
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // No default: an insert that forgets the key fails instead of storing a made-up one.
    await sql`alter table responses add column record_key smallint`.execute(db)
    await sql`update responses set record_key = floor(random() * 256)`.execute(db)
    await sql`alter table responses alter column record_key set not null`.execute(db)
    await sql`alter table responses add constraint responses_record_key_range check (record_key between 0 and 255)`.execute(db)
  } else {
    // SQLite adds a NOT NULL column only with a constant default and cannot add a CHECK that
    // existing rows fail; so the default is the impossible -1 and a trigger refuses it (or any
    // key outside 0…255) on insert, as PostgreSQL's missing default and CHECK do.
    // `random() & 255` rather than `abs(random()) % 256`: abs() overflows on the smallest integer.
    await sql`alter table responses add column record_key integer not null default -1`.execute(db)
    await sql`update responses set record_key = random() & 255`.execute(db)
    await sql`create trigger responses_record_key_range before insert on responses
      when new.record_key not between 0 and 255
      begin select raise(abort, 'responses.record_key must be in 0…255'); end`.execute(db)
  }

  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  for (const table of [...answerTables, ...themeTables]) {
    for (const column of newColumns(table)) {
      await db.schema
        .alterTable(table)
        .addColumn(column, 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    }
    await db.deleteFrom(table).execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // The counts stay right without the new columns; nothing to recompute.
  for (const table of [...answerTables, ...themeTables]) {
    for (const column of newColumns(table)) await db.schema.alterTable(table).dropColumn(column).execute()
  }
  if (isPostgres(db)) {
    await sql`alter table responses drop constraint responses_record_key_range`.execute(db)
  } else {
    await sql`drop trigger responses_record_key_range`.execute(db)
  }
  await db.schema.alterTable('responses').dropColumn('record_key').execute()
}
