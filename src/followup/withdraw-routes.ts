import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { maxFreeTextCodePoints, maxFreeTextGraphemes, ownWords } from '../answers/index.ts'
import type { Language, MessageKey } from '../i18n/i18n.ts'
import { isLanguage } from '../i18n/i18n.ts'
import { languageSwitcher, pageContext, requestLanguage } from '../http/views.ts'
import { hashWithdrawalToken, withdrawalTokenPattern } from './contact-form.ts'
import { addOwnQuestion, ownPath, questionsPerDay } from './own-path.ts'
import { withdrawContactRequest } from './queries.ts'

const withdrawQuery = z.object({ w: z.string().max(64).optional(), lang: z.string().max(16).optional(), sent: z.literal('1').optional() })
/** A question added to the path: the person's own words, under the same rule as an answer's free text. */
const questionBody = z.object({ question: ownWords.refine((value) => value !== '', { message: 'own.ask.empty' }) })

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

  /** The own path page; `form` is a question the person is sent back to correct, with its message. */
  async function pathPage(reply: FastifyReply, status: number, lang: Language, token: string, hash: string, form: { sent?: boolean; question?: string; error?: string } = {}) {
    const path = await ownPath(app.db, hash, lang)
    if (path === undefined) return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    const context = pageContext(lang, (t) => t('withdraw.title'), languageSwitcher('/withdraw', { w: token }))
    const dayFormat = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : `${lang}-BE`, { dateStyle: 'long', timeZone: 'UTC' })
    const day = (value: string) => dayFormat.format(new Date(`${value}T00:00:00Z`))
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .view('followup/withdraw', { ...context, token, path, day, maxText: maxFreeTextGraphemes, maxTextUnits: maxFreeTextCodePoints, questionsPerDay, ...form })
  }

  routes.get('/withdraw', { schema: { querystring: withdrawQuery } }, async (request, reply) => {
    const lang = requestLanguage(request)
    const hash = tokenHash(request.query.w)
    if (hash === undefined) return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    return pathPage(reply, 200, lang, request.query.w!, hash, { sent: request.query.sent === '1' })
  })

  /**
   * A new question on the same path (issue 19): the person comes back through their link and
   * asks again; nobody is recognised any other way. Refused input gets the page again with
   * the message under the field and the text kept; a dead link the same friendly 404.
   */
  routes.post('/withdraw/question', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>
    const lang = isLanguage(body.lang) ? body.lang : requestLanguage(request)
    const token = typeof body.w === 'string' ? body.w : ''
    const hash = tokenHash(token)
    if (hash === undefined) return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    const parsed = questionBody.safeParse(body)
    if (!parsed.success) {
      const typed = typeof body.question === 'string' ? body.question.slice(0, maxFreeTextCodePoints) : ''
      return pathPage(reply, 400, lang, token, hash, { question: typed, error: parsed.error.issues[0]!.message })
    }
    const result = await addOwnQuestion(app.db, hash, parsed.data.question, lang)
    if (result === 'missing') return page(reply, 404, lang, 'withdraw.unknown.title', 'withdraw.unknown.body')
    if (result === 'limit') return pathPage(reply, 429, lang, token, hash, { question: parsed.data.question, error: 'own.ask.limit' })
    request.log.info('question added to a path')
    return reply.redirect(`/withdraw?${new URLSearchParams({ w: token, lang, sent: '1' })}`, 303)
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
