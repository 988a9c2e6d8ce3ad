import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { languages } from '../i18n/i18n.ts'
import { listVisibleThemes, themeLabel } from '../themes/queries.ts'
import { canHandleSubjectRequests, canManageRegion, canWorkQueue, type StaffUser } from './access.ts'
import { formatPhone, parseContactValue } from './contact-value.ts'
import { listModeration, moderate } from './moderation.ts'
import { createOffer, findOffer, listOffers, offerBody, offerInput, updateOffer } from './offers.ts'
import { claimRequest, closeRequest, contactDetails, findRequest, listQueue, logAttempt } from './queue.ts'
import { staffLanguage, staffTranslator, type StaffKey } from './staff-text.ts'
import { eraseSubject, exportSubject, findSubject } from './subject-requests.ts'

/** What the plugin writes to the audit log; the same shape as the accounts feature's `AuditEvent`. */
export interface FollowupAuditEvent {
  userId: number
  action: string
  resourceType?: string
  resourceId?: number | null
  regionId?: number | null
  /** Never a name, a phone number, an e-mail address or anything a citizen wrote. */
  detail?: Record<string, string | number | boolean | null>
}

export interface FollowupOptions {
  /** The signed-in person (role and regions), or null. Wired to the accounts feature's session. */
  currentUser(request: FastifyRequest): StaffUser | null | Promise<StaffUser | null>
  /** Writes one audit entry; every view of contact details calls it before the page is sent. */
  audit(event: FollowupAuditEvent): void | Promise<void>
  /** The CSRF token to print in forms (the accounts feature checks it on every POST). */
  csrfToken?(request: FastifyRequest, reply: FastifyReply): string | undefined | Promise<string | undefined>
  /** Where a request without a signed-in user is sent. */
  loginPath?: string
}

const attemptResults = ['reached', 'no_answer', 'left_message', 'wrong_number'] as const
const outcomes = ['referred', 'not_reachable', 'not_needed', 'other'] as const
const moderationStatuses = ['pending', 'approved', 'hidden'] as const

const id = z.string().regex(/^\d{1,9}$/).transform(Number)
const regionParams = z.object({ regionId: id })
const requestParams = z.object({ regionId: id, id })
const offerParams = z.object({ regionId: id, offerId: id })
const moderationParams = z.object({ regionId: id, responseId: id })
const queueQuery = z.object({ status: z.enum(['open', 'closed']).default('open'), lang: z.string().max(16).optional() })
const moderationQuery = z.object({ status: z.enum(moderationStatuses).default('pending'), lang: z.string().max(16).optional() })
const langQuery = z.object({ lang: z.string().max(16).optional() })

const attemptBody = z.object({ result: z.enum(attemptResults) })
const closeBody = z.object({
  outcome: z.enum(outcomes),
  offer_id: z.union([z.literal(''), id]).optional().transform((value) => (typeof value === 'number' ? value : null)),
})
const moderationBody = z.object({
  action: z.enum(['approve', 'hide', 'redact']),
  text: z.string().max(2000).optional().transform((value) => value?.normalize('NFC').trim() ?? ''),
})
const subjectBody = z.object({
  value: z.string().max(254).default(''),
  action: z.enum(['find', 'export', 'erase']),
  confirm: z.string().optional(),
})

/** Thrown for anything out of the person's scope: the same "not found" page as an unknown id. */
class OutOfScope extends Error {}

/**
 * The bridge figures' queue, the region's learning offers, moderation of free text, and
 * data subject requests: the staff side of follow-up. Encapsulated; the accounts feature
 * provides the signed-in user through `currentUser` and the audit log through `audit`.
 * Every body is a form (the app's form parser); every state change answers with a redirect.
 */
