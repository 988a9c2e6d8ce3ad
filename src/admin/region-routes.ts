import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit, listAudit } from '../audit/log.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import { createInvitation, invitationLink, listOpenInvitations } from '../auth/invitations.ts'
import { createPasswordReset, passwordResetLink } from '../auth/password-resets.ts'
import { disableUser, enableUser, findRegionUser, findUserByEmail, listRegionUsers } from '../auth/users.ts'
import { isUniqueViolation } from '../db/errors.ts'
import type { Region, Role } from '../db/types.ts'
import { themeLabel } from '../themes/index.ts'
import { partnerSecret, renderPartnerPage } from '../partners/index.ts'
import { requestLanguage } from '../http/views.ts'
import { allow, currentUser, type FieldErrors, fieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, withDone } from '../staff/index.ts'
import {
  createLocation,
  createPartner,
  createTheme,
  findLocation,
  findPartner,
  findTheme,
  listLocations,
  listUnmatchedLocations,
  listPartners,
  listThemes,
  regionCounts,
  setLocationMunicipality,
  updateLocation,
  updatePartner,
  updateRegion,
  updateTheme,
} from './queries.ts'
import { listLocationRequests, openLocationRequestCounts } from './location-requests.ts'
import { municipalityOptions } from './municipality-options.ts'
import { municipalityName } from '../municipalities/index.ts'
import { inviteBody, locationBody, municipalityBody, partnerBody, regionUpdateBody, slugify, themeAudiences, themeBody } from './schemas.ts'

type Body = FormFields
type Errors = FieldErrors

