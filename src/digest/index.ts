/**
 * The monthly digest of a region or a partner (issue 19): a short page for the last
 * complete calendar month, every figure a published (cell-key) count of the month grid
 * period, read through the planning model and the partner page's figures. The one door
 * app.ts uses.
 */
import type { FastifyInstance } from 'fastify'
import { partnerSecret } from '../partners/index.ts'
import { regionScope } from '../staff/index.ts'
import digestFeedRoutes from './feed-routes.ts'
import digestRoutes from './routes.ts'

export interface DigestFeatureOptions {
  publicBaseUrl: string
  now?: () => Date
}

/** The staff pages, mounted at /admin inside the signed-in area, under the region scope. */
export default async function digestFeature(app: FastifyInstance, options: DigestFeatureOptions) {
  const secret = partnerSecret(app.db)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(digestRoutes, { publicBaseUrl: options.publicBaseUrl, partnerSecret: secret, ...(options.now ? { now: options.now } : {}) })
    },
    { prefix: '/regions/:regionId' },
  )
}

export { digestMonths, type Digest, lastCompleteMonth, loadDigest, parseDigestMonth } from './digest.ts'

/** `/digest/feed/:token`, outside the staff scope: a feed reader has no session. */
export async function digestFeedPlugin(app: FastifyInstance, options: DigestFeatureOptions) {
  await app.register(digestFeedRoutes, { publicBaseUrl: options.publicBaseUrl, partnerSecret: partnerSecret(app.db), ...(options.now ? { now: options.now } : {}) })
}
