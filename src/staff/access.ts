import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { type Action, type CurrentUser, can, type Resource } from '../auth/permissions.ts'
import type { Database, Region } from '../db/types.ts'
import { Forbidden, NotFound } from './errors.ts'

/** The signed-in person (the signed-in area has made sure there is one). */
export function currentUser(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new Forbidden()
  return request.user
}

/** Asks the permission function; a "no" inside the person's scope is the 403 page. */
export function allow(request: FastifyRequest, action: Action, resource: Resource): CurrentUser {
  const user = currentUser(request)
  if (!can(user, action, resource)) throw new Forbidden()
  return user
}

/**
 * A region this person works in. One they do not work in answers exactly like one that
 * does not exist: the 404 page.
 */
export async function regionInScope(db: Kysely<Database>, user: CurrentUser, regionId: number): Promise<Region> {
  if (!can(user, 'view', { type: 'region', regionId })) throw new NotFound()
  const region = await db.selectFrom('regions').selectAll().where('id', '=', regionId).executeTakeFirst()
  if (!region) throw new NotFound()
  return region
}

/** The region of a region-scoped route (src/staff/region-scope.ts). */
export function regionOf(request: FastifyRequest): Region {
  if (!request.region) throw new NotFound()
  return request.region
}
