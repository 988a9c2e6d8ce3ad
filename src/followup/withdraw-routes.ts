import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Language, MessageKey } from '../i18n/i18n.ts'
import { isLanguage } from '../i18n/i18n.ts'
import { languageSwitcher, pageContext, requestLanguage } from '../http/views.ts'
import { hashWithdrawalToken, withdrawalTokenPattern } from './contact-form.ts'
import { ownPath } from './own-path.ts'
import { withdrawContactRequest } from './queries.ts'

const withdrawQuery = z.object({ w: z.string().max(64).optional(), lang: z.string().max(16).optional() })

/**
 * The person's private link from the thank-you page: their own view of their question
 * (what they asked, where it stands, the next contact and the offers a bridge figure
 * pointed them to; own-path.ts) with a "stop and erase" button. Opening it erases nothing
 * (a link preview or a mail scanner must not); the button erases the contact details at
 * once, and the link with them. The token travels in the query string, which is never
 * logged. A link that is unknown, forged or already used gets one friendly page that says
 * nothing about whether a request ever existed.
 */
export default async function withdrawRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()

  function page(reply: FastifyReply, status: number, lang: Language, title: MessageKey, body: MessageKey) {
    const context = pageContext(lang, (t) => t(title))
    return reply.code(status).header('cache-control', 'no-store').view('capture/message', { ...context, heading: context.t(title), message: context.t(body) })
  }

  function tokenHash(value: unknown): string | undefined {
    return typeof value === 'string' && withdrawalTokenPattern.test(value) ? hashWithdrawalToken(value) : undefined
  }

  routes.get('/withdraw', { schema: { querystring: withdrawQuery } }, async (request, reply) => {
    const lang = requestLanguage(request)
    const hash = tokenHash(request.query.w)
    const path = hash === undefined ? undefined : await ownPath(app.db, hash, lang)
    if (path === undefined) return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    const context = pageContext(lang, (t) => t('withdraw.title'), languageSwitcher('/withdraw', { w: request.query.w! }))
    const dayFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : `${lang}-BE`, { dateStyle: 'long', timeZone: 'UTC' })
    const day = (value: string) => dayFormat.format(new Date(`${value}T00:00:00Z`))
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').view('followup/withdraw', { ...context, token: request.query.w, path, day })
  })

  routes.post('/withdraw', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const lang = isLanguage(body.lang) ? body.lang : requestLanguage(request)
    const hash = tokenHash(body.w)
    if (hash === undefined || !(await withdrawContactRequest(app.db, hash))) return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    request.log.info('contact request withdrawn')
    return page(reply, 200, lang, 'withdraw.done.title', 'withdraw.done.body')
  })
}
