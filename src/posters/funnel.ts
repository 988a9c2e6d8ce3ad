import { createHmac } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, PosterStatus } from '../db/types.ts'
import { addDays, brusselsDay, dayStartUtc, localDay } from '../answers/index.ts'
import { cellKey, KEY_RANGE, publish } from '../answers/cell-key.ts'
import { inPosterScope, posterColumns, type PosterScope, responseColumns } from './scope.ts'

export type { PosterScope } from './scope.ts'

/** Scans → answered step 1 → answered step 2, over one period. */
export interface Funnel {
  scans: number
  step1: number
  step2: number
}

export interface PosterFunnel {
  posterId: number
  code: string
  status: PosterStatus
  activityId: number
  activityTitle: string
  locationName: string
  last30Days: Funnel
  allTime: Funnel
  /** Printed today (Brussels): no complete day yet, every count 0 — "the first figures appear tomorrow". */
  firstFiguresTomorrow: boolean
}

/** The sums of the answers' record keys behind step 1 and step 2 (scans have no records). */
interface FunnelKeys {
  step1: number
  step2: number
}

/** A poster's true funnel with its key sums: what `countFunnels` reads, not for display. */
export interface CountedFunnel extends PosterFunnel {
  keys: { last30Days: FunnelKeys; allTime: FunnelKeys }
}

export interface ActivityFunnel {
  activityId: number
  activityTitle: string
  posters: number
  last30Days: Funnel
  allTime: Funnel
}

/**
 * The funnel counts whole days only, up to the end of yesterday in Brussels, and publishes
 * each count through the cell-key table (answers/cell-key.ts): a partner member must not
 * watch a new poster's counter move one answer at a time (issue 15, finding 6), nor read
 * a count of 1 … 4. So the funnel changes at most once a day, and what it shows is 0 or
 * K and more, moved by at most D (K and D from cell-key.ts).
 */

/** The first of the last 30 complete days (yesterday and the 29 days before it). */
export function last30DaysFrom(today: string): string {
  return addDays(today, -30)
}

/**
 * The cell key of a scan count: HMAC-SHA256(secret, "funnel|" + poster + "|" + true count),
 * its first byte. Step 1 and step 2 count answers, and their cell keys are the sums of
 * those answers' record keys, as everywhere else (answers/cell-key.ts). Scans are day
 * counters with no records, so the key is derived from the cell. Why this is sound:
 * - The same poster and the same true count give the same number on every view, every
 *   day, in the page and the JSON: asking again teaches nothing, there is nothing to
 *   average.
 * - The key leaves out the period on purpose. When "30 days" and "all time" count the
 *   same scans they have the same true count and so publish the same number; keyed per
 *   period they would be independent draws of one count, and their mean would close in
 *   on it. Two cells with the same count but other scans also agree, which tells nothing.
 * - When a count moves (a new day is counted), the key moves with it, as a key sum does
 *   when a record is added: the new number is a fresh draw from the row of the new count.
 * - The secret is the app's own (`funnel-cell-key`), so nobody outside can compute the
 *   noise of a count.
 */
function funnelCellKey(secret: string, posterId: number, trueCount: number): number {
  return createHmac('sha256', secret).update(`funnel|${posterId}|${trueCount}`).digest()[0]! % KEY_RANGE
}

function published(secret: string, posterId: number, funnel: Funnel, keys: FunnelKeys): Funnel {
  return {
    scans: publish(funnel.scans, funnelCellKey(secret, posterId, funnel.scans)),
    step1: publish(funnel.step1, cellKey(keys.step1)),
    step2: publish(funnel.step2, cellKey(keys.step2)),
  }
}

/** The published funnel of every poster in scope (see above); `today` is the Brussels day. */
export async function posterFunnels(db: Kysely<Database>, scope: PosterScope, options: { secret: string; today?: string }): Promise<PosterFunnel[]> {
  const rows = await countFunnels(db, scope, options.today ?? localDay())
  return rows.map(({ keys, ...row }) => ({
    ...row,
    last30Days: published(options.secret, row.posterId, row.last30Days, keys.last30Days),
    allTime: published(options.secret, row.posterId, row.allTime, keys.allTime),
  }))
}

/**
 * The true funnel of every poster in scope, for the last 30 complete days and for all
 * complete days, in three grouped reads (posters, scan counters, responses) whatever the
 * number of posters. Every response has passed step 1 (the first tap creates it); step 2
 * is `step = 2`. Scan counters are kept per Brussels day (scans.ts); answers are cut at
 * the start of today in Brussels. Not for display: `posterFunnels` publishes.
 */
