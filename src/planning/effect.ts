import { type Kysely, sql } from 'kysely'
import { cellKey, publish } from '../answers/cell-key.ts'
import { dayNumber, dayString, periodId, periodOf, periodRange, previousPeriod, type GridPeriod } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'

/**
 * Effect over time, for the council (issue 18): per complete month, over up to five years,
 * the share who tried something new and how much they liked it, with the same month a year
 * before beside it. Every count is published through the cell-key table first and the
 * share and the average are derived from published counts only (as the planning table).
 */

const effectMonths = 60

const counted = ['responses', 'tried_yes', 'tried_a_bit', 'tried_no', 'liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const
type Counted = (typeof counted)[number]

export interface EffectMonth {
  month: string
  /** Published answers. */
  answers: number
  /** Share (%) of published yes + a bit among published yes, a bit and no; null without any. */
  tried: number | null
  /** Mean face 1 … 5 over the published face counts; null without any. */
  liked: number | null
}

export interface EffectRow extends EffectMonth {
  yearBefore: EffectMonth | null
}

export type EffectScope = { regionId: number; partnerId?: number; activityId?: number }

/** Counts and key sums per month, from the region's day rollup, or the poster month rollup for a partner or an activity. */
async function monthCells(db: Kysely<Database>, scope: EffectScope, from: string, to: string): Promise<Map<string, Record<Counted, number>>> {
  const sums = counted.flatMap((name) => [sql<string | number>`sum(${sql.ref(name)})`.as(name), sql<string | number>`sum(${sql.ref(`${name}_key`)})`.as(`${name}_key`)])
  let rows: Record<string, unknown>[]
  if (scope.partnerId === undefined && scope.activityId === undefined) {
    const month = sql<string>`substr(day, 1, 7)`
    rows = await db
      .selectFrom('rollup_region_days')
      .select([month.as('month'), ...sums])
      .where('region_id', '=', scope.regionId)
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy(month)
      .execute()
  } else {
    let query = db
      .selectFrom('rollup_poster_months')
      .select(['month', ...sums])
      .where('region_id', '=', scope.regionId)
      .where('month', '>=', from.slice(0, 7))
      .where('month', '<=', to.slice(0, 7))
    if (scope.partnerId !== undefined) query = query.where('partner_id', '=', scope.partnerId)
    if (scope.activityId !== undefined) query = query.where('activity_id', '=', scope.activityId)
    rows = await query.groupBy('month').execute()
  }
  const cells = new Map<string, Record<Counted, number>>()
  for (const row of rows) {
    const published = {} as Record<Counted, number>
    for (const name of counted) {
      const count = Number(row[name] ?? 0)
      published[name] = count === 0 ? 0 : publish(count, cellKey(row[`${name}_key`] as string | number))
    }
    cells.set(String(row.month), published)
  }
  return cells
}

function monthOf(month: string, cells: Map<string, Record<Counted, number>>): EffectMonth {
  const c = cells.get(month)
  if (c === undefined) return { month, answers: 0, tried: null, liked: null }
  const tried = c.tried_yes + c.tried_a_bit + c.tried_no
  const faces = c.liked_1 + c.liked_2 + c.liked_3 + c.liked_4 + c.liked_5
  return {
    month,
    answers: c.responses,
    tried: tried > 0 ? (100 * (c.tried_yes + c.tried_a_bit)) / tried : null,
    liked: faces > 0 ? (1 * c.liked_1 + 2 * c.liked_2 + 3 * c.liked_3 + 4 * c.liked_4 + 5 * c.liked_5) / faces : null,
  }
}

/** The last `effectMonths` complete months before `today` (newest first), each beside the same month a year earlier. */
export async function loadEffect(db: Kysely<Database>, scope: EffectScope, today: string): Promise<EffectRow[]> {
  const months: GridPeriod[] = []
  for (let p = previousPeriod(periodOf('month', dayNumber(today))); p !== null && months.length < effectMonths; p = previousPeriod(p)) months.push(p)
  if (months.length === 0) return []
  const newest = periodRange(months[0]!, today).to
  const oldest = periodRange(months[months.length - 1]!, today).from
  // A year before the oldest month too, for its comparison.
  const from = dayString(dayNumber(oldest) - 366)
  const cells = await monthCells(db, scope, from < '2000-01-01' ? '2000-01-01' : from, newest)
  const first = [...cells.keys()].sort()[0]
  return months
    .map((p) => {
      const id = periodId(p)
      const before = `${Number(id.slice(0, 4)) - 1}${id.slice(4)}`
      return { ...monthOf(id, cells), yearBefore: first !== undefined && before >= first ? monthOf(before, cells) : null }
    })
    // Months before the first answer say nothing: the series starts with the first month that has one.
    .filter((row) => first !== undefined && row.month >= first)
}
