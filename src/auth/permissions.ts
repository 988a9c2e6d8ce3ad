import { type Expression, type ExpressionBuilder, type ReferenceExpression, type SqlBool, sql } from 'kysely'
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
  /** A request for a missing location; partnerId: the organisation that asks (undefined: the list). */
  | { type: 'location-request'; regionId: number; partnerId?: number }
  /** A location's municipality from the shipped list, and the list of locations whose typed municipality did not match (issue 18). */
  | { type: 'municipality'; regionId: number }
  /** partnerId undefined: the region's list of activities, or a new one. */
  | { type: 'activity'; regionId: number; partnerId?: number }
  | { type: 'poster'; regionId: number; partnerId?: number }
  | { type: 'theme'; regionId: number }
  /** role: the role of the account invited or disabled (undefined: the list). */
  | { type: 'user'; regionId: number; role?: Role }
  | { type: 'admins' }
  /** regionId undefined: the whole log. */
  | { type: 'audit'; regionId?: number }
  /** The region dashboard (view only); a partner member sees their own organisation's figures. */
  | { type: 'dashboard'; regionId: number }
  /** One overview of demand over every region a person coordinates (view only): for coordinators of more than one region, and admins (every region). */
  | { type: 'regions-overview' }
  /** The planning page, demand beside supply (view only); a partner member sees it without other partners' figures. */
  | { type: 'planning'; regionId: number }
  /** A region's criteria for choosing activities, and its scoring panel: the coordinator's. */
  | { type: 'criteria'; regionId: number }
  /** Importing activities and offers (UiTdatabank, iCalendar) and confirming places, organizers and terms (issue 18). */
  | { type: 'import'; regionId: number }
  /**
   * Proposals (activities in state "proposed"). onPanel: this person is on the region's
   * scoring panel (looked up by the route). partnerId: the proposal's partner, when one is
   * meant. `scoring`: asking to score it, which a member of the proposal's own partner never may.
   */
  | { type: 'proposal'; regionId: number; onPanel: boolean; partnerId?: number; scoring?: boolean }
  /** The follow-up queue of contact requests, with contact details. */
  | { type: 'followup'; regionId: number }
  /** Learning offers (bridge figures read them), moderation of free text, public updates, share links, API tokens. */
  | { type: 'offer' | 'moderation' | 'update' | 'share-link' | 'api-token'; regionId: number }
  /** Free texts and their themes (corrections, unclassified answers). */
  | { type: 'free-text'; regionId: number }
  /** Data subject requests (export, erasure): across regions. */
  | { type: 'subject-requests' }
  /** One partner's own page (its figures) and its share links: the partner's members and the region's coordinators. */
  | { type: 'partner-page'; regionId: number; partnerId: number }
  /** Recording a learning question on someone's behalf at a walk-in point (an assisted answer): the region's bridge figures and coordinators. */
  | { type: 'assisted'; regionId: number }
  /** The monthly digest of a region (partnerId undefined) or of one partner: its page, PDF and feed. */
  | { type: 'digest'; regionId: number; partnerId?: number }

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
  // Contact details are for the people who follow up: admins answer data subject requests
  // (audited) but do not browse the queue.
  if (resource.type === 'followup') return (user.role === 'coordinator' || user.role === 'bridge') && user.regionIds.includes(resource.regionId)
  if (user.role === 'admin') return true
  switch (resource.type) {
    case 'regions':
    case 'admins':
    case 'subject-requests':
      return false
    case 'region':
      // Everyone working in a region opens its page; its settings are the coordinator's.
      return action === 'view' ? userRegionIds(user).includes(resource.regionId) : coordinates(user, resource.regionId)
    case 'partner':
    case 'theme':
    case 'free-text':
    case 'moderation':
    case 'update':
    case 'share-link':
    case 'api-token':
      return coordinates(user, resource.regionId)
    case 'offer':
      // Bridge figures refer people to the region's offers, so they read them; coordinators keep them.
      return coordinates(user, resource.regionId) || (action === 'view' && user.role === 'bridge' && user.regionIds.includes(resource.regionId))
    case 'dashboard':
      // The dashboard is scoped to one organisation for a partner member: with two, which
      // figures to show would be a guess, so none are.
      return coordinates(user, resource.regionId) || (action === 'view' && user.role === 'partner' && user.partnerIds.length === 1 && memberOf(user, resource.regionId, undefined))
    case 'planning':
      // As the dashboard: a partner member with exactly one organisation, whose figures are compared with the rest.
      return coordinates(user, resource.regionId) || (action === 'view' && user.role === 'partner' && user.partnerIds.length === 1 && memberOf(user, resource.regionId, undefined))
    case 'regions-overview':
      // With one region the overview is that region's planning page again; partner members and bridge figures have no region-wide figures to set side by side.
      return action === 'view' && user.role === 'coordinator' && user.regionIds.length > 1
    case 'criteria':
    case 'import':
      return coordinates(user, resource.regionId)
    case 'municipality':
      // Choosing from the list is the coordinator's, as editing the location is; partner members only read the name.
      return coordinates(user, resource.regionId)
    case 'proposal': {
      if (action === 'manage') return coordinates(user, resource.regionId)
      const onPanel = resource.onPanel && userRegionIds(user).includes(resource.regionId)
      // A partner's members never score their own partner's proposal (they may read the list).
      const own = user.role === 'partner' && resource.partnerId !== undefined && user.partnerIds.includes(resource.partnerId)
      if (resource.scoring) return onPanel && !own
      return coordinates(user, resource.regionId) || onPanel
    }
    case 'location':
      // Partner members pick the region's locations for their posters but do not edit them.
      return coordinates(user, resource.regionId) || (action === 'view' && memberOf(user, resource.regionId, undefined))
    case 'location-request':
      // A partner member asks, for their own organisation, for a location the picker lacks;
      // the region's coordinators read every request and answer it by managing locations
      // ({ type: 'location' }). Nobody else sees them: not bridge figures, not other partners.
      if (coordinates(user, resource.regionId)) return action === 'view'
      return memberOf(user, resource.regionId, resource.partnerId)
    case 'activity':
    case 'poster':
      return coordinates(user, resource.regionId) || memberOf(user, resource.regionId, resource.partnerId)
    case 'user':
      if (!coordinates(user, resource.regionId)) return false
      // A coordinator invites and disables partner members and bridge figures, not other coordinators.
      return action === 'view' || resource.role === 'partner' || resource.role === 'bridge'
    case 'audit':
      return resource.regionId !== undefined && coordinates(user, resource.regionId)
    case 'assisted':
      return (user.role === 'coordinator' || user.role === 'bridge') && user.regionIds.includes(resource.regionId)
    case 'partner-page':
      return coordinates(user, resource.regionId) || memberOf(user, resource.regionId, resource.partnerId)
    case 'digest':
      // A partner's digest is its page in short: the same people. The region's digest is for those
      // who work across the region: its coordinators, and its bridge figures (follow-up outcomes are their work).
      if (resource.partnerId !== undefined) return action === 'view' && (coordinates(user, resource.regionId) || memberOf(user, resource.regionId, resource.partnerId))
      return action === 'view' && (coordinates(user, resource.regionId) || (user.role === 'bridge' && user.regionIds.includes(resource.regionId)))
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
 * Typed like Kysely's own `where`: the column must be one of the query's tables' columns.
 */
export function inScope<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, column: ReferenceExpression<DB, TB>, ids: readonly number[] | 'all'): Expression<SqlBool> {
  if (ids === 'all') return sql<SqlBool>`1 = 1`
  if (ids.length === 0) return sql<SqlBool>`1 = 0`
  return eb(column, 'in', [...ids])
}