export async function countFunnels(db: Kysely<Database>, scope: PosterScope, today: string): Promise<CountedFunnel[]> {
  const since = last30DaysFrom(today)
  const sinceUtc = dayStartUtc(since)
  const untilUtc = dayStartUtc(today)
  const scans = db
    .selectFrom('poster_scans')
    .innerJoin('posters', 'posters.id', 'poster_scans.poster_id')
    .select((eb) => [
      'poster_scans.poster_id as posterId',
      eb.fn.sum<number | string>('poster_scans.scans').as('all'),
      eb.fn.sum<number | string>(eb.case().when('poster_scans.day', '>=', since).then(eb.ref('poster_scans.scans')).else(0).end()).as('recent'),
    ])
    .where('poster_scans.day', '<', today)
    .groupBy('poster_scans.poster_id')
  const answers = db
    .selectFrom('responses')
    .select((eb) => [
      'responses.poster_id as posterId',
      eb.fn.countAll<number | string>().as('step1'),
      eb.fn.sum<number | string>(eb.case().when('responses.step', '>=', 2).then(1).else(0).end()).as('step2'),
      eb.fn.sum<number | string>(eb.case().when('responses.created_at', '>=', sinceUtc).then(1).else(0).end()).as('step1Recent'),
      eb.fn
        .sum<number | string>(eb.case().when(eb.and([eb('responses.created_at', '>=', sinceUtc), eb('responses.step', '>=', 2)])).then(1).else(0).end())
        .as('step2Recent'),
      eb.fn.sum<number | string>('responses.record_key').as('step1Key'),
      eb.fn.sum<number | string>(eb.case().when('responses.step', '>=', 2).then(eb.ref('responses.record_key')).else(0).end()).as('step2Key'),
      eb.fn.sum<number | string>(eb.case().when('responses.created_at', '>=', sinceUtc).then(eb.ref('responses.record_key')).else(0).end()).as('step1RecentKey'),
      eb.fn
        .sum<number | string>(eb.case().when(eb.and([eb('responses.created_at', '>=', sinceUtc), eb('responses.step', '>=', 2)])).then(eb.ref('responses.record_key')).else(0).end())
        .as('step2RecentKey'),
    ])
    .where('responses.created_at', '<', untilUtc)
    .groupBy('responses.poster_id')
  const posters = db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .select([
      'posters.id',
      'posters.code',
      'posters.status',
      'posters.activity_id as activityId',
      'activities.title as activityTitle',
      'locations.name as locationName',
      'posters.created_at as createdAt',
    ])
    .orderBy('activities.title')
    .orderBy('locations.name')

  const [posterRows, scanRows, answerRows] = await Promise.all([
    posters.where((eb) => inPosterScope(eb, posterColumns, scope)).execute(),
    scans.where((eb) => inPosterScope(eb, posterColumns, scope)).execute(),
    answers.where((eb) => inPosterScope(eb, responseColumns, scope)).execute(),
  ])
  // SUM and COUNT come back as strings on PostgreSQL (bigint/numeric), numbers on SQLite.
  const scanBy = new Map(scanRows.map((row) => [row.posterId, { all: Number(row.all ?? 0), recent: Number(row.recent ?? 0) }]))
  const answerBy = new Map(
    answerRows.map((row) => [
      row.posterId,
      {
        step1: Number(row.step1),
        step2: Number(row.step2 ?? 0),
        step1Recent: Number(row.step1Recent ?? 0),
        step2Recent: Number(row.step2Recent ?? 0),
        // key sums stay exact as text on PostgreSQL; cellKey reads any of the three shapes
        keys: {
          allTime: { step1: cellKey(row.step1Key ?? null), step2: cellKey(row.step2Key ?? null) },
          last30Days: { step1: cellKey(row.step1RecentKey ?? null), step2: cellKey(row.step2RecentKey ?? null) },
        },
      },
    ]),
  )
  return posterRows.map((row) => {
    const s = scanBy.get(row.id)
    const a = answerBy.get(row.id)
    return {
      posterId: row.id,
      code: row.code,
      status: row.status,
      activityId: row.activityId,
      activityTitle: row.activityTitle,
      locationName: row.locationName,
      last30Days: { scans: s?.recent ?? 0, step1: a?.step1Recent ?? 0, step2: a?.step2Recent ?? 0 },
      allTime: { scans: s?.all ?? 0, step1: a?.step1 ?? 0, step2: a?.step2 ?? 0 },
      firstFiguresTomorrow: brusselsDay(row.createdAt) >= today,
      keys: a?.keys ?? { allTime: { step1: 0, step2: 0 }, last30Days: { step1: 0, step2: 0 } },
    }
  })
}

/** Per activity: the sum of its posters' funnels. */
export function activityFunnels(posters: readonly PosterFunnel[]): ActivityFunnel[] {
  const byActivity = new Map<number, ActivityFunnel>()
  for (const poster of posters) {
    let activity = byActivity.get(poster.activityId)
    if (activity === undefined) {
      activity = {
        activityId: poster.activityId,
        activityTitle: poster.activityTitle,
        posters: 0,
        last30Days: { scans: 0, step1: 0, step2: 0 },
        allTime: { scans: 0, step1: 0, step2: 0 },
      }
      byActivity.set(poster.activityId, activity)
    }
    activity.posters++
    for (const period of ['last30Days', 'allTime'] as const) {
      activity[period].scans += poster[period].scans
      activity[period].step1 += poster[period].step1
      activity[period].step2 += poster[period].step2
    }
  }
  return [...byActivity.values()]
}
