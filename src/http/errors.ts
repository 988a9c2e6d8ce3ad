import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { MessageKey } from '../i18n/i18n.ts'
import { pageContext, requestLanguage } from './views.ts'

interface PageText {
  title: MessageKey
  body: MessageKey
}

/** Which friendly page each kind of client error gets. */
function pageFor(error: FastifyError, status: number): PageText {
  if (status === 404) return { title: 'page.not_found.title', body: 'page.not_found.body' }
  if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { title: 'page.too_large.title', body: 'page.too_large.body' }
  if (status === 415) return { title: 'page.unsupported.title', body: 'page.unsupported.body' }
  return { title: 'page.bad_request.title', body: 'page.bad_request.body' }
}

/** Renders a plain message page in the person's language (also used by feature routes). */
export async function sendMessagePage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  text: PageText,
  values: Record<string, string> = {},
) {
  const lang = requestLanguage(request)
  const context = pageContext(lang, (t) => t(text.title))
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .view('capture/message', { ...context, heading: context.t(text.title), message: context.t(text.body, values) })
}

/**
 * The one error handler. 4xx: a page that tells the person what to do, in their
 * language. 5xx: a generic page with the request id, and the detail in the log only.
 */
export default fp(
  async function errors(app: FastifyInstance) {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        return sendMessagePage(request, reply, status, { title: 'page.error.title', body: 'page.error.body' }, { id: String(request.id) })
      }
      request.log.info({ code: error.code, status }, 'client error')
      return sendMessagePage(request, reply, status, pageFor(error, status))
    })

    app.setNotFoundHandler(async (request, reply) =>
      sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' }),
    )
  },
  { name: 'errors', dependencies: ['views'] },
)
