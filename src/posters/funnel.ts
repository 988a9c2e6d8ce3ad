import type { Kysely } from 'kysely'
import type { Database, PosterStatus } from '../db/types.ts'
import { scanDay } from './scans.ts'
import { type PosterScope, whereInScope } from './scope.ts'

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
}

export interface ActivityFunnel {
  activityId: number
  activityTitle: string
  posters: number
  last30Days: Funnel
  allTime: Funnel
}

/** The first day of the last 30 days, today included. */
export function last30DaysFrom(today: string): string {
  const day = new Date(`${today}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() - 29)
  return scanDay(day)
}

/**
 * The funnel of every poster in scope, for the last 30 days and for all time, in three
 * grouped reads (posters, scan counters, responses) whatever the number of posters.
 * Every response has passed step 1 (the first tap creates it); step 2 is `step = 2`.
 */
export async function posterFunnels(db: Kysely<Database>, scope: PosterScope, today: string = scanDay()): Promise<PosterFunnel[]> {
  const since = last30DaysFrom(today)
  const scans = db
    .selectFrom('poster_scans')
    .innerJoin('posters', 'posters.id', 'poster_scans.poster_id')
    .select((eb) => [
      'poster_scans.poster_id as posterId',
      eb.fn.sum<number | string>('poster_scans.scans').as('all'),
      eb.fn.sum<number | string>(eb.case().when('poster_scans.day', '>=', since).then(eb.ref('poster_scans.scans')).else(0).end()).as('recent'),
    ])
    .groupBy('poster_scans.poster_id')
  const answers = db
    .selectFrom('responses')
    .select((eb) => [
      'responses.poster_id as posterId',
      eb.fn.countAll<number | string>().as('step1'),
      eb.fn.sum<number | string>(eb.case().when('responses.step', '>=', 2).then(1).else(0).end()).as('step2'),
      eb.fn.sum<number | string>(eb.case().when('responses.created_at', '>=', since).then(1).else(0).end()).as('step1Recent'),
      eb.fn
        .sum<number | string>(eb.case().when(eb.and([eb('responses.created_at', '>=', since), eb('responses.step', '>=', 2)])).then(1).else(0).end())
        .as('step2Recent'),
    ])
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
    ])
    .orderBy('activities.title')
    .orderBy('locations.name')

  const [posterRows, scanRows, answerRows] = await Promise.all([
    whereInScope(posters, 'posters', scope).execute(),
    whereInScope(scans, 'posters', scope).execute(),
    whereInScope(answers, 'responses', scope).execute(),
  ])
  // SUM and COUNT come back as strings on PostgreSQL (bigint/numeric), numbers on SQLite.
  const scanBy = new Map(scanRows.map((row) => [row.posterId, { all: Number(row.all ?? 0), recent: Number(row.recent ?? 0) }]))
  const answerBy = new Map(
    answerRows.map((row) => [
      row.posterId,
      { step1: Number(row.step1), step2: Number(row.step2 ?? 0), step1Recent: Number(row.step1Recent ?? 0), step2Recent: Number(row.step2Recent ?? 0) },
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
