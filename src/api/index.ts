/**
 * The JSON API for region dashboards (/api/v1, read-only tokens per region) and the staff
 * pages that make and revoke those tokens. Other features import this file only.
 *
 * - `apiRoutes`: registered under /api outside the staff scope; a token, not a session, opens it.
 * - `apiTokenAdmin`: mounted at /admin inside the staff scope, under the region scope.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import tokenAdminRoutes, { type TokenAdminOptions } from './token-admin-routes.ts'

/** /admin/regions/:regionId/api-tokens: coordinators and admins. */
export async function apiTokenAdmin(app: FastifyInstance, options: TokenAdminOptions) {
  await app.register(
    async function regionTokens(region) {
      await region.register(regionScope)
      await region.register(tokenAdminRoutes, options)
    },
    { prefix: '/regions/:regionId' },
  )
}

export { default as apiRoutes, type ApiOptions } from './routes.ts'