/** A theme row as the form's fields. */
function themeValues(theme: { labels: string; keywords: string; icon: string | null; position: number; hidden: number; audience: string }) {
  const labels = JSON.parse(theme.labels) as Record<string, string>
  const keywords = JSON.parse(theme.keywords) as Record<string, string[]>
  return {
    audience: theme.audience,
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

/** The form's fields as a theme's columns. */
function themeInput(data: ReturnType<typeof themeBody.parse>) {
  const labels: Record<string, string> = { nl: data.label_nl }
  if (data.label_fr) labels.fr = data.label_fr
  if (data.label_en) labels.en = data.label_en
  return {
    audience: data.audience,
    icon: data.icon,
    labels,
    keywords: { nl: data.keywords_nl, fr: data.keywords_fr, en: data.keywords_en },
    position: data.position,
    hidden: data.hidden,
  }
}

/** Region overview, partners, locations, themes, users and the region's audit log. */
export default async function regionRoutes(app: FastifyInstance, options: { publicBaseUrl: string }) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  // ——— Overview and settings ———

  async function overview(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const user = currentUser(request)
    const counts: Record<string, number> = await regionCounts(db, region.id, partnerScope(user))
    // The tile of the location requests counts the open ones (the coordinator's work).
    if (can(user, 'manage', { type: 'location', regionId: region.id })) counts['location-requests'] = (await openLocationRequestCounts(db, [region.id])).get(region.id) ?? 0
    const canManage = can(user, 'manage', { type: 'region', regionId: region.id })
    const canPrint = can(user, 'view', { type: 'poster', regionId: region.id })
    return renderStaffPage(request, reply, 'admin/region', () => region.name, { counts, canManage, canPrint, values: { ...region, ...values }, errors }, { status })
  }

  routes.get('', { schema: { querystring: pageQuery } }, async (request, reply) => overview(request, reply, regionOf(request)))

  routes.post('', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const parsed = regionUpdateBody.safeParse(request.body)
    if (!parsed.success) return overview(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    await updateRegion(db, region.id, { name: parsed.data.name, defaultLanguage: parsed.data.default_language, contactLine: parsed.data.contact_line })
    // The thanks page shows the contact line: let the citizen form see it at once here.
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'region.update', resourceType: 'region', resourceId: region.id, regionId: region.id, detail: { fields: Object.keys(parsed.data) } })
    return reply.redirect(`/admin/regions/${region.id}`, 303)
  })

  // ——— Partners (coordinators) ———

  async function partnersPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const partners = await listPartners(db, region.id)
    return renderStaffPage(request, reply, 'admin/partners', 'admin.partners.title', { partners, values, errors }, { status })
  }

  routes.get('/partners', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'partner', regionId: region.id })
    return partnersPage(request, reply, region)
  })

  routes.post('/partners', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'partner', regionId: region.id })
    const parsed = partnerBody.safeParse(request.body)
    if (!parsed.success) return partnersPage(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    try {
      const id = await createPartner(db, region.id, parsed.data.name, parsed.data.kind)
      await audit(db, { userId: user.id, action: 'partner.create', resourceType: 'partner', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
      return reply.redirect(withDone(`/admin/regions/${region.id}/partners`, 'partner.created'), 303)
    } catch (error) {
      if (isUniqueViolation(error)) return partnersPage(request, reply, region, request.body, { name: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function partnerOf(region: Region, partnerId: number) {
    const partner = await findPartner(db, region.id, partnerId)
    if (!partner) throw new NotFound()
    return partner
  }

  // GET /partners/:partnerId is the partner's own page (src/partners): its figures, its share
  // links, and this name form for coordinators, which the POST below renders again on a refusal.
  const partnerPage = { secret: partnerSecret(db) }

  routes.post('/partners/:partnerId', { schema: { params: z.object({ partnerId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const partner = await partnerOf(region, request.params.partnerId)
    const user = allow(request, 'manage', { type: 'partner', regionId: region.id })
    const parsed = partnerBody.safeParse(request.body)
    const again = (errors: Errors) => renderPartnerPage(db, partnerPage, request, reply, region, partner, { values: request.body, errors, status: 422 })
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

  async function locationsPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200, choice: { locationId: number; value: string; error: string } | null = null) {
    const user = currentUser(request)
    const locations = await listLocations(db, region.id)
    const canManage = can(user, 'manage', { type: 'location', regionId: region.id })
    // Coordinators see the open requests above the list; partner members a way to ask.
    const openRequests = canManage ? (await listLocationRequests(db, region.id, 'all', 0)).open : []
    const canAsk = can(user, 'manage', { type: 'location-request', regionId: region.id }) && !canManage
    // The locations whose typed municipality matched no code (migration 050, or typed since), with a picker each.
    const canChoose = can(user, 'manage', { type: 'municipality', regionId: region.id })
    const unmatched = canChoose ? await listUnmatchedLocations(db, region.id) : []
    return renderStaffPage(
      request,
      reply,
      'admin/locations',
      'admin.locations.title',
      { locations, canManage, openRequests, canAsk, values, errors, canChoose, unmatched, municipalities: municipalityOptions, choice, municipalityName },
      { status },
    )
  }

  routes.get('/locations', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'location', regionId: region.id })
    return locationsPage(request, reply, region)
  })

  routes.post('/locations', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    const parsed = locationBody.safeParse(request.body)
    if (!parsed.success) return locationsPage(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    try {
      const id = await createLocation(db, region.id, parsed.data)
      await audit(db, { userId: user.id, action: 'location.create', resourceType: 'location', resourceId: id, regionId: region.id, detail: { name: parsed.data.name } })
      return reply.redirect(withDone(`/admin/regions/${region.id}/locations`, 'location.created'), 303)
    } catch (error) {
      if (isUniqueViolation(error)) return locationsPage(request, reply, region, request.body, { name: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function locationOf(region: Region, locationId: number) {
    const location = await findLocation(db, region.id, locationId)
    if (!location) throw new NotFound()
    return location
  }

  routes.get('/locations/:locationId', { schema: { params: z.object({ locationId: idSchema }), querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const location = await locationOf(region, request.params.locationId)
    allow(request, 'manage', { type: 'location', regionId: region.id })
    return renderStaffPage(request, reply, 'admin/location', () => location.name, { location, values: location, errors: {}, municipalities: municipalityOptions })
  })

  // The picker beside an unmatched location: a code from the list, or the page again with the message beside that location's picker.
  routes.post('/locations/:locationId/municipality', { schema: { params: z.object({ locationId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const location = await locationOf(region, request.params.locationId)
    const user = allow(request, 'manage', { type: 'municipality', regionId: region.id })
    const parsed = municipalityBody.safeParse(request.body)
    if (!parsed.success) {
      const value = typeof request.body.municipality_nis === 'string' ? request.body.municipality_nis : ''
      return locationsPage(request, reply, region, {}, {}, 400, { locationId: location.id, value, error: parsed.error.issues[0]!.message })
    }
    await setLocationMunicipality(db, region.id, location.id, parsed.data.municipality_nis)
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'location.municipality', resourceType: 'location', resourceId: location.id, regionId: region.id, detail: { from: location.municipality, nis: parsed.data.municipality_nis } })
    return reply.redirect(withDone(`/admin/regions/${region.id}/locations`, 'location.municipality_set') + '#unmatched', 303)
  })

  routes.post('/locations/:locationId', { schema: { params: z.object({ locationId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const location = await locationOf(region, request.params.locationId)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    const parsed = locationBody.safeParse(request.body)
    const again = (errors: Errors) =>
      renderStaffPage(request, reply, 'admin/location', () => location.name, { location, values: request.body, errors, municipalities: municipalityOptions }, { status: 422 })
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

  async function themesPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const rows = await listThemes(db, region.id)
    const lang = requestLanguage(request)
    const themes = rows.map((row) => ({ ...row, label: themeLabel(row, lang) }))
    // Two lists on one page: the general themes, and the children's (only on children's posters).
    const lists = themeAudiences.map((audience) => ({ audience, themes: themes.filter((theme) => theme.audience === audience) }))
    return renderStaffPage(request, reply, 'admin/themes', 'admin.themes.title', { lists, themeAudiences, values, errors }, { status })
  }

  routes.get('/themes', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'theme', regionId: region.id })
    return themesPage(request, reply, region)
  })

  routes.post('/themes', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'theme', regionId: region.id })
    const parsed = themeBody.safeParse(request.body)
    if (!parsed.success) return themesPage(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    try {
      // A children's theme may share its Dutch label with a general one ("Koken"): its slug says whose it is.
      const slug = `${parsed.data.audience === 'children' ? 'kinderen-' : ''}${slugify(parsed.data.label_nl)}`
      const id = await createTheme(db, region.id, { slug, ...themeInput(parsed.data) })
      app.posterDirectory.forget()
      await audit(db, { userId: user.id, action: 'theme.create', resourceType: 'theme', resourceId: id, regionId: region.id, detail: { label: parsed.data.label_nl, audience: parsed.data.audience ?? 'general' } })
      return reply.redirect(`/admin/regions/${region.id}/themes`, 303)
    } catch (error) {
      if (isUniqueViolation(error)) return themesPage(request, reply, region, request.body, { label_nl: 'admin.error.duplicate' }, 422)
      throw error
    }
  })

  async function themeOf(region: Region, themeId: number) {
    const theme = await findTheme(db, region.id, themeId)
    if (!theme) throw new NotFound()
    return theme
  }

  routes.get('/themes/:themeId', { schema: { params: z.object({ themeId: idSchema }), querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const theme = await themeOf(region, request.params.themeId)
    allow(request, 'manage', { type: 'theme', regionId: region.id })
    return renderStaffPage(request, reply, 'admin/theme', () => themeLabel(theme, 'nl'), { theme, themeAudiences, values: themeValues(theme), errors: {} })
  })

  routes.post('/themes/:themeId', { schema: { params: z.object({ themeId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const theme = await themeOf(region, request.params.themeId)
    const user = allow(request, 'manage', { type: 'theme', regionId: region.id })
    const parsed = themeBody.safeParse(request.body)
    if (!parsed.success) {
      return renderStaffPage(request, reply, 'admin/theme', () => themeLabel(theme, 'nl'), { theme, themeAudiences, values: request.body, errors: fieldErrors(parsed.error) }, { status: 422 })
    }
    await updateTheme(db, region.id, theme.id, themeInput(parsed.data))
    // The citizen form keeps a region's themes in memory: this instance drops them now,
    // the others within their cache period.
    app.posterDirectory.forget()
    await audit(db, { userId: user.id, action: 'theme.update', resourceType: 'theme', resourceId: theme.id, regionId: region.id, detail: { label: parsed.data.label_nl, hidden: parsed.data.hidden } })
    return reply.redirect(`/admin/regions/${region.id}/themes`, 303)
  })

  // ——— Users of the region (coordinators invite partner members and bridge figures; admins anyone) ———

  async function usersPage(request: FastifyRequest, reply: FastifyReply, region: Region, extra: object = {}, status = 200) {
    const user = currentUser(request)
    const [users, invitations, partners] = await Promise.all([listRegionUsers(db, region.id), listOpenInvitations(db, region.id), listPartners(db, region.id)])
    const roles = (['coordinator', 'partner', 'bridge'] as Role[]).filter((role) => can(user, 'manage', { type: 'user', regionId: region.id, role }))
    // Whom this person may disable, re-enable and give a reset link: never themselves.
    const manageable = users.filter((row) => row.id !== user.id && can(user, 'manage', { type: 'user', regionId: region.id, role: row.role })).map((row) => row.id)
    return renderStaffPage(request, reply, 'admin/users', 'admin.users.title', { users, invitations, partners, roles, manageable, values: {}, errors: {}, ...extra }, { status })
  }

  const userParams = z.object({ userId: idSchema })
  const usersPath = (region: Region) => `/admin/regions/${region.id}/users`

  /** A person of this region whom the signed-in person may manage (by role), or the 404/403 page. */
  async function managedUser(request: FastifyRequest, region: Region, userId: number) {
    allow(request, 'view', { type: 'user', regionId: region.id })
    const target = await findRegionUser(db, region.id, userId)
    if (!target) throw new NotFound()
    const user = allow(request, 'manage', { type: 'user', regionId: region.id, role: target.role })
    return { user, target }
  }

  routes.get('/users', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'user', regionId: region.id })
    return usersPage(request, reply, region)
  })

  routes.post('/users', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'user', regionId: region.id })
    const body = request.body
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

  // Disabling asks first, on a page of its own (it works without JavaScript); re-enabling does not.
  routes.get('/users/:userId/disable', { schema: { params: userParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const { user, target } = await managedUser(request, region, request.params.userId)
    return renderStaffPage(request, reply, 'admin/user-disable', 'admin.user.disable.title', {
      person: target,
      action: `${usersPath(region)}/${target.id}/disable`,
      back: usersPath(region),
      refusal: target.id === user.id ? 'admin.user.disable.self' : undefined,
    })
  })

  routes.post('/users/:userId/disable', { schema: { params: userParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const { user, target } = await managedUser(request, region, request.params.userId)
    if (target.id === user.id) {
      return renderStaffPage(request, reply, 'admin/user-disable', 'admin.user.disable.title', { person: target, back: usersPath(region), refusal: 'admin.user.disable.self' }, { status: 409 })
    }
    // Coordinators manage partner members and bridge figures only, never an administrator: no last-admin case here.
    await disableUser(db, target.id)
    await audit(db, { userId: user.id, action: 'user.disable', resourceType: 'user', resourceId: target.id, regionId: region.id, detail: { role: target.role } })
    return reply.redirect(withDone(usersPath(region), 'user.disabled'), 303)
  })

  routes.post('/users/:userId/enable', { schema: { params: userParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const { user, target } = await managedUser(request, region, request.params.userId)
    if (target.disabled_at !== null) {
      await enableUser(db, target.id)
      await audit(db, { userId: user.id, action: 'user.enable', resourceType: 'user', resourceId: target.id, regionId: region.id, detail: { role: target.role } })
    }
    return reply.redirect(withDone(usersPath(region), 'user.enabled'), 303)
  })

  routes.post('/users/:userId/password-reset', { schema: { params: userParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const { user, target } = await managedUser(request, region, request.params.userId)
    if (target.id === user.id || target.disabled_at !== null) return usersPage(request, reply, region, { resetRefusal: target.id === user.id ? 'admin.reset.refused.self' : 'admin.reset.refused.disabled' }, 409)
    const { id, token } = await createPasswordReset(db, { userId: target.id, createdBy: user.id })
    await audit(db, { userId: user.id, action: 'password_reset.create', resourceType: 'user', resourceId: target.id, regionId: region.id, detail: { reset: id, role: target.role } })
    return usersPage(request, reply, region, { resetLink: passwordResetLink(options.publicBaseUrl, token), resetFor: target.name })
  })

  // ——— The region's audit log (coordinators) ———

  routes.get('/audit', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'audit', regionId: region.id })
    const people = (await listRegionUsers(db, region.id)).map((person) => person.id)
    const entries = await listAudit(db, [region.id], 200, people)
    return renderStaffPage(request, reply, 'admin/audit', 'admin.audit.title', { entries })
  })
}
