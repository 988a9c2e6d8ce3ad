/**
 * A partner's own page (issue 19): its protected figures for complete grid periods, its
 * share links, and the public read-only page a share link opens. The one door app.ts and
 * the admin feature use.
 */
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { loadOrCreateSecret } from '../db/secrets.ts'
import type { Database } from '../db/types.ts'
import { regionScope } from '../staff/index.ts'
import partnerRoutes from './routes.ts'
import partnerSharePages from './share-routes.ts'

/**
 * The key of scan counts on partner pages: the app's own secret (`partner-cell-key`), loaded
 * once per app, so that nobody outside can compute the noise of a count.
 */
export function partnerSecret(db: Kysely<Database>): () => Promise<string> {
  let secret: Promise<string> | undefined
  return () => (secret ??= loadOrCreateSecret(db, 'partner-cell-key'))
}

export interface PartnersFeatureOptions {
  publicBaseUrl: string
  now?: () => Date
}

/** The staff side, mounted at /admin inside the signed-in area, under the region scope. */
export default async function partnersFeature(app: FastifyInstance, options: PartnersFeatureOptions) {
  const secret = partnerSecret(app.db)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(partnerRoutes, { publicBaseUrl: options.publicBaseUrl, secret, ...(options.now ? { now: options.now } : {}) })
    },
    { prefix: '/regions/:regionId' },
  )
}

/** `/r/p/:token`, outside the staff scope. */
export async function partnerSharePlugin(app: FastifyInstance, options: { now?: () => Date }) {
  await app.register(partnerSharePages, { secret: partnerSecret(app.db), ...(options.now ? { now: options.now } : {}) })
}

export { periodName, presentFigures, renderPartnerPage, type PartnerView } from './page.ts'
export { completePeriods, partnerFigures, type PartnerFigures } from './figures.ts'
