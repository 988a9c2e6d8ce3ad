/**
 * Posters: codes, QR and printable PDFs. The staff pages (preview, downloads, batches, the
 * scan funnel) are `postersFeature`, mounted at /admin; the scan counter is on the root,
 * where the citizen form counts scans. Other features use the few functions below.
 */
import type { FastifyInstance } from 'fastify'
import posterRoutes, { type PosterRoutesOptions } from './routes.ts'

export type PostersOptions = PosterRoutesOptions

/** The printing pages under /admin/posters: outside a region's address, scoped per poster by `can()`. */
export default async function postersFeature(app: FastifyInstance, options: PostersOptions) {
  await app.register(posterRoutes, options)
}

export { default as scanCounter } from './scans.ts'
export { createPoster, setPosterStatus } from './queries.ts'
export { normalizeCode } from './codes.ts'
export { qrSvg, qrUrl } from './qr.ts'
// The report PDF (dashboard/) prints in the poster font.
