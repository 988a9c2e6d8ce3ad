/**
 * Which posters a request may touch: the signed-in person's reach (from the accounts
 * work), narrowed by what the page asks for. Queries apply it in SQL, so out-of-scope
 * rows never leave the database.
 */
export interface PosterScope {
  /** The person's regions; undefined: every region (admins). An empty list: none. */
  regionIds?: readonly number[]
  /** The person's organisations; undefined: every partner (coordinators, admins). */
  partnerIds?: readonly number[]
  /** Filters a page adds inside that reach. */
  regionId?: number
  partnerId?: number
  activityId?: number
}

/** An `in` list that SQL accepts: `in ()` is a syntax error, and an empty reach matches nothing. */
export function idList(ids: readonly number[]): number[] {
  return ids.length > 0 ? [...ids] : [-1]
}

type Filterable = { where: (...args: any[]) => Filterable }

/** Adds the scope's conditions on `table`'s region_id, partner_id and activity_id columns. */
export function whereInScope<Q extends Filterable>(query: Q, table: 'posters' | 'responses', scope: PosterScope): Q {
  let q: Filterable = query
  if (scope.regionIds !== undefined) q = q.where(`${table}.region_id`, 'in', idList(scope.regionIds))
  if (scope.partnerIds !== undefined) q = q.where(`${table}.partner_id`, 'in', idList(scope.partnerIds))
  if (scope.regionId !== undefined) q = q.where(`${table}.region_id`, '=', scope.regionId)
  if (scope.partnerId !== undefined) q = q.where(`${table}.partner_id`, '=', scope.partnerId)
  if (scope.activityId !== undefined) q = q.where(`${table}.activity_id`, '=', scope.activityId)
  return q as Q
}

/** Whether one poster lies inside a scope (for pages about a single poster). */
export function posterInScope(poster: { regionId: number; partnerId: number; activityId: number }, scope: PosterScope): boolean {
  if (scope.regionIds !== undefined && !scope.regionIds.includes(poster.regionId)) return false
  if (scope.partnerIds !== undefined && !scope.partnerIds.includes(poster.partnerId)) return false
  if (scope.regionId !== undefined && scope.regionId !== poster.regionId) return false
  if (scope.partnerId !== undefined && scope.partnerId !== poster.partnerId) return false
  if (scope.activityId !== undefined && scope.activityId !== poster.activityId) return false
  return true
}
