import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit, listAudit } from '../audit/log.ts'
import { can, regionScope as regionsOf } from '../auth/permissions.ts'
import { createInvitation, invitationLink, listOpenInvitations } from '../auth/invitations.ts'
import { createPasswordReset, passwordResetLink } from '../auth/password-resets.ts'
import { disableUser, enableUser, findUserByEmail, listAdmins, listRegionsIn } from '../auth/users.ts'
import { isUniqueViolation } from '../db/errors.ts'
import type { Database } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, currentUser, type FieldErrors, fieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, renderStaffPage, staffLanguage, withDone } from '../staff/index.ts'
import { bridgeWorklist, languageNames } from '../followup/index.ts'
import { openLocationRequestCounts, recentLocationRequestsOf } from './location-requests.ts'
import { createRegion } from './queries.ts'
import { inviteBody, regionBody } from './schemas.ts'

async function regionsPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, values: FormFields = {}, errors: FieldErrors = {}, status = 200) {
  const regions = await listRegionsIn(db, 'all')
  return renderStaffPage(request, reply, 'admin/regions', 'admin.regions.title', { regions, values, errors }, { status })
}

async function adminsPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, extra: object = {}, status = 200) {
  const admins = await listAdmins(db)
  const invitations = await listOpenInvitations(db, null)
  return renderStaffPage(request, reply, 'admin/admins', 'admin.admins.title', { admins, invitations, values: {}, errors: {}, ...extra }, { status })
}

/**
 * /admin itself: the start page, and what admins do across regions (regions, admin
 * accounts, the whole audit log). Who may do what is asked of `can()` in each handler.
 */
