/**
 * The citizen form (the hot path): scan → step 1 → step 2 → thanks. `capture` is its one
 * plugin; it also puts the form's cache of posters and themes on the root instance.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { minFillMs } from './guard.ts'
import { PosterDirectory } from './poster-directory.ts'
import captureRoutes, { type CaptureOptions } from './routes.ts'
import assistedRoutes, { type AssistedRoutesOptions } from './assisted-routes.ts'
import { regionScope } from '../staff/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The citizen form's cache of posters and themes. On the root instance, not only in
     * the form's own scope, because the management pages must forget an entry the moment
     * they change a poster or a theme (`forget(code)`, or `forget()` for everything).
     */
    posterDirectory: PosterDirectory
  }
}

export interface CaptureFeatureOptions {
  publicBaseUrl: string
  /** Minimum fill times of the form (tests shorten them); see guard.ts. */
  minFillMs?: CaptureOptions['minFillMs']
}

/** The form's routes stay in their own scope; only the cache is shared (fastify-plugin). */
export default fp(
  async function capture(app: FastifyInstance, options: CaptureFeatureOptions) {
    app.decorate('posterDirectory', new PosterDirectory(app.db))
    await app.register(captureRoutes, { publicBaseUrl: options.publicBaseUrl, minFillMs: options.minFillMs ?? minFillMs })
  },
  { name: 'capture', dependencies: ['db', 'views'] },
)

export type { PosterDirectory } from './poster-directory.ts'

/**
 * Assisted capture at a walk-in point (issue 19): the staff page that records an answer on
 * someone's behalf with the citizen form's fields, mounted by app.ts in the staff scope
 * under `/admin/regions/:regionId` (the region scope gives request.region, or the 404 page).
 */
export async function assistedCaptureFeature(app: FastifyInstance, options: AssistedRoutesOptions) {
  await app.register(
    async function assistedPages(region) {
      await region.register(regionScope)
      await region.register(assistedRoutes, options)
    },
    { prefix: '/regions/:regionId' },
  )
}
