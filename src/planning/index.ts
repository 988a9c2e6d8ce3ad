/**
 * Planning: demand beside supply (issue 18). Per theme, for a complete grid period, what
 * people asked for (published through the cell-key table), what is on offer (open offers,
 * activities in the three months from the period's start) and the open contact requests,
 * with a verdict ("need without an offer" first). Reads the answers' rollups and the
 * supply tables; writes nothing.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import overviewRoutes from './overview-routes.ts'
import proposalRoutes from './proposal-routes.ts'
import planningRoutes, { type PlanningRouteOptions } from './routes.ts'

/**
 * /admin/regions/:regionId/planning (and its criteria, panel and proposals), inside the
 * region scope; and /admin/planning/overview, over all of a person's regions, outside it.
 */
export default async function planningFeature(app: FastifyInstance, options: PlanningRouteOptions = {}) {
  await app.register(overviewRoutes, options)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(planningRoutes, options)
      await region.register(proposalRoutes, options)
    },
    { prefix: '/regions/:regionId' },
  )
}

// The monthly digest (src/digest) reads the region's published demand per theme, and its emerging flags, from here.
export { loadPlanning, parsePlanningPeriod, type PlanningModel } from './planning.ts'
