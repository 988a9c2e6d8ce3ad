/**
 * Public updates of a region ("what we did with your answers"): written by coordinators
 * under /admin, read by citizens at /regio/:slug. The thank-you page asks
 * `publicUpdatesPath` whether there is anything to link to.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import updateAdminRoutes from './admin-routes.ts'

/** /admin/regions/:regionId/updates, inside the region scope. */
export default async function updatesFeature(app: FastifyInstance) {
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(updateAdminRoutes)
    },
    { prefix: '/regions/:regionId' },
  )
}

/** `GET /regio/:slug`: public, outside the staff scope. */
export { default as updatesPublicPage } from './public-routes.ts'
export { listRegionUpdates, publicUpdatesPath, type RegionUpdate } from './queries.ts'
