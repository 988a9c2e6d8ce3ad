import createError from '@fastify/error'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { MessageKey } from '../i18n/i18n.ts'
import { pageContext, requestLanguage } from './views.ts'

/**
 * The database cannot take a write right now (disk full, file or server read-only, the
 * connection gone). Nothing was stored, and trying again later will work once an operator
 * has made room: a 503 with Retry-After, not a 500 that says "something broke".
 */
const DatabaseUnavailable = createError<[string]>('LV_DATABASE_UNAVAILABLE', 'The database cannot store anything right now (%s)', 503)

/** How long a person (or a retrying client) is asked to wait after a 503. */
export const unavailableRetrySeconds = 60

/** SQLite's result codes (better-sqlite3 puts the extended code in `code`). */
const sqliteUnavailable = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN|NOTADB|BUSY|LOCKED)(_|$)/
/** PostgreSQL: 53xxx insufficient resources (53100 disk_full), 25006 read_only_sql_transaction, 08xxx connection, 57P0x shut down. */
const postgresUnavailable = /^(53\d\d\d|25006|08\d\d\d|57P0[1-4])$/
const connectionLost = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENOSPC', 'EROFS', 'EIO'])

/** Whether an error means "the database cannot store anything now" rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'LV_DATABASE_UNAVAILABLE') return true
  if (typeof code === 'string' && (sqliteUnavailable.test(code) || postgresUnavailable.test(code) || connectionLost.has(code))) return true
  // pg's pool reports a dropped or timed-out connection with a message and no code.
  const message = error instanceof Error ? error.message : ''
  return /^(Connection terminated|timeout exceeded when trying to connect)/.test(message)
}

/** The same error as DatabaseUnavailable (keeps the original as `cause` for the log); other errors unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (!isDatabaseUnavailable(error) || (error as { code?: unknown }).code === 'LV_DATABASE_UNAVAILABLE') return error
  const code = String((error as { code?: unknown }).code ?? (error as Error).message)
  return Object.assign(new DatabaseUnavailable(code), { cause: error })
}

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
      if (isDatabaseUnavailable(error)) {
        // Not a bug to page anyone about at night, but an operator must see it: warn, with the code.
        const cause = (error as { cause?: { code?: unknown } }).cause
        request.log.warn({ code: cause?.code ?? error.code, detail: error.message }, 'database unavailable')
        reply.header('retry-after', String(unavailableRetrySeconds))
        return sendMessagePage(request, reply, 503, { title: 'page.unavailable.title', body: 'page.unavailable.body' })
      }
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
