import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { audit } from '../audit/log.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { languages } from '../i18n/i18n.ts'
import { currentUser, type FieldErrors, formBody, type FormFields, pageQuery, renderStaffPage, staffLanguage, withDone } from '../staff/index.ts'
import { type DigestOption, digestOptions, type MailLanguage, mailLanguages, setSubscriptions, subscriptionsOf } from './subscriptions.ts'

const asList = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value])

/**
 * `/admin/profile`: a staff member's own page. Today it holds one thing, the explicit
 * subscriptions to the monthly digest by e-mail: a box per digest this person may read
 * (asked of `can()`), unticked until they tick it, and the language of the e-mails. Only
 * the person themselves sees or changes it; no route changes anyone else's subscriptions.
 */
export default async function profileRoutes(app: FastifyInstance, options: { mailConfigured: boolean }) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  async function page(request: FastifyRequest, reply: FastifyReply, optionsList: DigestOption[], values: { digests: string[]; language: string }, errors: FieldErrors = {}, status = 200) {
    const user = currentUser(request)
    return renderStaffPage(
      request,
      reply,
      'digest/profile',
      'digest.profile.title',
      {
        account: { name: user.name, email: user.email },
        digestOptions: optionsList,
        values,
        errors,
        languages: mailLanguages.map((code) => ({ value: code, label: languages[code].name })),
        mailConfigured: options.mailConfigured,
      },
      { status },
    )
  }

  routes.get('/profile', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const user = currentUser(request)
    const [list, current] = await Promise.all([digestOptions(db, user), subscriptionsOf(db, user.id)])
    const visible = new Set(list.map((o) => o.key))
    return page(request, reply, list, { digests: current.keys.filter((key) => visible.has(key)), language: current.language ?? staffLanguage(request) })
  })

  routes.post('/profile', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const user = currentUser(request)
    const body = request.body as FormFields
    const list = await digestOptions(db, user)
    const byKey = new Map(list.map((o) => [o.key, o]))
    const chosen = asList(body.digests)
    const language = typeof body.language === 'string' ? body.language : ''
    const errors: FieldErrors = {}
    // An unknown digest and one this person may not read get the same message: the form tells nobody which ids exist.
    if (chosen.length > 200 || chosen.some((key) => !byKey.has(key))) errors.digests = 'digest.profile.digests.unknown' as MessageKey
    if (!(mailLanguages as readonly string[]).includes(language)) errors.language = 'digest.profile.language.invalid' as MessageKey
    if (Object.keys(errors).length > 0) {
      return page(request, reply, list, { digests: chosen.filter((key) => byKey.has(key)), language }, errors, 422)
    }
    const picked = [...new Set(chosen)].map((key) => byKey.get(key)!)
    const change = await setSubscriptions(db, user.id, picked, language as MailLanguage)
    if (change.added.length > 0 || change.removed.length > 0) {
      await audit(db, { userId: user.id, action: 'digest_subscription.update', resourceType: 'user', resourceId: user.id, detail: { added: change.added.join(' '), removed: change.removed.join(' '), language } })
    }
    return reply.redirect(withDone('/admin/profile', 'profile.saved'), 303)
  })
}
