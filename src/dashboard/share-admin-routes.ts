import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { Database, Region } from '../db/types.ts'
import { allow, formBody, idSchema, NotFound, pageQuery, regionOf, renderStaffPage } from '../staff/index.ts'
import { createShareLink, listActiveShareLinks, revokeShareLink } from './share-links.ts'

export interface ShareAdminOptions {
  publicBaseUrl: string
}

/** The public address of a share link (outside /admin, no sign-in). */
function shareUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/r/${token}`
}

async function sharePage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, link?: string) {
  const links = await listActiveShareLinks(db, region.id)
  return renderStaffPage(request, reply, 'dashboard/share-admin', (t) => t('share.admin.title', { region: region.name }), { links, link })
}

/**
 * /admin/dashboard/:regionId/share, under the region scope: coordinators and admins make
 * and revoke read-only links to their region's dashboard. A new link is shown once;
 * afterwards only its hash exists, so a lost link is revoked and replaced, never looked up.
 */
export default async function shareAdminRoutes(app: FastifyInstance, options: ShareAdminOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()

  routes.get('/share', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'share-link', regionId: region.id })
    return sharePage(app.db, request, reply, region)
  })

  // The page that shows the new link is the answer to the POST (not a redirect to it), so
  // the link never sits in a URL or in the browser's history.
  routes.post('/share', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'share-link', regionId: region.id })
    const { id, token } = await createShareLink(app.db, region.id, user.id)
    await audit(app.db, { userId: user.id, action: 'share_link.create', resourceType: 'share_link', resourceId: id, regionId: region.id })
    return sharePage(app.db, request, reply, region, shareUrl(options.publicBaseUrl, token))
  })

  routes.post(
    '/share/:linkId/revoke',
    { schema: { params: z.object({ linkId: idSchema }), querystring: pageQuery, body: formBody } },
    async (request, reply) => {
      const region = regionOf(request)
      const user = allow(request, 'manage', { type: 'share-link', regionId: region.id })
      const linkId = request.params.linkId
      // Scoped in SQL: a link of another region is not found, like one that does not exist.
      if (!(await revokeShareLink(app.db, region.id, linkId))) throw new NotFound()
      await audit(app.db, { userId: user.id, action: 'share_link.revoke', resourceType: 'share_link', resourceId: linkId, regionId: region.id })
      return reply.redirect(`/admin/dashboard/${region.id}/share`, 303)
    },
  )
}
