import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { CurrentUser } from '../auth/permissions.ts'
import type { Database, Region } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, type FieldErrors, fieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { formatPhone } from './contact-value.ts'
import { languageNames } from './language-names.ts'
import { listOffers } from './offers.ts'
import { addDays, brusselsDay, localDay } from '../answers/index.ts'
import { aYearAfter, matchingOffers, noteMaxLength, pathQuestions, pathSteps, pendingStartCheck, startCheckDays, stepKinds } from './paths.ts'
import { claimRequest, closeRequest, contactDetails, findRequest, listQueue, logAttempt } from './queue.ts'

const attemptResults = ['reached', 'no_answer', 'left_message', 'wrong_number'] as const
const outcomes = ['referred', 'not_reachable', 'not_needed', 'other'] as const

const requestParams = z.object({ id: idSchema })
const queueQuery = pageQuery.extend({ status: z.enum(['open', 'closed']).default('open') })

// No result and no outcome is preset: a bridge figure says what happened, or is asked to
// (422). A preset choice is the one that gets recorded when someone presses too soon.
const attemptForm = z.object({ result: z.enum(attemptResults, { message: 'admin.error.choose' }) })
const closeForm = z.object({
  outcome: z.enum(outcomes, { message: 'admin.error.choose' }),
  offer_id: z.union([z.literal(''), idSchema]).optional().transform((value) => (typeof value === 'number' ? value : null)),
})

export interface RequestPageState {
  /** A sentence above the request (a conflict, a refused form). */
  message?: MessageKey
  values?: FormFields
  errors?: FieldErrors
  status?: number
}

/**
 * The request page: the answer it came from, the attempts, the learning path, and the
 * contact details. Each view of contact details, and each view of path notes, is written to
 * the audit log before the page is sent: no view without its entry.
 */
export async function requestPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, user: CurrentUser, region: Region, requestId: number, state: RequestPageState = {}) {
  const item = await findRequest(db, region.id, requestId, staffLanguage(request))
  if (item === undefined) throw new NotFound()
  const contact = item.erased ? undefined : await contactDetails(db, region.id, requestId)
  if (contact !== undefined) {
    await audit(db, { userId: user.id, action: 'contact.view', resourceType: 'contact_request', resourceId: requestId, regionId: region.id })
  }
  const [steps, questions] = await Promise.all([pathSteps(db, requestId), pathQuestions(db, requestId)])
  // The person's later questions are their own words about themselves: viewed under the same entry as the notes.
  if (steps.some((step) => step.note !== null) || questions.length > 0) {
    await audit(db, { userId: user.id, action: 'path.notes.view', resourceType: 'contact_request', resourceId: requestId, regionId: region.id })
  }
  const offers = (await listOffers(db, region.id)).filter((offer) => offer.archived === 0)
  const open = item.status !== 'closed'
  const matching = open ? await matchingOffers(db, region.id, item.responseId, item.preferredLanguage) : []
  const today = localDay()
  return renderStaffPage(
    request,
    reply,
    'followup/request',
    (t) => t('followup.request.title', { id: String(requestId) }),
    {
      item,
      contact: contact && {
        name: contact.name,
        channel: contact.channel,
        value: contact.value,
        shown: contact.channel === 'phone' && contact.value ? formatPhone(contact.value) : contact.value,
      },
      offers,
      steps,
      questions,
      startCheck: open ? pendingStartCheck(steps) : undefined,
      matching,
      stepKinds,
      noteMaxLength,
      path: {
        today,
        createdDay: brusselsDay(item.createdAt),
        maxNext: aYearAfter(today),
        referralNext: addDays(today, startCheckDays),
        due: open && item.nextContactOn !== null && item.nextContactOn <= today,
        late: open && item.nextContactOn !== null && item.nextContactOn < today,
      },
      attemptResults,
      outcomes,
      languageNames: languageNames(),
      pageStyle: 'path',
      message: state.message,
      values: state.values ?? {},
      errors: state.errors ?? {},
    },
    { status: state.status ?? 200 },
  )
}

/**
 * After a claim, an attempt or a close. `done` false means the request was not open for it
 * (claimed or closed meanwhile, a referral to an offer of another region) or is not in this
 * region: the request page says so (409), or the 404 page when there is no such request.
 */
async function afterChange(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, user: CurrentUser, region: Region, requestId: number, done: boolean, action: string) {
  if (!done) return requestPage(db, request, reply, user, region, requestId, { message: 'followup.conflict', status: 409 })
  await audit(db, { userId: user.id, action, resourceType: 'contact_request', resourceId: requestId, regionId: region.id })
  return reply.redirect(`/admin/regions/${region.id}/followup/${requestId}`, 303)
}

/**
 * The bridge figures' queue and one request at a time: claim it, log contact attempts,
 * close it with an outcome. Who may open it is `can(user, 'view', { type: 'followup' })`:
 * the region's bridge figures and coordinators, not admins (they answer subject requests).
 */
export default async function queueRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  routes.get('/followup', { schema: { querystring: queueQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'followup', regionId: region.id })
    const items = await listQueue(db, region.id, { status: request.query.status }, staffLanguage(request))
    return renderStaffPage(request, reply, 'followup/queue', (t) => t('followup.queue.title', { region: region.name }), { items, status: request.query.status, languageNames: languageNames() })
  })

  routes.get('/followup/:id', { schema: { params: requestParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'followup', regionId: region.id })
    return requestPage(db, request, reply, user, region, request.params.id)
  })

  routes.post('/followup/:id/claim', { schema: { params: requestParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const requestId = request.params.id
    return afterChange(db, request, reply, user, region, requestId, await claimRequest(db, region.id, requestId, user.id), 'contact.claim')
  })

  routes.post('/followup/:id/attempts', { schema: { params: requestParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const requestId = request.params.id
    const parsed = attemptForm.safeParse(request.body)
    if (!parsed.success) {
      // The summary and the field say what to do; "this choice does not exist" would be wrong when none was made.
      return requestPage(db, request, reply, user, region, requestId, { values: request.body, errors: fieldErrors(parsed.error), status: 422 })
    }
    return afterChange(db, request, reply, user, region, requestId, await logAttempt(db, region.id, requestId, user.id, parsed.data.result), 'contact.attempt')
  })

  routes.post('/followup/:id/close', { schema: { params: requestParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'followup', regionId: region.id })
    const requestId = request.params.id
    const parsed = closeForm.safeParse(request.body)
    if (!parsed.success) {
      return requestPage(db, request, reply, user, region, requestId, { values: request.body, errors: fieldErrors(parsed.error), status: 422 })
    }
    const closed = await closeRequest(db, region.id, requestId, user.id, parsed.data.outcome, parsed.data.offer_id)
    return afterChange(db, request, reply, user, region, requestId, closed, 'contact.close')
  })
}
