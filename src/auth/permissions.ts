import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely'
import type { Role } from '../db/types.ts'

/** The signed-in person as every management request sees it, loaded fresh per request. */
export interface CurrentUser {
  id: number
  email: string
  name: string
  role: Role
  /** Coordinators and bridge figures: the regions they work in. */
  regionIds: number[]
  /** Partner members: their organisation(s)… */
  partnerIds: number[]
  /** …and the regions those organisations belong to. */
  partnerRegionIds: number[]
  /** Hash of the session id (binds CSRF tokens to this session). */
  sessionId: string
}

export type Action = 'view' | 'manage'

export type Resource =
  | { type: 'regions' }
  | { type: 'region'; regionId: number }
  | { type: 'partner'; regionId: number }
  | { type: 'location'; regionId: number }
  /** partnerId undefined: the region's list of activities, or a new one. */
  | { type: 'activity'; regionId: number; partnerId?: number }
  | { type: 'poster'; regionId: number; partnerId?: number }
  | { type: 'theme'; regionId: number }
  /** role: the role of the account invited or disabled (undefined: the list). */
  | { type: 'user'; regionId: number; role?: Role }
  | { type: 'admins' }
  /** regionId undefined: the whole log. */
  | { type: 'audit'; regionId?: number }

/** The regions a person works in, whatever their role (admins: every region). */
export function userRegionIds(user: CurrentUser): number[] {
  return user.role === 'partner' ? user.partnerRegionIds : user.regionIds
}

function coordinates(user: CurrentUser, regionId: number): boolean {
  return user.role === 'coordinator' && user.regionIds.includes(regionId)
}

function memberOf(user: CurrentUser, regionId: number, partnerId: number | undefined): boolean {
  if (user.role !== 'partner' || !user.partnerRegionIds.includes(regionId)) return false
  return partnerId === undefined || user.partnerIds.includes(partnerId)
}

/**
 * The one permission function: every management route asks it before showing or
 * changing anything. The table in docs/security.md is this function in words.
 */
export function can(user: CurrentUser, action: Action, resource: Resource): boolean {
  if (user.role === 'admin') return true
  switch (resource.type) {
    case 'regions':
    case 'admins':
      return false
    case 'region':
      // Everyone working in a region opens its page; its settings are the coordinator's.
      return action === 'view' ? userRegionIds(user).includes(resource.regionId) : coordinates(user, resource.regionId)
    case 'partner':
    case 'theme':
      return coordinates(user, resource.regionId)
    case 'location':
      // Partner members pick the region's locations for their posters but do not edit them.
      return coordinates(user, resource.regionId) || (action === 'view' && memberOf(user, resource.regionId, undefined))
    case 'activity':
    case 'poster':
      return coordinates(user, resource.regionId) || memberOf(user, resource.regionId, resource.partnerId)
    case 'user':
      if (!coordinates(user, resource.regionId)) return false
      // A coordinator invites and disables partner members and bridge figures, not other coordinators.
      return action === 'view' || resource.role === 'partner' || resource.role === 'bridge'
    case 'audit':
      return resource.regionId !== undefined && coordinates(user, resource.regionId)
  }
}

/**
 * Which partners' activities and posters a person may see inside a region they can
 * open: 'all' for coordinators and admins, their own organisation for partner members.
 */
export function partnerScope(user: CurrentUser): number[] | 'all' {
  if (user.role === 'admin' || user.role === 'coordinator') return 'all'
  if (user.role === 'partner') return user.partnerIds
  return []
}

/** Regions a person may open: 'all' for admins. */
export function regionScope(user: CurrentUser): number[] | 'all' {
  return user.role === 'admin' ? 'all' : userRegionIds(user)
}

/**
 * A WHERE condition `column in (ids)` for list queries, so that out-of-scope rows never
 * leave the database. 'all' adds nothing; an empty list matches nothing (SQL has no `in ()`).
 */
export function inScope(eb: ExpressionBuilder<any, any>, column: string, ids: number[] | 'all'): Expression<SqlBool> {
  if (ids === 'all') return sql<SqlBool>`1 = 1`
  if (ids.length === 0) return sql<SqlBool>`1 = 0`
  return eb(eb.ref(column), 'in', ids)
}
