import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { createShareLink, revokeShareLink } from '../dashboard/index.ts'
import type { Region } from '../db/types.ts'
import { allow, formBody, idSchema, NotFound, pageQuery, regionOf, withDone } from '../staff/index.ts'
import { renderPartnerPage, type PartnerPageOptions } from './page.ts'

const partnerParams = z.object({ partnerId: idSchema })
/** `?period=` is read leniently: a period not offered shows the latest complete month (see choosePeriod). */
const partnerQuery = pageQuery.extend({ period: z.string().max(16).optional() })

export interface PartnerRoutesOptions extends PartnerPageOptions {
  publicBaseUrl: string
}

/** The partner of this region, or the 404 page (another region's partner is not there). */
async function partnerOf(app: FastifyInstance, region: Region, partnerId: number) {
  const partner = await app.db.selectFrom('partners').selectAll().where('region_id', '=', region.id).where('id', '=', partnerId).executeTakeFirst()
  if (partner === undefined) throw new NotFound()
  return partner
}

/**
 * Under /admin/regions/:regionId (region scope): a partner's own page, and its share links.
 * Who may open the page and make links is `can(user, …, { type: 'partner-page' })`: the
 * partner's own members and the region's coordinators. Changing the name stays with the
 * admin feature (POST /partners/:partnerId, coordinators).
 */
export default async function partnerRoutes(app: FastifyInstance, options: PartnerRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const shareUrl = (token: string) => `${options.publicBaseUrl.replace(/\/$/, '')}/r/p/${token}`

  routes.get('/partners/:partnerId', { schema: { params: partnerParams, querystring: partnerQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const partner = await partnerOf(app, region, request.params.partnerId)
    allow(request, 'view', { type: 'partner-page', regionId: region.id, partnerId: partner.id })
    return renderPartnerPage(db, options, request, reply, region, partner, { period: request.query.period })
  })

  // The new link is shown once, as the answer to the POST (never in a URL or the history).
  routes.post('/partners/:partnerId/share', { schema: { params: partnerParams, querystring: partnerQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const partner = await partnerOf(app, region, request.params.partnerId)
    const user = allow(request, 'manage', { type: 'partner-page', regionId: region.id, partnerId: partner.id })
    const { id, token } = await createShareLink(db, region.id, user.id, new Date(), partner.id)
    await audit(db, { userId: user.id, action: 'share_link.create', resourceType: 'share_link', resourceId: id, regionId: region.id, detail: { partnerId: partner.id } })
    return renderPartnerPage(db, options, request, reply, region, partner, { newLink: shareUrl(token) })
  })

  routes.post(
    '/partners/:partnerId/share/:linkId/revoke',
    { schema: { params: partnerParams.extend({ linkId: idSchema }), querystring: partnerQuery, body: formBody } },
    async (request, reply) => {
      const region = regionOf(request)
      const partner = await partnerOf(app, region, request.params.partnerId)
      const user = allow(request, 'manage', { type: 'partner-page', regionId: region.id, partnerId: partner.id })
      // Scoped in SQL to this partner: another partner's or the region's link is not found.
      if (!(await revokeShareLink(db, region.id, request.params.linkId, new Date(), partner.id))) throw new NotFound()
      await audit(db, { userId: user.id, action: 'share_link.revoke', resourceType: 'share_link', resourceId: request.params.linkId, regionId: region.id, detail: { partnerId: partner.id } })
      return reply.redirect(withDone(`/admin/regions/${region.id}/partners/${partner.id}`, 'partner.share_revoked'), 303)
    },
  )
}
