import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, type FieldErrors, fieldErrors, formBody, type FormFields, pageQuery, renderStaffPage } from '../staff/index.ts'
import { parseContactValue } from './contact-value.ts'
import { eraseSubject, exportSubject, findSubject } from './subject-requests.ts'

const subjectForm = z.object({
  value: z.string().max(254, 'admin.error.too_long').default(''),
  action: z.enum(['find', 'export', 'erase']),
  confirm: z.string().optional(),
})

interface SubjectPage {
  values?: FormFields
  errors?: FieldErrors
  /** What was found or done, as counts only. */
  message?: MessageKey
  count?: number
  status?: number
}

function subjectPage(request: FastifyRequest, reply: FastifyReply, page: SubjectPage = {}) {
  return renderStaffPage(
    request,
    reply,
    'followup/subject',
    'followup.subject.title',
    { values: page.values ?? {}, errors: page.errors ?? {}, message: page.message, count: page.count ?? 0 },
    { status: page.status ?? 200 },
  )
}

/**
 * Data subject requests (export, erasure) for one phone number or e-mail address, across
 * regions: admins only. The value itself is never written to the audit log, only what was
 * done and how many.
 */
export default async function subjectRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  routes.get('/subject-requests', { schema: { querystring: pageQuery } }, async (request, reply) => {
    allow(request, 'manage', { type: 'subject-requests' })
    return subjectPage(request, reply)
  })

  routes.post('/subject-requests', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const user = allow(request, 'manage', { type: 'subject-requests' })
    const values = request.body
    const parsed = subjectForm.safeParse(values)
    if (!parsed.success) return subjectPage(request, reply, { values, errors: fieldErrors(parsed.error), status: 422 })
    const { value, action, confirm } = parsed.data
    if (parseContactValue(value) === undefined) return subjectPage(request, reply, { values, errors: { value: 'followup.subject.invalid' }, status: 422 })
    // Once done, the confirmation box starts unticked again.
    const shown = { value }
    if (action === 'find') {
      const ids = await findSubject(db, value)
      await audit(db, { userId: user.id, action: 'subject.find', resourceType: 'contact_request', detail: { found: ids.length } })
      return subjectPage(request, reply, { values: shown, message: ids.length === 0 ? 'followup.subject.none' : 'followup.subject.found', count: ids.length })
    }
    if (action === 'export') {
      const records = await exportSubject(db, value)
      await audit(db, { userId: user.id, action: 'subject.export', resourceType: 'contact_request', detail: { found: records.length } })
      if (records.length === 0) return subjectPage(request, reply, { values: shown, message: 'followup.subject.none' })
      return reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="leervraag-export.json"')
        .header('cache-control', 'no-store')
        .send(JSON.stringify({ exportedAt: new Date().toISOString(), records }, null, 2))
    }
    if (confirm !== 'yes') return subjectPage(request, reply, { values, errors: { confirm: 'followup.subject.confirm_needed' }, status: 422 })
    const erased = await eraseSubject(db, value)
    await audit(db, { userId: user.id, action: 'subject.erase', resourceType: 'contact_request', detail: { erased } })
    return subjectPage(request, reply, { values: shown, message: erased === 0 ? 'followup.subject.none' : 'followup.subject.erased', count: erased })
  })
}
