import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { disclosureTerms, today } from '../answers/index.ts'
import { regionScope } from '../auth/permissions.ts'
import { listRegionsIn } from '../auth/users.ts'
import { allow, pageQuery, renderStaffMessage, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { loadOverview } from './overview.ts'
import { defaultPlanningPeriod, offeredPeriods, parsePlanningPeriod } from './planning.ts'
import type { PlanningRouteOptions } from './routes.ts'

const overviewQuery = pageQuery.extend({ period: z.string().max(16).optional() })

/**
 * `/admin/planning/overview`: demand over every region the person coordinates, for one
 * complete grid period (the planning page's periods, its default the last complete quarter).
 * Not under a region's prefix: it belongs to no one region. `can()` decides who may open it
 * (coordinators of more than one region, admins); everyone else gets the 403 page.
 */
export default async function overviewRoutes(app: FastifyInstance, options: PlanningRouteOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())

  routes.get('/planning/overview', { schema: { querystring: overviewQuery } }, async (request, reply) => {
    const user = allow(request, 'view', { type: 'regions-overview' })
    const day = today(now())
    let period = defaultPlanningPeriod(day)
    if (request.query.period !== undefined && request.query.period !== '') {
      const parsed = parsePlanningPeriod(request.query.period, day)
      if (typeof parsed === 'string') {
        return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: parsed === 'invalid' ? 'admin.planning.period.invalid' : 'admin.planning.period.not_complete' })
      }
      period = parsed
    }
    const regions = await listRegionsIn(app.db, regionScope(user))
    const model = await loadOverview(app.db, { regions, period, today: day, language: staffLanguage(request) })
    return renderStaffPage(request, reply, 'planning/overview', 'admin.overview.title', {
      model,
      disclosure: disclosureTerms,
      periods: offeredPeriods(day),
      pageStyle: 'planning',
    })
  })
}
