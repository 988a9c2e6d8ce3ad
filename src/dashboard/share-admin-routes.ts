import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit } from '../audit/log.ts'
import { allow, regionFromUrl } from '../admin/access.ts'
import { idParam, NotFound, renderAdmin } from '../admin/render.ts'
import type { Translate } from '../i18n/i18n.ts'
import { createShareLink, listActiveShareLinks, revokeShareLink } from './share-links.ts'

export interface ShareAdminOptions {
  publicBaseUrl: string
}

/** The public address of a share link (outside /admin, no sign-in). */
export function shareUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}/r/${token}`
}

/**
 * /admin/dashboard/:regionId/share: coordinators and admins make and revoke read-only
 * links to their region's dashboard. A new link is shown once; afterwards only its hash
 * exists, so a lost link is revoked and replaced, never looked up.
 */
export default async function shareAdminRoutes(app: FastifyInstance, options: ShareAdminOptions) {
  // renderAdmin types its title callback without values; the translator it passes takes them.
  async function page(request: FastifyRequest, reply: FastifyReply, regionId: number, region: { id: number; name: string }, link?: string) {
    const links = await listActiveShareLinks(app.db, regionId)
    return renderAdmin(request, reply, 'dashboard/share-admin', (t) => (t as Translate)('share.admin.title', { region: region.name }), { links, link }, { region })
  }

  app.get('/dashboard/:regionId/share', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    allow(request, 'manage', { type: 'region', regionId: region.id })
    return page(request, reply, region.id, region)
  })

  app.post('/dashboard/:regionId/share', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const { id, token } = await createShareLink(app.db, region.id, user.id)
    await audit(app.db, { userId: user.id, action: 'share_link.create', resourceType: 'share_link', resourceId: id, regionId: region.id })
    return page(request, reply, region.id, region, shareUrl(options.publicBaseUrl, token))
  })

  app.post<{ Params: { regionId: string; linkId: string } }>('/dashboard/:regionId/share/:linkId/revoke', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const linkId = idParam(request.params.linkId)
    if (!(await revokeShareLink(app.db, region.id, linkId))) throw new NotFound()
    await audit(app.db, { userId: user.id, action: 'share_link.revoke', resourceType: 'share_link', resourceId: linkId, regionId: region.id })
    return reply.redirect(`/admin/dashboard/${region.id}/share`, 303)
  })
}
