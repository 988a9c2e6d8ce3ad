import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, Region } from '../db/types.ts'
import { type Action, type CurrentUser, can, type Resource } from '../auth/permissions.ts'
import { findRegion } from './queries.ts'
import { Forbidden, idParam, NotFound } from './render.ts'

/** The signed-in person (the /admin guard has made sure there is one). */
export function currentUser(request: FastifyRequest): CurrentUser {
  if (!request.user) throw new Forbidden()
  return request.user
}

/** Asks the permission function; a "no" inside the person's scope is a 403 page. */
export function allow(request: FastifyRequest, action: Action, resource: Resource): CurrentUser {
  const user = currentUser(request)
  if (!can(user, action, resource)) throw new Forbidden()
  return user
}

/**
 * The region named in the URL. A region the person does not work in answers exactly
 * like one that does not exist: the 404 page.
 */
export async function regionFromUrl(db: Kysely<Database>, request: FastifyRequest): Promise<Region> {
  const regionId = idParam((request.params as Record<string, unknown>).regionId)
  if (!can(currentUser(request), 'view', { type: 'region', regionId })) throw new NotFound()
  const region = await findRegion(db, regionId)
  if (!region) throw new NotFound()
  return region
}
