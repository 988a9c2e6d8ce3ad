import { matchMunicipality } from '../municipalities/index.ts'
import { municipalityOptions } from './municipality-options.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import { isUniqueViolation } from '../db/errors.ts'
import type { Region } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, currentUser, type FieldErrors, fieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, withDone } from '../staff/index.ts'
import { acceptLocationRequest, createLocationRequest, declineLocationRequest, findLocationRequest, listLocationRequests, type LocationRequestRow } from './location-requests.ts'
import { listPartners } from './queries.ts'
import { locationBody, locationDeclineBody, locationRequestBody } from './schemas.ts'

const requestParams = z.object({ requestId: idSchema })

interface DetailState {
  /** The accept form's fields (prefilled from the request) and errors. */
  values?: FormFields
  errors?: FieldErrors
  /** The decline form's. */
  declineValues?: FormFields
  declineErrors?: FieldErrors
  message?: MessageKey
  status?: number
}

/**
 * "Ask for a location": partner members ask the coordinator for a location that the picker
 * lacks; the region's coordinators see the open requests and answer each once, by making the
 * location from it or by declining it with a reason. Asking is `manage` on
 * `{ type: 'location-request', partnerId }`; answering is managing the region's locations.
 */
export default async function locationRequestRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const listPath = (region: Region) => `/admin/regions/${region.id}/location-requests`

  /** The partners this person may ask for here: their own organisations in this region (admins: every partner). */
  async function askingPartners(request: FastifyRequest, region: Region) {
    const user = currentUser(request)
    const partners = await listPartners(db, region.id, partnerScope(user))
    return partners.filter((partner) => can(user, 'manage', { type: 'location-request', regionId: region.id, partnerId: partner.id }))
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: FormFields = {}, errors: FieldErrors = {}, status = 200) {
    const user = currentUser(request)
    const [requests, partners] = await Promise.all([listLocationRequests(db, region.id, partnerScope(user)), askingPartners(request, region)])
    return renderStaffPage(
      request,
      reply,
      'admin/location-requests',
      'admin.location_requests.title',
      {
        requests,
        partners,
        canAsk: can(user, 'manage', { type: 'location-request', regionId: region.id }) && partners.length > 0,
        canAnswer: can(user, 'manage', { type: 'location', regionId: region.id }),
        values,
        errors,
      },
      { status },
    )
  }

  routes.get('/location-requests', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'location-request', regionId: region.id })
    return listPage(request, reply, region)
  })

  routes.post('/location-requests', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'location-request', regionId: region.id })
    const parsed = locationRequestBody.safeParse(request.body)
    if (!parsed.success) return listPage(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    // A partner member asks for their own organisation (never what the form says otherwise);
    // with several, the one chosen must be among them.
    const partners = await askingPartners(request, region)
    const chosen = parsed.data.partner_id === undefined && partners.length === 1 ? partners[0] : partners.find((partner) => partner.id === parsed.data.partner_id)
    if (!chosen) return listPage(request, reply, region, request.body, { partner_id: 'admin.activity.partner.required' }, 422)
    const user = allow(request, 'manage', { type: 'location-request', regionId: region.id, partnerId: chosen.id })
    const id = await createLocationRequest(db, {
      regionId: region.id,
      partnerId: chosen.id,
      requestedBy: user.id,
      name: parsed.data.name,
      address: parsed.data.address,
      municipality: parsed.data.municipality,
      note: parsed.data.note,
    })
    await audit(db, { userId: user.id, action: 'location_request.create', resourceType: 'location_request', resourceId: id, regionId: region.id, detail: { name: parsed.data.name, partner: chosen.id } })
    return reply.redirect(withDone(listPath(region), 'location_request.sent'), 303)
  })

  /** A request of this region (and, for a partner member, of their organisation), or the 404 page. */
  async function requestOf(request: FastifyRequest, region: Region, requestId: number): Promise<LocationRequestRow> {
    allow(request, 'view', { type: 'location-request', regionId: region.id })
    const found = await findLocationRequest(db, region.id, partnerScope(currentUser(request)), requestId)
    if (!found) throw new NotFound()
    allow(request, 'view', { type: 'location-request', regionId: region.id, partnerId: found.partner_id })
    return found
  }

  async function detailPage(request: FastifyRequest, reply: FastifyReply, region: Region, item: LocationRequestRow, state: DetailState = {}) {
    const canAnswer = can(currentUser(request), 'manage', { type: 'location', regionId: region.id })
    return renderStaffPage(
      request,
      reply,
      'admin/location-request',
      (t) => t('admin.location_request.title', { name: item.name }),
      {
        item,
        canAnswer,
        // The accept form starts from the partner's words, with the municipality they typed matched to the list where it can be.
        values: state.values ?? { name: item.name, address: item.address ?? '', municipality: item.municipality ?? '', municipality_nis: matchMunicipality(item.municipality, item.address) ?? '' },
        municipalities: municipalityOptions,
        errors: state.errors ?? {},
        declineValues: state.declineValues ?? {},
        declineErrors: state.declineErrors ?? {},
        message: state.message,
      },
      { status: state.status ?? 200 },
    )
  }

  /** Answering twice: the request as it is now, with a sentence saying so (409). Nothing was written. */
  async function alreadyAnswered(request: FastifyRequest, reply: FastifyReply, region: Region, requestId: number) {
    const now = await requestOf(request, region, requestId)
    return detailPage(request, reply, region, now, { message: 'admin.location_request.already_answered', status: 409 })
  }

  routes.get('/location-requests/:requestId', { schema: { params: requestParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const item = await requestOf(request, region, request.params.requestId)
    return detailPage(request, reply, region, item)
  })

  routes.post('/location-requests/:requestId/accept', { schema: { params: requestParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const item = await requestOf(request, region, request.params.requestId)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    if (item.status !== 'open') return alreadyAnswered(request, reply, region, item.id)
    const parsed = locationBody.safeParse(request.body)
    if (!parsed.success) return detailPage(request, reply, region, item, { values: request.body, errors: fieldErrors(parsed.error), status: 422 })
    let result
    try {
      result = await acceptLocationRequest(db, region.id, item.id, user.id, parsed.data)
    } catch (error) {
      if (isUniqueViolation(error)) return detailPage(request, reply, region, item, { values: request.body, errors: { name: 'admin.error.duplicate' }, status: 422 })
      throw error
    }
    // Another coordinator answered between our read and our write.
    if (!result.ok) return alreadyAnswered(request, reply, region, item.id)
    await audit(db, { userId: user.id, action: 'location.create', resourceType: 'location', resourceId: result.locationId ?? null, regionId: region.id, detail: { name: parsed.data.name, request: item.id } })
    await audit(db, { userId: user.id, action: 'location_request.accept', resourceType: 'location_request', resourceId: item.id, regionId: region.id, detail: { location: result.locationId ?? null } })
    return reply.redirect(withDone(listPath(region), 'location_request.accepted'), 303)
  })

  routes.post('/location-requests/:requestId/decline', { schema: { params: requestParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const item = await requestOf(request, region, request.params.requestId)
    const user = allow(request, 'manage', { type: 'location', regionId: region.id })
    if (item.status !== 'open') return alreadyAnswered(request, reply, region, item.id)
    const parsed = locationDeclineBody.safeParse(request.body)
    if (!parsed.success) return detailPage(request, reply, region, item, { declineValues: request.body, declineErrors: fieldErrors(parsed.error), status: 422 })
    if (!(await declineLocationRequest(db, region.id, item.id, user.id, parsed.data.answer))) return alreadyAnswered(request, reply, region, item.id)
    await audit(db, { userId: user.id, action: 'location_request.decline', resourceType: 'location_request', resourceId: item.id, regionId: region.id })
    return reply.redirect(withDone(listPath(region), 'location_request.declined'), 303)
  })
}
