/**
 * The dashboard: reads of the answers (aggregates, disclosure control, charts, exports,
 * share links). Other features import this file only.
 *
 * - `dashboardFeature`: the staff pages, mounted at /admin inside the staff scope: the
 *   region dashboard with its CSV, print view and report PDF, and the share-link admin.
 * - `sharePages`: the public, read-only share pages /r/:token (outside the staff scope).
 * - for the API (src/api/): the same model, filters and region directory the page uses.
 */
import type { FastifyInstance } from 'fastify'
import { regionScope } from '../staff/index.ts'
import dashboardRoutes from './routes.ts'
import shareAdminRoutes from './share-admin-routes.ts'

export interface DashboardFeatureOptions {
  publicBaseUrl: string
  /** The clock (tests pin it to their data set's last day). */
  now?: () => Date
}

/** /admin/dashboard/:regionId and its files and share links, all under the region scope. */
export async function dashboardFeature(app: FastifyInstance, options: DashboardFeatureOptions) {
  await app.register(
    async function regionDashboard(region) {
      await region.register(regionScope)
      await region.register(dashboardRoutes, options.now ? { now: options.now } : {})
      await region.register(shareAdminRoutes, { publicBaseUrl: options.publicBaseUrl })
    },
    { prefix: '/dashboard/:regionId' },
  )
}

export { default as sharePages, type ShareOptions } from './share-routes.ts'
export { ageBandKeys, audiences, type BreakdownKey, type DashboardModel, loadDashboard } from './dashboard.ts'
export { askedFilters, assistedChoices, maxFilters, type ParsedFilters, parseFilters, parsePeriod } from './filters.ts'
export { type DashboardFilters, regionDirectory, type RegionDirectory } from './queries.ts'
export type { Cell } from './cells.ts'
// Share links, also for one partner's page (src/partners).
export { createShareLink, listActiveShareLinks, partnerForShareToken, revokeShareLink, type ShareLinkRow } from './share-links.ts'
