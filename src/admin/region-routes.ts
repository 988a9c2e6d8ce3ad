import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit, listAudit } from '../audit/log.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import { createInvitation, invitationLink, listOpenInvitations } from '../auth/invitations.ts'
import { disableUser, findRegionUser, findUserByEmail, listRegionUsers } from '../auth/users.ts'
import { isUniqueViolation } from '../db/errors.ts'
import type { Region, Role } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { themeLabel } from '../themes/queries.ts'
import { requestLanguage } from '../http/views.ts'
import { allow, currentUser, regionFromUrl } from './access.ts'
import {
  createLocation,
  createPartner,
  createTheme,
  findLocation,
  findPartner,
  findTheme,
  listLocations,
  listPartners,
  listThemes,
  regionCounts,
  updateLocation,
  updatePartner,
  updateRegion,
  updateTheme,
} from './queries.ts'
import { fieldErrors, idParam, NotFound, renderAdmin } from './render.ts'
import { inviteBody, locationBody, partnerBody, regionUpdateBody, slugify, themeBody } from './schemas.ts'

type Body = Record<string, unknown>
type Errors = Record<string, MessageKey>

const bodyOf = (request: FastifyRequest): Body => (request.body ?? {}) as Body

/** Region overview, partners, locations, themes, users and the region's audit log. */
export default async function regionRoutes(app: FastifyInstance, options: { publicBaseUrl: string }) {
  const db = app.db
  const menu = (region: Region) => ({ region: { id: region.id, name: region.name } })

  // ——— Overview and settings ———

  async function overview(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const user = currentUser(request)
    const counts = await regionCounts(db, region.id, partnerScope(user))
    const canManage = can(user, 'manage', { type: 'region', regionId: region.id })
    return renderAdmin(request, reply, 'admin/region', () => region.name, { counts, canManage, values: { ...region, ...values }, errors }, { ...menu(region), status })
  }

  app.get('', async (request, reply) => overview(request, reply, await regionFromUrl(db, request)))

  app.post('', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const parsed = regionUpdateBody.safeParse(bodyOf(request))
    if (!parsed.success) return overview(request, reply, region, bodyOf(request), fieldErrors(parsed.error), 422)
    await updateRegion(db, region.id, { name: parsed.data.name, defaultLanguage: parsed.data.default_language, contactLine: parsed.data.contact_line })
    // The thanks page shows the contact line: let the citizen form see it at once here.
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'region.update', resourceType: 'region', resourceId: region.id, regionId: region.id, detail: { fields: Object.keys(parsed.data) } })
    return reply.redirect(`/admin/regions/${region.id}`, 303)
  })

  // ——— Partners (coordinators) ———

  async function partnersPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const partners = await listPartners(db, region.id)
    return renderAdmin(request, reply, 'admin/partners', 'admin.partners.title', { partners, values, errors }, { ...menu(region), status })
  }

  app.get('/partners', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'partner', regionId: region.id })
    return partnersPage(request, reply, region)
  })

  app.post('/partners', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const user = allow(request, 'manage', { type: 'partner', regionId: region.id })
    const parsed = partnerBody.safeParse(bodyOf(request))
    if (!parsed.success) return partnersPage(request, reply, region, bodyOf(request), fieldErrors(parsed.error), 422)
    try {
      const id = await createPartner(db, region.id, parsed.data.name, parsed.data.kind)
      await audit(db, { userId: user.id, action: 'partner.create', resourceType: 'partner', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
      return reply.redirect(`/admin/regions/${region.id}/partners`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return partnersPage(request, reply, region, bodyOf(request), { name: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function partnerOf(request: FastifyRequest, region: Region) {
    const partner = await findPartner(db, region.id, idParam((request.params as Body).partnerId))
    if (!partner) throw new NotFound()
    return partner
  }

  app.get('/partners/:partnerId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const partner = await partnerOf(request, region)
    allow(request, 'view', { type: 'partner', regionId: region.id })
    return renderAdmin(request, reply, 'admin/partner', () => partner.name, { partner, values: partner, errors: {} }, menu(region))
  })

  app.post('/partners/:partnerId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const partner = await partnerOf(request, region)
    const user = allow(request, 'manage', { type: 'partner', regionId: region.id })
    const parsed = partnerBody.safeParse(bodyOf(request))
    const again = (errors: Errors) =>
      renderAdmin(request, reply, 'admin/partner', () => partner.name, { partner, values: bodyOf(request), errors }, { ...menu(region), status: 422 })
    if (!parsed.success) return again(fieldErrors(parsed.error))
    try {
      await updatePartner(db, region.id, partner.id, parsed.data.name, parsed.data.kind)
    } catch (error) {
      if (isUniqueViolation(error)) return again({ name: 'admin.error.duplicate' })
      throw error
    }
    await audit(db, { userId: user.id, action: 'partner.update', resourceType: 'partner', resourceId: partner.id, regionId: region.id, detail: { name: parsed.data.name } })
    return reply.redirect(`/admin/regions/${region.id}/partners`, 303)
  })

  // ——— Locations (coordinators) ———

  async function locationsPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const locations = await listLocations(db, region.id)
    const canManage = can(currentUser(request), 'manage', { type: 'location', regionId: region.id })
    return renderAdmin(request, reply, 'admin/locations', 'admin.locations.title', { locations, canManage, values, errors }, { ...menu(region), status })
  }

  app.get('/locations', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'location', regionId: region.id })
    return locationsPage(request, reply, region)
  })

  app.post('/locations', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    const parsed = locationBody.safeParse(bodyOf(request))
    if (!parsed.success) return locationsPage(request, reply, region, bodyOf(request), fieldErrors(parsed.error), 422)
    try {
      const id = await createLocation(db, region.id, parsed.data)
      await audit(db, { userId: user.id, action: 'location.create', resourceType: 'location', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
      return reply.redirect(`/admin/regions/${region.id}/locations`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return locationsPage(request, reply, region, bodyOf(request), { name: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function locationOf(request: FastifyRequest, region: Region) {
    const location = await findLocation(db, region.id, idParam((request.params as Body).locationId))
    if (!location) throw new NotFound()
    return location
  }

  app.get('/locations/:locationId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const location = await locationOf(request, region)
    allow(request, 'manage', { type: 'location', regionId: region.id })
    return renderAdmin(request, reply, 'admin/location', () => location.name, { location, values: location, errors: {} }, menu(region))
  })

  app.post('/locations/:locationId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const location = await locationOf(request, region)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    const parsed = locationBody.safeParse(bodyOf(request))
    const again = (errors: Errors) =>
      renderAdmin(request, reply, 'admin/location', () => location.name, { location, values: bodyOf(request), errors }, { ...menu(region), status: 422 })
    if (!parsed.success) return again(fieldErrors(parsed.error))
    try {
      await updateLocation(db, region.id, location.id, parsed.data)
    } catch (error) {
      if (isUniqueViolation(error)) return again({ name: 'admin.error.duplicate' })
      throw error
    }
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'location.update', resourceType: 'location', resourceId: location.id, regionId: region.id, detail: { name: parsed.data.name } })
    return reply.redirect(`/admin/regions/${region.id}/locations`, 303)
  })

  // ——— Learning themes (coordinators) ———

  function themeValues(theme: { labels: string; keywords: string; icon: string | null; position: number; hidden: number }) {
    const labels = JSON.parse(theme.labels) as Record<string, string>
    const keywords = JSON.parse(theme.keywords) as Record<string, string[]>
    return {
      label_nl: labels.nl ?? '',
      label_fr: labels.fr ?? '',
      label_en: labels.en ?? '',
      keywords_nl: (keywords.nl ?? []).join(', '),
      keywords_fr: (keywords.fr ?? []).join(', '),
      keywords_en: (keywords.en ?? []).join(', '),
      icon: theme.icon ?? '',
      position: String(theme.position),
      hidden: theme.hidden === 1 ? 'on' : '',
    }
  }

  function themeInput(data: ReturnType<typeof themeBody.parse>) {
    const labels: Record<string, string> = { nl: data.label_nl }
    if (data.label_fr) labels.fr = data.label_fr
    if (data.label_en) labels.en = data.label_en
    return {
      icon: data.icon,
      labels,
      keywords: { nl: data.keywords_nl, fr: data.keywords_fr, en: data.keywords_en },
      position: data.position,
      hidden: data.hidden,
    }
  }

  async function themesPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const rows = await listThemes(db, region.id)
    const lang = requestLanguage(request)
    const themes = rows.map((row) => ({ ...row, label: themeLabel(row, lang) }))
    return renderAdmin(request, reply, 'admin/themes', 'admin.themes.title', { themes, values, errors }, { ...menu(region), status })
  }

  app.get('/themes', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'theme', regionId: region.id })
    return themesPage(request, reply, region)
  })

  app.post('/themes', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const user = allow(request, 'manage', { type: 'theme', regionId: region.id })
    const parsed = themeBody.safeParse(bodyOf(request))
    if (!parsed.success) return themesPage(request, reply, region, bodyOf(request), fieldErrors(parsed.error), 422)
    try {
      const id = await createTheme(db, region.id, { slug: slugify(parsed.data.label_nl), ...themeInput(parsed.data) })
      app.posterDirectory.forget()
      await audit(db, { userId: user.id, action: 'theme.create', resourceType: 'theme', resourceId: id, regionId: region.id, detail: { label: parsed.data.label_nl } })
      return reply.redirect(`/admin/regions/${region.id}/themes`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return themesPage(request, reply, region, bodyOf(request), { label_nl: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function themeOf(request: FastifyRequest, region: Region) {
    const theme = await findTheme(db, region.id, idParam((request.params as Body).themeId))
    if (!theme) throw new NotFound()
    return theme
  }

  app.get('/themes/:themeId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const theme = await themeOf(request, region)
    allow(request, 'manage', { type: 'theme', regionId: region.id })
    return renderAdmin(request, reply, 'admin/theme', () => themeLabel(theme, 'nl'), { theme, values: themeValues(theme), errors: {} }, menu(region))
  })

  app.post('/themes/:themeId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const theme = await themeOf(request, region)
    const user = allow(request, 'manage', { type: 'theme', regionId: region.id })
    const parsed = themeBody.safeParse(bodyOf(request))
    if (!parsed.success) {
      return renderAdmin(request, reply, 'admin/theme', () => themeLabel(theme, 'nl'), { theme, values: bodyOf(request), errors: fieldErrors(parsed.error) }, { ...menu(region), status: 422 })
    }
    await updateTheme(db, region.id, theme.id, themeInput(parsed.data))
    // The citizen form keeps a region's themes in memory: this instance drops them now,
    // the others within their cache period.
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'theme.update', resourceType: 'theme', resourceId: theme.id, regionId: region.id, detail: { label: parsed.data.label_nl, hidden: parsed.data.hidden } })
    return reply.redirect(`/admin/regions/${region.id}/themes`, 303)
  })

  // ——— Users of the region (coordinators invite partner members and bridge figures; admins anyone) ———

  async function usersPage(request: FastifyRequest, reply: FastifyReply, region: Region, extra: Body = {}, status = 200) {
    const user = currentUser(request)
    const [users, invitations, partners] = await Promise.all([listRegionUsers(db, region.id), listOpenInvitations(db, region.id), listPartners(db, region.id)])
    const roles = (['coordinator', 'partner', 'bridge'] as Role[]).filter((role) => can(user, 'manage', { type: 'user', regionId: region.id, role }))
    const disableable = users.filter((row) => row.id !== user.id && can(user, 'manage', { type: 'user', regionId: region.id, role: row.role })).map((row) => row.id)
    return renderAdmin(request, reply, 'admin/users', 'admin.users.title', { users, invitations, partners, roles, disableable, values: {}, errors: {}, ...extra }, { ...menu(region), status })
  }

  app.get('/users', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'user', regionId: region.id })
    return usersPage(request, reply, region)
  })

  app.post('/users', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'user', regionId: region.id })
    const body = bodyOf(request)
    const parsed = inviteBody.safeParse(body)
    if (!parsed.success) return usersPage(request, reply, region, { values: body, errors: fieldErrors(parsed.error) }, 422)
    const { email, role } = parsed.data
    const user = allow(request, 'manage', { type: 'user', regionId: region.id, role })
    if (role === 'admin') return usersPage(request, reply, region, { values: body, errors: { role: 'admin.error.invalid' } }, 422)
    let partnerId: number | null = null
    if (role === 'partner') {
      const partner = parsed.data.partner_id === null ? undefined : await findPartner(db, region.id, parsed.data.partner_id)
      if (!partner) return usersPage(request, reply, region, { values: body, errors: { partner_id: 'admin.invite.partner.required' } }, 422)
      partnerId = partner.id
    }
    if (await findUserByEmail(db, email)) return usersPage(request, reply, region, { values: body, errors: { email: 'admin.invite.email.taken' } }, 422)
    const { id, token } = await createInvitation(db, { email, role, regionId: region.id, partnerId, invitedBy: user.id })
    await audit(db, { userId: user.id, action: 'invitation.create', resourceType: 'invitation', resourceId: id, regionId: region.id, detail: { role } })
    return usersPage(request, reply, region, { link: invitationLink(options.publicBaseUrl, token), invitedEmail: email })
  })

  app.post('/users/:userId/disable', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'user', regionId: region.id })
    const target = await findRegionUser(db, region.id, idParam((request.params as Body).userId))
    if (!target) throw new NotFound()
    const user = allow(request, 'manage', { type: 'user', regionId: region.id, role: target.role })
    if (target.id === user.id) return reply.redirect(`/admin/regions/${region.id}/users`, 303)
    await disableUser(db, target.id)
    await audit(db, { userId: user.id, action: 'user.disable', resourceType: 'user', resourceId: target.id, regionId: region.id, detail: { role: target.role } })
    return reply.redirect(`/admin/regions/${region.id}/users`, 303)
  })

  // ——— The region's audit log (coordinators) ———

  app.get('/audit', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'audit', regionId: region.id })
    const people = (await listRegionUsers(db, region.id)).map((person) => person.id)
    const entries = await listAudit(db, [region.id], 200, people)
    return renderAdmin(request, reply, 'admin/audit', 'admin.audit.title', { entries }, menu(region))
  })
}