export default async function followupRoutes(app: FastifyInstance, options: FollowupOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const loginPath = options.loginPath ?? '/login'
  const base = app.prefix

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof OutOfScope || (error as { code?: string }).code === 'FST_ERR_VALIDATION') {
      return page(request, reply, 'followup/message', 'followup.notfound.title', { message: 'followup.notfound.body' }, 404)
    }
    throw error
  })

  // One lookup of the signed-in person per request, however many times a handler asks.
  const users = new WeakMap<FastifyRequest, StaffUser | null>()
  async function userOf(request: FastifyRequest): Promise<StaffUser | null> {
    if (!users.has(request)) users.set(request, await options.currentUser(request))
    return users.get(request) ?? null
  }

  async function requireUser(request: FastifyRequest, reply: FastifyReply): Promise<StaffUser | undefined> {
    const user = await userOf(request)
    if (user === null) {
      await reply.redirect(loginPath, 303)
      return undefined
    }
    return user
  }

  async function regionName(regionId: number): Promise<string> {
    const region = await app.db.selectFrom('regions').select('name').where('id', '=', regionId).executeTakeFirst()
    if (region === undefined) throw new OutOfScope()
    return region.name
  }

  async function page(request: FastifyRequest, reply: FastifyReply, template: string, title: StaffKey, data: Record<string, unknown> = {}, status = 200) {
    const lang = staffLanguage(request)
    const t = staffTranslator(lang)
    const user = await userOf(request)
    const regionId = typeof data.regionId === 'number' ? data.regionId : undefined
    const menu: { href: string; label: StaffKey }[] = []
    if (user && regionId !== undefined) {
      if (canWorkQueue(user, regionId)) menu.push({ href: `${base}/regions/${regionId}/followup`, label: 'followup.nav.queue' })
      if (canManageRegion(user, regionId)) {
        menu.push({ href: `${base}/regions/${regionId}/offers`, label: 'followup.nav.offers' })
        menu.push({ href: `${base}/regions/${regionId}/moderation`, label: 'followup.nav.moderation' })
      }
    }
    if (user && canHandleSubjectRequests(user)) menu.push({ href: `${base}/subject-requests`, label: 'followup.nav.subject' })
    const csrf = options.csrfToken ? await options.csrfToken(request, reply) : undefined
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .view(template, {
        lang,
        dir: 'ltr',
        t,
        title: t(title, { region: String(data.region ?? ''), id: String(data.id ?? '') }),
        menu,
        path: request.url.split('?')[0],
        csrf,
        base,
        ...data,
        message: typeof data.message === 'string' ? t(data.message as StaffKey, (data.messageValues as Record<string, string | number>) ?? {}) : undefined,
      })
  }

  // ---- the queue -------------------------------------------------------------------

  routes.get('/regions/:regionId/followup', { schema: { params: regionParams, querystring: queueQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId } = request.params
    if (!canWorkQueue(user, regionId)) throw new OutOfScope()
    const region = await regionName(regionId)
    const items = await listQueue(app.db, regionId, { status: request.query.status }, staffLanguage(request))
    return page(request, reply, 'followup/queue', 'followup.queue.title', { regionId, region, items, status: request.query.status, languageNames: languageNames() })
  })

  async function requestPage(request: FastifyRequest, reply: FastifyReply, user: StaffUser, regionId: number, requestId: number, message?: StaffKey, status = 200) {
    const region = await regionName(regionId)
    const item = await findRequest(app.db, regionId, requestId, staffLanguage(request))
    if (item === undefined) throw new OutOfScope()
    const contact = item.erased ? undefined : await contactDetails(app.db, regionId, requestId)
    if (contact !== undefined) {
      // Written before the page is sent: no view of contact details without its entry.
      await options.audit({ userId: user.id, action: 'contact.view', resourceType: 'contact_request', resourceId: requestId, regionId })
    }
    const offers = (await listOffers(app.db, regionId)).filter((offer) => offer.archived === 0)
    return page(
      request,
      reply,
      'followup/request',
      'followup.request.title',
      {
        regionId,
        region,
        id: requestId,
        item,
        contact: contact && {
          name: contact.name,
          channel: contact.channel,
          value: contact.value,
          shown: contact.channel === 'phone' && contact.value ? formatPhone(contact.value) : contact.value,
        },
        user,
        offers,
        attemptResults,
        outcomes,
        languageNames: languageNames(),
        message,
      },
      status,
    )
  }

  routes.get('/regions/:regionId/followup/:id', { schema: { params: requestParams, querystring: langQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    if (!canWorkQueue(user, request.params.regionId)) throw new OutOfScope()
    return requestPage(request, reply, user, request.params.regionId, request.params.id)
  })

  async function afterChange(request: FastifyRequest, reply: FastifyReply, user: StaffUser, regionId: number, requestId: number, done: boolean, action: string) {
    if (!done) {
      const exists = await findRequest(app.db, regionId, requestId, 'nl')
      if (exists === undefined) throw new OutOfScope()
      return requestPage(request, reply, user, regionId, requestId, 'followup.conflict', 409)
    }
    await options.audit({ userId: user.id, action, resourceType: 'contact_request', resourceId: requestId, regionId })
    return reply.redirect(`${base}/regions/${regionId}/followup/${requestId}`, 303)
  }

  routes.post('/regions/:regionId/followup/:id/claim', { schema: { params: requestParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, id: requestId } = request.params
    if (!canWorkQueue(user, regionId)) throw new OutOfScope()
    return afterChange(request, reply, user, regionId, requestId, await claimRequest(app.db, regionId, requestId, user.id), 'contact.claim')
  })

  routes.post('/regions/:regionId/followup/:id/attempts', { schema: { params: requestParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, id: requestId } = request.params
    if (!canWorkQueue(user, regionId)) throw new OutOfScope()
    const body = attemptBody.safeParse(request.body ?? {})
    if (!body.success) return requestPage(request, reply, user, regionId, requestId, 'followup.error.invalid', 422)
    return afterChange(request, reply, user, regionId, requestId, await logAttempt(app.db, regionId, requestId, user.id, body.data.result), 'contact.attempt')
  })

  routes.post('/regions/:regionId/followup/:id/close', { schema: { params: requestParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, id: requestId } = request.params
    if (!canWorkQueue(user, regionId)) throw new OutOfScope()
    const body = closeBody.safeParse(request.body ?? {})
    if (!body.success) return requestPage(request, reply, user, regionId, requestId, 'followup.error.invalid', 422)
    const closed = await closeRequest(app.db, regionId, requestId, user.id, body.data.outcome, body.data.offer_id)
    return afterChange(request, reply, user, regionId, requestId, closed, 'contact.close')
  })

  // ---- learning offers -------------------------------------------------------------

  async function regionThemes(regionId: number, lang: string) {
    return (await listVisibleThemes(app.db, regionId)).map((theme) => ({ id: theme.id, label: themeLabel(theme, lang) }))
  }

  routes.get('/regions/:regionId/offers', { schema: { params: regionParams, querystring: langQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const region = await regionName(regionId)
    return page(request, reply, 'followup/offers', 'followup.offers.title', { regionId, region, offers: await listOffers(app.db, regionId) })
  })

  async function offerForm(request: FastifyRequest, reply: FastifyReply, regionId: number, values: Record<string, unknown>, errors: Record<string, StaffKey>, offerId?: number) {
    const region = await regionName(regionId)
    return page(
      request,
      reply,
      'followup/offer',
      offerId === undefined ? 'followup.offer.new' : 'followup.offer.edit',
      {
        regionId,
        region,
        offerId,
        values,
        errors,
        themes: await regionThemes(regionId, staffLanguage(request)),
        languageNames: languageNames(),
        audiences: ['all', 'children', 'youth', 'adults', 'seniors'],
        action: offerId === undefined ? `${base}/regions/${regionId}/offers` : `${base}/regions/${regionId}/offers/${offerId}`,
      },
      Object.keys(errors).length > 0 ? 422 : 200,
    )
  }

  function offerErrors(error: z.ZodError): Record<string, StaffKey> {
    const errors: Record<string, StaffKey> = {}
    for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message.startsWith('followup.') ? (issue.message as StaffKey) : 'followup.error.invalid'
    return errors
  }

  routes.get('/regions/:regionId/offers/new', { schema: { params: regionParams, querystring: langQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    if (!canManageRegion(user, request.params.regionId)) throw new OutOfScope()
    return offerForm(request, reply, request.params.regionId, { audience: 'all', text_language: 'nl', languages: ['nl'], themes: [] }, {})
  })

  routes.post('/regions/:regionId/offers', { schema: { params: regionParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const raw = (request.body ?? {}) as Record<string, unknown>
    const body = offerBody.safeParse(raw)
    if (!body.success) return offerForm(request, reply, regionId, raw, offerErrors(body.error))
    const offerId = await createOffer(app.db, regionId, offerInput(body.data))
    await options.audit({ userId: user.id, action: 'offer.create', resourceType: 'offer', resourceId: offerId, regionId, detail: { title: body.data.title } })
    return reply.redirect(`${base}/regions/${regionId}/offers`, 303)
  })

  routes.get('/regions/:regionId/offers/:offerId', { schema: { params: offerParams, querystring: langQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, offerId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const offer = await findOffer(app.db, regionId, offerId)
    if (offer === undefined) throw new OutOfScope()
    const values = {
      ...offer,
      languages: offer.languages.split(',').filter(Boolean),
      themes: offer.themeIds,
      archived: offer.archived === 1 ? 'yes' : '',
    }
    return offerForm(request, reply, regionId, values, {}, offerId)
  })

  routes.post('/regions/:regionId/offers/:offerId', { schema: { params: offerParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, offerId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const raw = (request.body ?? {}) as Record<string, unknown>
    const body = offerBody.safeParse(raw)
    if (!body.success) return offerForm(request, reply, regionId, raw, offerErrors(body.error), offerId)
    if (!(await updateOffer(app.db, regionId, offerId, offerInput(body.data)))) throw new OutOfScope()
    await options.audit({ userId: user.id, action: 'offer.update', resourceType: 'offer', resourceId: offerId, regionId })
    return reply.redirect(`${base}/regions/${regionId}/offers`, 303)
  })

  // ---- moderation ------------------------------------------------------------------

  routes.get('/regions/:regionId/moderation', { schema: { params: regionParams, querystring: moderationQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const region = await regionName(regionId)
    const items = await listModeration(app.db, regionId, request.query.status)
    return page(request, reply, 'followup/moderation', 'followup.moderation.title', { regionId, region, items, status: request.query.status, statuses: moderationStatuses })
  })

  routes.post('/regions/:regionId/moderation/:responseId', { schema: { params: moderationParams } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    const { regionId, responseId } = request.params
    if (!canManageRegion(user, regionId)) throw new OutOfScope()
    const body = moderationBody.safeParse(request.body ?? {})
    if (!body.success || (body.data.action === 'redact' && body.data.text === '')) throw new OutOfScope()
    const decision = body.data.action === 'redact' ? { action: 'redact' as const, text: body.data.text } : { action: body.data.action }
    if (!(await moderate(app.db, regionId, responseId, user.id, decision))) throw new OutOfScope()
    await options.audit({ userId: user.id, action: `moderation.${body.data.action}`, resourceType: 'response', resourceId: responseId, regionId })
    return reply.redirect(`${base}/regions/${regionId}/moderation`, 303)
  })

  // ---- data subject requests (admins) ----------------------------------------------

  routes.get('/subject-requests', { schema: { querystring: langQuery } }, async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    if (!canHandleSubjectRequests(user)) throw new OutOfScope()
    return page(request, reply, 'followup/subject', 'followup.subject.title', { value: '' })
  })

  routes.post('/subject-requests', async (request, reply) => {
    const user = await requireUser(request, reply)
    if (!user) return reply
    if (!canHandleSubjectRequests(user)) throw new OutOfScope()
    const body = subjectBody.safeParse(request.body ?? {})
    const value = body.success ? body.data.value : ''
    const show = (message: StaffKey, messageValues: Record<string, number> = {}, status = 200) =>
      page(request, reply, 'followup/subject', 'followup.subject.title', { value, message, messageValues }, status)
    if (!body.success || parseContactValue(value) === undefined) return show('followup.subject.invalid', {}, 422)
    // The value itself is never written to the audit log: only what was done and how many.
    if (body.data.action === 'find') {
      const ids = await findSubject(app.db, value)
      await options.audit({ userId: user.id, action: 'subject.find', resourceType: 'contact_request', detail: { found: ids.length } })
      return show(ids.length === 0 ? 'followup.subject.none' : 'followup.subject.found', { n: ids.length })
    }
    if (body.data.action === 'export') {
      const records = await exportSubject(app.db, value)
      await options.audit({ userId: user.id, action: 'subject.export', resourceType: 'contact_request', detail: { found: records.length } })
      if (records.length === 0) return show('followup.subject.none')
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="leervraag-export.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify({ exportedAt: new Date().toISOString(), records }, null, 2))
    }
    if (body.data.confirm !== 'yes') return show('followup.subject.confirm_needed', {}, 422)
    const erased = await eraseSubject(app.db, value)
    await options.audit({ userId: user.id, action: 'subject.erase', resourceType: 'contact_request', detail: { erased } })
    return show(erased === 0 ? 'followup.subject.none' : 'followup.subject.erased', { n: erased })
  })
}

function languageNames(): Record<string, string> {
  return Object.fromEntries(Object.entries(languages).map(([code, language]) => [code, language.name]))
}
