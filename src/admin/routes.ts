import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit, listAudit } from '../audit/log.ts'
import { isUniqueViolation } from '../db/errors.ts'
import { regionScope } from '../auth/permissions.ts'
import { allow, currentUser } from './access.ts'
import { createInvitation, invitationLink, listOpenInvitations } from '../auth/invitations.ts'
import { disableUser, findUserByEmail, listAdmins, listRegionsIn } from '../auth/users.ts'
import activityRoutes from './activity-routes.ts'
import posterRoutes from '../posters/routes.ts'
import dashboardRoutes from '../dashboard/routes.ts'
import shareAdminRoutes from '../dashboard/share-admin-routes.ts'
import updateAdminRoutes from '../updates/admin-routes.ts'
import textRoutes from '../themes/text-routes.ts'
import tokenAdminRoutes from '../api/token-admin-routes.ts'
import { posterScopeOf } from '../posters/admin-scope.ts'
import { createRegion } from './queries.ts'
import regionRoutes from './region-routes.ts'
import { fieldErrors, Forbidden, idParam, NotFound, renderAdmin } from './render.ts'
import { inviteBody, regionBody } from './schemas.ts'

export interface AdminOptions {
  publicBaseUrl: string
}

/**
 * /admin: management. Every route here needs a signed-in person; who may do what is
 * decided by `can()` in each handler, and every list is scoped in SQL.
 */
export default async function adminRoutes(app: FastifyInstance, options: AdminOptions) {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!request.user) {
      await reply.redirect('/login', 303)
      return reply
    }
  })

  app.get('/', async (request, reply) => {
    const user = currentUser(request)
    const regions = await listRegionsIn(app.db, regionScope(user))
    return renderAdmin(request, reply, 'admin/home', 'admin.home.title', { regions })
  })

  // ——— Regions (admins) ———

  async function regionsPage(request: FastifyRequest, reply: FastifyReply, values: object = {}, errors: object = {}, status = 200) {
    const regions = await listRegionsIn(app.db, 'all')
    return renderAdmin(request, reply, 'admin/regions', 'admin.regions.title', { regions, values, errors }, { status })
  }

  app.get('/regions', async (request, reply) => {
    allow(request, 'view', { type: 'regions' })
    return regionsPage(request, reply)
  })

  app.post('/regions', async (request, reply) => {
    const user = allow(request, 'manage', { type: 'regions' })
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = regionBody.safeParse(body)
    if (!parsed.success) return regionsPage(request, reply, body, fieldErrors(parsed.error), 422)
    try {
      const id = await createRegion(app.db, {
        slug: parsed.data.slug,
        name: parsed.data.name,
        defaultLanguage: parsed.data.default_language,
        contactLine: parsed.data.contact_line,
      })
      await audit(app.db, { userId: user.id, action: 'region.create', resourceType: 'region', resourceId: id, regionId: id, detail: { name: parsed.data.name } })
      return reply.redirect(`/admin/regions/${id}`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return regionsPage(request, reply, body, { slug: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  // ——— Administrators (admins) ———

  async function adminsPage(request: FastifyRequest, reply: FastifyReply, extra: object = {}, status = 200) {
    const admins = await listAdmins(app.db)
    const invitations = await listOpenInvitations(app.db, null)
    return renderAdmin(request, reply, 'admin/admins', 'admin.admins.title', { admins, invitations, values: {}, errors: {}, ...extra }, { status })
  }

  app.get('/users', async (request, reply) => {
    allow(request, 'view', { type: 'admins' })
    return adminsPage(request, reply)
  })

  app.post('/users', async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = inviteBody.safeParse({ ...body, role: 'admin' })
    if (!parsed.success) return adminsPage(request, reply, { values: body, errors: fieldErrors(parsed.error) }, 422)
    if (await findUserByEmail(app.db, parsed.data.email)) return adminsPage(request, reply, { values: body, errors: { email: 'admin.invite.email.taken' } }, 422)
    const { id, token } = await createInvitation(app.db, { email: parsed.data.email, role: 'admin', invitedBy: user.id })
    await audit(app.db, { userId: user.id, action: 'invitation.create', resourceType: 'invitation', resourceId: id, detail: { role: 'admin' } })
    return adminsPage(request, reply, { link: invitationLink(options.publicBaseUrl, token), invitedEmail: parsed.data.email })
  })

  app.post<{ Params: { userId: string } }>('/users/:userId/disable', async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const userId = idParam(request.params.userId)
    const target = await app.db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).where('role', '=', 'admin').executeTakeFirst()
    if (!target) throw new NotFound()
    // An administrator cannot lock themselves out (and with it, possibly everyone).
    if (target.id === user.id) throw new Forbidden()
    await disableUser(app.db, target.id)
    await audit(app.db, { userId: user.id, action: 'user.disable', resourceType: 'user', resourceId: target.id })
    return reply.redirect('/admin/users', 303)
  })

  // ——— Audit log (admins: all; coordinators: their region, under the region) ———

  app.get('/audit', async (request, reply) => {
    allow(request, 'view', { type: 'audit' })
    const entries = await listAudit(app.db, 'all')
    return renderAdmin(request, reply, 'admin/audit', 'admin.audit.title', { entries })
  })

  await app.register(regionRoutes, { prefix: '/regions/:regionId', publicBaseUrl: options.publicBaseUrl })
  await app.register(activityRoutes, { prefix: '/regions/:regionId' })
  await app.register(updateAdminRoutes, { prefix: '/regions/:regionId' })
  // Free texts and their themes: the unclassified ones, corrections, keyword hints.
  await app.register(textRoutes, { prefix: '/regions/:regionId' })
  // Read-only API tokens for the region's aggregates (/api/v1): coordinators and admins.
  await app.register(tokenAdminRoutes, { prefix: '/regions/:regionId', publicBaseUrl: options.publicBaseUrl })
  // The region dashboard: admins every region, coordinators theirs, a partner member their
  // own organisation's posters only; bridge figures have no dashboard.
  await app.register(dashboardRoutes, {
    access: (request) => {
      const user = request.user
      if (!user) return undefined
      if (user.role === 'admin') return { regionIds: 'all' }
      if (user.role === 'coordinator') return { regionIds: user.regionIds }
      if (user.role === 'partner' && user.partnerIds.length === 1) return { regionIds: user.partnerRegionIds, partnerId: user.partnerIds[0]! }
      return undefined
    },
  })
  // Read-only share links to a region's dashboard (coordinators and admins).
  await app.register(shareAdminRoutes, { publicBaseUrl: options.publicBaseUrl })
  // Printing: preview, PDF formats, bare QR downloads, batches and the scan funnel.
  await app.register(posterRoutes, {
    publicBaseUrl: options.publicBaseUrl,
    resolveScope: (request) => posterScopeOf(currentUser(request)),
    renderPage: (request, reply, template, data, title) =>
      renderAdmin(request, reply, template, () => title, { ...data, layoutName: '/layouts/admin' }),
  })
}