export default async function adminRoutes(app: FastifyInstance, options: { publicBaseUrl: string; now?: () => Date }) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const page = { querystring: pageQuery }
  const form = { querystring: pageQuery, body: formBody }

  routes.get('/', { schema: page }, async (request, reply) => {
    const user = currentUser(request)
    const regions = await listRegionsIn(db, regionsOf(user))
    // A bridge figure starts from their work: the requests they claimed and the ones waiting, in the regions whose queue they may open.
    const followupRegions = user.role === 'bridge' ? regions.map((region) => region.id).filter((regionId) => can(user, 'view', { type: 'followup', regionId })) : []
    const worklist = followupRegions.length > 0 ? await bridgeWorklist(db, { id: user.id, regionIds: followupRegions }, staffLanguage(request), options.now?.() ?? new Date()) : undefined
    // Location requests: the coordinator's open ones per region, a partner member's own with their answers.
    const answering = regions.filter((region) => user.role === 'coordinator' && can(user, 'manage', { type: 'location', regionId: region.id }))
    const openCounts = await openLocationRequestCounts(db, answering.map((region) => region.id))
    const openLocationRequests = answering.flatMap((region) => (openCounts.get(region.id) ? [{ region, count: openCounts.get(region.id)! }] : []))
    const myLocationRequests = user.role === 'partner' ? await recentLocationRequestsOf(db, user.partnerIds) : []
    return renderStaffPage(request, reply, 'admin/home', 'admin.home.title', { regions, worklist, openLocationRequests, myLocationRequests, languageNames: languageNames(), pageStyle: worklist && 'worklist' })
  })

  // ——— Regions (admins) ———

  routes.get('/regions', { schema: page }, async (request, reply) => {
    allow(request, 'view', { type: 'regions' })
    return regionsPage(db, request, reply)
  })

  routes.post('/regions', { schema: form }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'regions' })
    const parsed = regionBody.safeParse(request.body)
    if (!parsed.success) return regionsPage(db, request, reply, request.body, fieldErrors(parsed.error), 422)
    try {
      const id = await createRegion(db, {
        slug: parsed.data.slug,
        name: parsed.data.name,
        defaultLanguage: parsed.data.default_language,
        contactLine: parsed.data.contact_line,
      })
      await audit(db, { userId: user.id, action: 'region.create', resourceType: 'region', resourceId: id, regionId: id, detail: { name: parsed.data.name } })
      return reply.redirect(`/admin/regions/${id}`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return regionsPage(db, request, reply, request.body, { slug: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  // ——— Administrators (admins) ———

  routes.get('/users', { schema: page }, async (request, reply) => {
    allow(request, 'view', { type: 'admins' })
    return adminsPage(db, request, reply)
  })

  routes.post('/users', { schema: form }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const parsed = inviteBody.safeParse({ ...request.body, role: 'admin' })
    if (!parsed.success) return adminsPage(db, request, reply, { values: request.body, errors: fieldErrors(parsed.error) }, 422)
    if (await findUserByEmail(db, parsed.data.email)) return adminsPage(db, request, reply, { values: request.body, errors: { email: 'admin.invite.email.taken' } }, 422)
    const { id, token } = await createInvitation(db, { email: parsed.data.email, role: 'admin', invitedBy: user.id })
    await audit(db, { userId: user.id, action: 'invitation.create', resourceType: 'invitation', resourceId: id, detail: { role: 'admin' } })
    return adminsPage(db, request, reply, { link: invitationLink(options.publicBaseUrl, token), invitedEmail: parsed.data.email })
  })

  const userParams = z.object({ userId: idSchema })

  /** An administrator account by id (admins manage only administrators here), or the 404 page. */
  async function adminAccount(userId: number) {
    const target = await db.selectFrom('users').select(['id', 'name', 'email', 'role', 'disabled_at']).where('id', '=', userId).where('role', '=', 'admin').executeTakeFirst()
    if (!target) throw new NotFound()
    return target
  }

  // Disabling asks first, on a page of its own (it works without JavaScript); re-enabling does not.
  routes.get('/users/:userId/disable', { schema: { ...page, params: userParams } }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const target = await adminAccount(request.params.userId)
    const refusal = target.id === user.id ? 'admin.user.disable.self' : undefined
    return renderStaffPage(request, reply, 'admin/user-disable', 'admin.user.disable.title', { person: target, action: `/admin/users/${target.id}/disable`, back: '/admin/users', refusal })
  })

  routes.post('/users/:userId/disable', { schema: { ...form, params: userParams } }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const target = await adminAccount(request.params.userId)
    const refuse = (refusal: MessageKey) => renderStaffPage(request, reply, 'admin/user-disable', 'admin.user.disable.title', { person: target, back: '/admin/users', refusal }, { status: 409 })
    // An administrator cannot lock themselves out (and with it, possibly everyone).
    if (target.id === user.id) return refuse('admin.user.disable.self')
    if ((await disableUser(db, target.id)) === 'last_admin') return refuse('admin.user.disable.last_admin')
    await audit(db, { userId: user.id, action: 'user.disable', resourceType: 'user', resourceId: target.id })
    return reply.redirect(withDone('/admin/users', 'user.disabled'), 303)
  })

  routes.post('/users/:userId/enable', { schema: { ...form, params: userParams } }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const target = await adminAccount(request.params.userId)
    if (target.disabled_at !== null) {
      await enableUser(db, target.id)
      await audit(db, { userId: user.id, action: 'user.enable', resourceType: 'user', resourceId: target.id })
    }
    return reply.redirect(withDone('/admin/users', 'user.enabled'), 303)
  })

  routes.post('/users/:userId/password-reset', { schema: { ...form, params: userParams } }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'admins' })
    const target = await adminAccount(request.params.userId)
    if (target.id === user.id || target.disabled_at !== null) return adminsPage(db, request, reply, { resetRefusal: target.id === user.id ? 'admin.reset.refused.self' : 'admin.reset.refused.disabled' }, 409)
    const { id, token } = await createPasswordReset(db, { userId: target.id, createdBy: user.id })
    await audit(db, { userId: user.id, action: 'password_reset.create', resourceType: 'user', resourceId: target.id, detail: { reset: id, role: 'admin' } })
    return adminsPage(db, request, reply, { resetLink: passwordResetLink(options.publicBaseUrl, token), resetFor: target.name })
  })

  // ——— The whole audit log (admins; coordinators see their region's, under the region) ———

  routes.get('/audit', { schema: page }, async (request, reply) => {
    allow(request, 'view', { type: 'audit' })
    const entries = await listAudit(db, 'all')
    return renderStaffPage(request, reply, 'admin/audit', 'admin.audit.title', { entries })
  })
}
