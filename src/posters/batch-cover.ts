import type { Kysely } from 'kysely'
import { type CurrentUser, can, partnerScope, regionScope } from '../auth/permissions.ts'
import type { Database } from '../db/types.ts'
import type { BatchFilter } from './queries.ts'
import type { PosterScope } from './scope.ts'

/**
 * What a batch covers: every poster of one activity, one location, one partner or one
 * region, as far as the person may see. Exactly one is named (`?location=3`).
 */
export const coverKinds = ['activity', 'location', 'partner', 'region'] as const
export type CoverKind = (typeof coverKinds)[number]

export interface Cover {
  kind: CoverKind
  id: number
  /** The activity's title, the location's, partner's or region's name. */
  name: string
  regionId: number
  regionName: string
  /** The posters it holds for this person, applied in SQL. */
  filter: BatchFilter
}

/**
 * The posters a person reaches, for the queries that list several (batches, the funnel):
 * the regions `can()` lets them open and, for partner members, their own organisations.
 * Bridge figures reach none (their partner scope is empty). Applied in SQL.
 */
export function reachOf(user: CurrentUser): PosterScope {
  const regions = regionScope(user)
  const partners = partnerScope(user)
  return {
    ...(regions === 'all' ? {} : { regionIds: regions }),
    ...(partners === 'all' ? {} : { partnerIds: partners }),
  }
}

/**
 * The cover named by kind and id, if this person may print from it; undefined for an
 * unknown id and for one out of reach alike (the caller answers both with the same 404).
 * The question asked of `can()` is the one the page listing it asks: a partner member
 * batches their own activities and partner, and their own posters at a location or in a
 * region; a coordinator everything in their regions; a bridge figure nothing.
 */
export async function findCover(db: Kysely<Database>, user: CurrentUser, kind: CoverKind, id: number): Promise<Cover | undefined> {
  const reach = reachOf(user)
  const regionName = (regionId: number) => db.selectFrom('regions').select('name').where('id', '=', regionId).executeTakeFirstOrThrow().then((row) => row.name)
  switch (kind) {
    case 'activity': {
      const row = await db.selectFrom('activities').select(['title', 'region_id', 'partner_id']).where('id', '=', id).executeTakeFirst()
      if (!row || !can(user, 'view', { type: 'activity', regionId: row.region_id, partnerId: row.partner_id })) return undefined
      return { kind, id, name: row.title, regionId: row.region_id, regionName: await regionName(row.region_id), filter: { scope: { ...reach, activityId: id } } }
    }
    case 'location': {
      const row = await db.selectFrom('locations').select(['name', 'region_id']).where('id', '=', id).executeTakeFirst()
      // A partner member may see the region's locations, and prints their own posters there.
      if (!row || !can(user, 'view', { type: 'location', regionId: row.region_id }) || !can(user, 'view', { type: 'poster', regionId: row.region_id })) return undefined
      return { kind, id, name: row.name, regionId: row.region_id, regionName: await regionName(row.region_id), filter: { scope: { ...reach, regionId: row.region_id }, locationId: id } }
    }
    case 'partner': {
      const row = await db.selectFrom('partners').select(['name', 'region_id']).where('id', '=', id).executeTakeFirst()
      if (!row || !can(user, 'view', { type: 'poster', regionId: row.region_id, partnerId: id })) return undefined
      return { kind, id, name: row.name, regionId: row.region_id, regionName: await regionName(row.region_id), filter: { scope: { ...reach, partnerId: id } } }
    }
    case 'region': {
      const row = await db.selectFrom('regions').select('name').where('id', '=', id).executeTakeFirst()
      if (!row || !can(user, 'view', { type: 'poster', regionId: id })) return undefined
      return { kind, id, name: row.name, regionId: id, regionName: row.name, filter: { scope: { ...reach, regionId: id } } }
    }
  }
}
