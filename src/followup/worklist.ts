import type { Kysely } from 'kysely'
import { localDay } from '../answers/index.ts'
import type { AttemptResult, Database } from '../db/types.ts'
import { overdueDays, themesOf } from './queue.ts'

/**
 * The bridge figure's start page: across their regions, the requests they claimed and have
 * not closed, and the ones nobody claimed yet. Like the queue, it carries no name, phone
 * number or e-mail address: those are read (and audited) one request at a time.
 *
 * Two notions of late, kept apart: an unclaimed request waiting `overdueDays` or more is
 * overdue for a first contact; a path of their own is due when its next-contact date
 * (Brussels day) is today, and late when that date has passed. Their own paths that are
 * due or late come first, earliest date first; then the one waiting longest. A due path
 * whose latest step is a referral asks "did they start?" with the offer's title.
 */

const dayMs = 24 * 60 * 60 * 1000
/** Unclaimed requests listed on the start page; the queue holds the rest. */
const worklistUnclaimedShown = 10
/** A bridge figure with more claimed requests than this sees the first ones and the count. */
const mineShown = 100

export interface WorklistItem {
  id: number
  regionId: number
  createdAt: string
  waitingDays: number
  overdue: boolean
  themes: string[]
  preferredLanguage: string
  goodMoment: string
  attempts: number
  lastAttempt: { at: string; result: AttemptResult } | null
  /** The next agreed contact (Brussels day), or null. */
  nextContactOn: string | null
  /** The next contact is today. */
  due: boolean
  /** The next contact has passed. */
  late: boolean
  /** Due or late after a referral: the offer to ask about ("did they start?"). */
  startCheck: string | null
}

export interface WorklistRegion {
  id: number
  name: string
  /** Claimed by this person, not closed. */
  mine: number
  /** Not claimed by anyone. */
  unclaimed: number
  /** Unclaimed for `overdueDays` or more. */
  overdue: number
  /** Their own paths with the next contact today. */
  due: number
  /** Their own paths whose next contact has passed. */
  late: number
}

export interface Worklist {
  regions: WorklistRegion[]
  mine: WorklistItem[]
  unclaimed: WorklistItem[]
  totals: { mine: number; unclaimed: number; overdue: number; due: number; late: number }
}

function countsByRegion(rows: { region_id: number; n: number | string | bigint }[]): Map<number, number> {
  return new Map(rows.map((row) => [row.region_id, Number(row.n)]))
}

