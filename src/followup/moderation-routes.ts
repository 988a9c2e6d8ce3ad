import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { allow, fieldErrors, formBody, idSchema, NotFound, pageQuery, regionOf, renderStaffPage } from '../staff/index.ts'
import { listModeration, moderate, moderationStatusOf } from './moderation.ts'

const moderationStatuses = ['pending', 'approved', 'hidden'] as const
/** `?page=`: 1 to 9999 (50 texts a page); a page past the end shows the last one. */
const pageNumber = z
  .string()
  .regex(/^[1-9]\d{0,3}$/)
  .transform(Number)
const moderationQuery = pageQuery.extend({ status: z.enum(moderationStatuses).default('pending'), page: pageNumber.default(1) })
const moderationParams = z.object({ responseId: idSchema })

const moderationForm = z
  .object({
    action: z.enum(['approve', 'hide', 'redact']),
    text: z
      .string()
      .max(2000, 'admin.error.too_long')
      .optional()
      .transform((value) => value?.normalize('NFC').trim() ?? ''),
  })
  // A redaction replaces the quote: an empty one would quote nothing.
  .refine((form) => form.action !== 'redact' || form.text !== '', { path: ['text'], message: 'admin.error.required' })

/**
 * Moderation of free text before it is quoted anywhere: the region's coordinators (and
 * admins) approve, redact or hide each text.
 */
export default async function moderationRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const title = 'followup.moderation.title'

  routes.get('/moderation', { schema: { querystring: moderationQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'moderation', regionId: region.id })
    const list = await listModeration(db, region.id, request.query.status, request.query.page)
    return renderStaffPage(request, reply, 'followup/moderation', (t) => t(title, { region: region.name }), { ...list, status: request.query.status, statuses: moderationStatuses, errors: {} })
  })

  routes.post('/moderation/:responseId', { schema: { params: moderationParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'moderation', regionId: region.id })
    const { responseId } = request.params
    const status = await moderationStatusOf(db, region.id, responseId)
    if (status === undefined) throw new NotFound()
    const parsed = moderationForm.safeParse(request.body)
    // The form carries the page it was on, so that the moderator stays there.
    const page = pageNumber.safeParse(request.body.page).data ?? 1
    if (!parsed.success) {
      // The list the text is in, with the typed text and the message next to its field.
      const list = await listModeration(db, region.id, status, page)
      return renderStaffPage(
        request,
        reply,
        'followup/moderation',
        (t) => t(title, { region: region.name }),
        { ...list, status, statuses: moderationStatuses, failed: responseId, values: request.body, errors: fieldErrors(parsed.error) },
        { status: 422 },
      )
    }
    const form = parsed.data
    const decision = form.action === 'redact' ? { action: 'redact' as const, text: form.text } : { action: form.action }
    if (!(await moderate(db, region.id, responseId, user.id, decision))) throw new NotFound()
    await audit(db, { userId: user.id, action: `moderation.${form.action}`, resourceType: 'response', resourceId: responseId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/moderation${page > 1 ? `?page=${page}` : ''}`, 303)
  })
}
