import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { brusselsDay, localDay } from '../answers/index.ts'
import { audit } from '../audit/log.ts'
import { allow, fieldErrors, formBody, idSchema, NotFound, pageQuery, regionOf, withDone } from '../staff/index.ts'
import { addStep, nextContactSchema, reopenPath, setNextContact, stepForm } from './paths.ts'
import { requestPage } from './queue-routes.ts'

const requestParams = z.object({ id: idSchema })

/**
 * The learning path of one request: record a step, agree the next contact, reopen a closed
 * path. Who may is `can(user, 'manage', { type: 'followup' })`, as for claiming and closing:
 * the region's bridge figures and coordinators. A form that fails is the request page again
 * with the person's input and the message next to the field (422), and nothing changed.
 * Audit entries name the step's kind, never its note.
 */
export default async function pathRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const schema = { params: requestParams, querystring: pageQuery, body: formBody }
  const requestUrl = (regionId: number, id: number) => `/admin/regions/${regionId}/followup/${id}`

  /** The request's creation day, or the 404 page when it is not in this region. */
  async function createdDay(regionId: number, id: number): Promise<string> {
    const row = await db.selectFrom('contact_requests').select('created_at').where('region_id', '=', regionId).where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw new NotFound()
    return brusselsDay(row.created_at)
  }

  routes.post('/followup/:id/steps', { schema }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const id = request.params.id
    const parsed = stepForm(localDay(), await createdDay(region.id, id)).safeParse(request.body)
    if (!parsed.success) {
      return requestPage(db, request, reply, user, region, id, { values: request.body, errors: fieldErrors(parsed.error), status: 422 })
    }
    const result = await addStep(db, region.id, id, user.id, parsed.data)
    if (result === 'missing') throw new NotFound()
    if (result === 'offer') {
      // An offer of another region (or archived, or made up): the same form, the message at the field.
      return requestPage(db, request, reply, user, region, id, { values: request.body, errors: { step_offer: 'admin.path.offer.unknown' }, status: 422 })
    }
    if (result === 'closed') return requestPage(db, request, reply, user, region, id, { message: 'followup.conflict', status: 409 })
    await audit(db, { userId: user.id, action: 'path.step', resourceType: 'contact_request', resourceId: id, regionId: region.id, detail: { kind: parsed.data.kind } })
    return reply.redirect(withDone(requestUrl(region.id, id), 'path.step'), 303)
  })

  routes.post('/followup/:id/next-contact', { schema }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const id = request.params.id
    await createdDay(region.id, id)
    const parsed = z.object({ next_contact: nextContactSchema(localDay()) }).safeParse(request.body)
    if (!parsed.success) {
      return requestPage(db, request, reply, user, region, id, { values: request.body, errors: fieldErrors(parsed.error), status: 422 })
    }
    if (!(await setNextContact(db, region.id, id, parsed.data.next_contact))) {
      return requestPage(db, request, reply, user, region, id, { message: 'followup.conflict', status: 409 })
    }
    await audit(db, { userId: user.id, action: 'path.next_contact', resourceType: 'contact_request', resourceId: id, regionId: region.id, detail: { on: parsed.data.next_contact } })
    return reply.redirect(withDone(requestUrl(region.id, id), 'path.next_contact'), 303)
  })

  routes.post('/followup/:id/reopen', { schema }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const id = request.params.id
    await createdDay(region.id, id)
    if (!(await reopenPath(db, region.id, id, user.id))) {
      return requestPage(db, request, reply, user, region, id, { message: 'followup.path.reopen.refused', status: 409 })
    }
    await audit(db, { userId: user.id, action: 'path.reopen', resourceType: 'contact_request', resourceId: id, regionId: region.id })
    return reply.redirect(withDone(requestUrl(region.id, id), 'path.reopened'), 303)
  })
}