export async function bridgeWorklist(db: Kysely<Database>, user: { id: number; regionIds: readonly number[] }, language: string, now = new Date()): Promise<Worklist> {
  const regionIds = [...user.regionIds]
  if (regionIds.length === 0) return { regions: [], mine: [], unclaimed: [], totals: { mine: 0, unclaimed: 0, overdue: 0, due: 0, late: 0 } }
  const today = localDay(now.getTime())
  const overdueBefore = new Date(now.getTime() - overdueDays * dayMs).toISOString()
  const open = db.selectFrom('contact_requests').where('region_id', 'in', regionIds)
  const mineQuery = open.where('status', '=', 'claimed').where('claimed_by', '=', user.id)
  const newQuery = open.where('status', '=', 'new')
  const count = (query: typeof open) => query.select(['region_id', (eb) => eb.fn.countAll().as('n')]).groupBy('region_id').execute()
  const [regions, mineCounts, unclaimedCounts, overdueCounts, dueCounts, lateCounts] = await Promise.all([
    db.selectFrom('regions').select(['id', 'name']).where('id', 'in', regionIds).orderBy('name').execute(),
    count(mineQuery).then(countsByRegion),
    count(newQuery).then(countsByRegion),
    count(newQuery.where('created_at', '<=', overdueBefore)).then(countsByRegion),
    count(mineQuery.where('next_contact_on', '=', today)).then(countsByRegion),
    count(mineQuery.where('next_contact_on', '<', today)).then(countsByRegion),
  ])

  const columns = ['id', 'region_id', 'response_id', 'created_at', 'status', 'preferred_language', 'good_moment', 'next_contact_on'] as const
  // Mine: due and late first (earliest date first), then the one waiting longest; unclaimed: the one waiting longest first.
  const [mineRows, unclaimedRows] = await Promise.all([
    mineQuery
      .select(columns)
      .orderBy((eb) => eb.case().when('next_contact_on', '<=', today).then(0).else(1).end())
      // Earliest date first among the due ones only: SQLite and PostgreSQL sort nulls apart, so the rest get one constant.
      .orderBy((eb) => eb.case().when('next_contact_on', '<=', today).then(eb.ref('next_contact_on')).else(eb.val('')).end())
      .orderBy('created_at')
      .orderBy('id')
      .limit(mineShown)
      .execute(),
    newQuery.select(columns).orderBy('created_at').orderBy('id').limit(worklistUnclaimedShown).execute(),
  ])
  const rows = [...mineRows, ...unclaimedRows]
  const themes = await themesOf(db, rows.map((row) => row.response_id), language)
  const attempts = new Map<number, { n: number; last: { at: string; result: AttemptResult } }>()
  if (mineRows.length > 0) {
    const attemptRows = await db
      .selectFrom('contact_attempts')
      .select(['contact_request_id', 'at', 'result'])
      .where('contact_request_id', 'in', mineRows.map((row) => row.id))
      .orderBy('at')
      .orderBy('id')
      .execute()
    for (const row of attemptRows) {
      attempts.set(row.contact_request_id, { n: (attempts.get(row.contact_request_id)?.n ?? 0) + 1, last: { at: row.at, result: row.result } })
    }
  }
  // The latest step of each of their due paths: a referral asks "did they start?".
  const checks = new Map<number, string>()
  const dueIds = mineRows.filter((row) => row.next_contact_on !== null && row.next_contact_on <= today).map((row) => row.id)
  if (dueIds.length > 0) {
    const stepRows = await db
      .selectFrom('path_steps')
      .leftJoin('offers', 'offers.id', 'path_steps.offer_id')
      .select(['path_steps.contact_request_id', 'path_steps.kind', 'offers.title'])
      .where('path_steps.contact_request_id', 'in', dueIds)
      .orderBy('path_steps.on_day')
      .orderBy('path_steps.id')
      .execute()
    const last = new Map<number, (typeof stepRows)[number]>()
    for (const row of stepRows) last.set(row.contact_request_id, row)
    for (const [id, row] of last) if (row.kind === 'referral') checks.set(id, row.title ?? '')
  }
  const item = (row: (typeof rows)[number]): WorklistItem => {
    const waitingDays = Math.floor((now.getTime() - Date.parse(row.created_at)) / dayMs)
    const mine = row.status === 'claimed'
    return {
      id: row.id,
      regionId: row.region_id,
      createdAt: row.created_at,
      waitingDays,
      overdue: row.status === 'new' && waitingDays >= overdueDays,
      themes: themes.get(row.response_id) ?? [],
      preferredLanguage: row.preferred_language,
      goodMoment: row.good_moment,
      attempts: attempts.get(row.id)?.n ?? 0,
      lastAttempt: attempts.get(row.id)?.last ?? null,
      nextContactOn: row.next_contact_on,
      due: mine && row.next_contact_on === today,
      late: mine && row.next_contact_on !== null && row.next_contact_on < today,
      startCheck: checks.get(row.id) ?? null,
    }
  }
  const perRegion = regions.map((region) => ({
    id: region.id,
    name: region.name,
    mine: mineCounts.get(region.id) ?? 0,
    unclaimed: unclaimedCounts.get(region.id) ?? 0,
    overdue: overdueCounts.get(region.id) ?? 0,
    due: dueCounts.get(region.id) ?? 0,
    late: lateCounts.get(region.id) ?? 0,
  }))
  const sum = (key: 'mine' | 'unclaimed' | 'overdue' | 'due' | 'late') => perRegion.reduce((total, region) => total + region[key], 0)
  return {
    regions: perRegion,
    mine: mineRows.map(item),
    unclaimed: unclaimedRows.map(item),
    totals: { mine: sum('mine'), unclaimed: sum('unclaimed'), overdue: sum('overdue'), due: sum('due'), late: sum('late') },
  }
}
