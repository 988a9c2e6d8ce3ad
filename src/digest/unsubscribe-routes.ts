import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { type Language, translator } from '../i18n/i18n.ts'
import { pageContext, requestLanguage } from '../http/views.ts'
import { findUnsubscribe, mailLanguages, unsubscribe, type UnsubscribeTarget } from './subscriptions.ts'

// Any length reaches the handler, so that a token too long gets the same friendly page as any other wrong one.
const params = z.object({ token: z.string() })
const query = z.object({ lang: z.string().max(16).optional() })

/**
 * `/digest/unsubscribe/:token`, without a session: the link in every digest e-mail.
 *
 * GET shows one button and changes nothing (mail scanners and link previews fetch every
 * link in a message; RFC 8058 §3 says a GET must not unsubscribe). POST unsubscribes: the
 * page's button, or a mail client's own "unsubscribe" (RFC 8058: `List-Unsubscribe=One-Click`
 * posted to the List-Unsubscribe URL, without cookies, so no CSRF token can be asked). The
 * token is the only key: 256 random bits, stored as its sha256, used once. An unknown,
 * malformed or used token gets one friendly page, the same bytes for each.
 */
export default async function unsubscribeRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  // RFC 8058 allows the one-click POST as multipart/form-data too; its body says nothing we need.
  app.addContentTypeParser('multipart/form-data', (_request, payload, done) => {
    payload.resume()
    payload.on('end', () => done(null, {}))
    payload.on('error', (error) => done(error as Error, undefined))
  })

  /** The page's language: ?lang= when it is one of the e-mail languages, else the e-mail's, else the browser's (nl, en or fr). */
  function languageOf(request: FastifyRequest, target: UnsubscribeTarget | undefined): Language {
    const asked = (request.query as { lang?: string }).lang
    if (asked !== undefined && (mailLanguages as readonly string[]).includes(asked)) return asked as Language
    if (target !== undefined && (mailLanguages as readonly string[]).includes(target.language)) return target.language as Language
    const browser = requestLanguage(request)
    return (mailLanguages as readonly string[]).includes(browser) ? browser : 'nl'
  }

  function show(reply: FastifyReply, status: number, lang: Language, data: { title: 'digest.unsubscribe.title' | 'digest.unsubscribe.done.title' | 'digest.unsubscribe.invalid.title'; message: string; form?: boolean }) {
    const context = pageContext(lang, (t) => t(data.title))
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      // The token is in the address: never pass it on to another site.
      .header('referrer-policy', 'no-referrer')
      .view('digest/unsubscribe', { ...context, heading: context.t(data.title), message: data.message, form: data.form === true })
  }

  const digestName = (lang: Language, target: UnsubscribeTarget) => {
    const t = translator(lang)
    return target.partnerName === null ? t('digest.unsubscribe.region', { region: target.regionName }) : t('digest.unsubscribe.partner', { partner: target.partnerName, region: target.regionName })
  }
  const invalid = (request: FastifyRequest, reply: FastifyReply) => {
    const lang = languageOf(request, undefined)
    return show(reply, 404, lang, { title: 'digest.unsubscribe.invalid.title', message: translator(lang)('digest.unsubscribe.invalid.body') })
  }

  routes.get('/digest/unsubscribe/:token', { schema: { params, querystring: query } }, async (request, reply) => {
    const target = await findUnsubscribe(db, request.params.token)
    if (target === undefined) return invalid(request, reply)
    const lang = languageOf(request, target)
    return show(reply, 200, lang, { title: 'digest.unsubscribe.title', message: translator(lang)('digest.unsubscribe.confirm', { digest: digestName(lang, target) }), form: true })
  })

  routes.post('/digest/unsubscribe/:token', { schema: { params, querystring: query } }, async (request, reply) => {
    const target = await findUnsubscribe(db, request.params.token)
    if (target === undefined || !(await unsubscribe(db, target))) return invalid(request, reply)
    await audit(db, { userId: target.userId, action: 'digest_subscription.unsubscribe', resourceType: 'user', resourceId: target.userId, detail: { scope: target.scopeKey, via: 'link' } })
    const lang = languageOf(request, target)
    return show(reply, 200, lang, { title: 'digest.unsubscribe.done.title', message: translator(lang)('digest.unsubscribe.done.body', { digest: digestName(lang, target) }) })
  })
}
