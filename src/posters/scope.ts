import type { Expression, ExpressionBuilder, ReferenceExpression, SqlBool } from 'kysely'

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
function idList(ids: readonly number[]): number[] {
  return ids.length > 0 ? [...ids] : [-1]
}

/** Where a table keeps the three columns a scope filters on. */
export interface ScopeColumns<DB, TB extends keyof DB> {
  region: ReferenceExpression<DB, TB>
  partner: ReferenceExpression<DB, TB>
  activity: ReferenceExpression<DB, TB>
}

export const posterColumns = { region: 'posters.region_id', partner: 'posters.partner_id', activity: 'posters.activity_id' } as const
export const responseColumns = { region: 'responses.region_id', partner: 'responses.partner_id', activity: 'responses.activity_id' } as const

/** The scope as one WHERE condition: `.where((eb) => inPosterScope(eb, posterColumns, scope))`. */
export function inPosterScope<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, columns: ScopeColumns<DB, TB>, scope: PosterScope): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = []
  if (scope.regionIds !== undefined) conditions.push(eb(columns.region, 'in', idList(scope.regionIds)))
  if (scope.partnerIds !== undefined) conditions.push(eb(columns.partner, 'in', idList(scope.partnerIds)))
  if (scope.regionId !== undefined) conditions.push(eb(columns.region, '=', scope.regionId))
  if (scope.partnerId !== undefined) conditions.push(eb(columns.partner, '=', scope.partnerId))
  if (scope.activityId !== undefined) conditions.push(eb(columns.activity, '=', scope.activityId))
  return eb.and(conditions)
}

