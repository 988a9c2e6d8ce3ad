import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import activityRoutes from './activity-routes.ts'
import locationRequestRoutes from './location-request-routes.ts'
import regionRoutes from './region-routes.ts'
import adminRoutes from './routes.ts'

export interface AdminOptions {
  publicBaseUrl: string
  /** The app's clock (tests fix it): the bridge figure's start page reads "due today" by it. */
  now?: () => Date
}

/**
 * Management of regions and what is in them: partners, locations, themes, people,
 * activities and their posters, the audit log. Mounted at /admin inside the signed-in area.
 */
export default async function adminFeature(app: FastifyInstance, options: AdminOptions) {
  await app.register(adminRoutes, options)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(regionRoutes, options)
      await region.register(activityRoutes)
      await region.register(locationRequestRoutes)
    },
    { prefix: '/regions/:regionId' },
  )
}
