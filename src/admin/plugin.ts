import csrfProtection from '@fastify/csrf-protection'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit } from '../audit/log.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import authRoutes from '../auth/routes.ts'
import { loadSessionUser } from '../auth/sessions.ts'
import adminRoutes from './routes.ts'
import followupRoutes from '../followup/routes.ts'
import { anonymousCsrfUser, renderAdmin } from './render.ts'

export interface ManagementOptions {
  publicBaseUrl: string
}

export interface CookieNames {
  session: string
  csrf: string
  secure: boolean
}

/**
 * Everything behind a sign-in: /login, /logout and /admin. Encapsulated, so that the
 * session lookup and the CSRF check run on these routes only and cost the citizen
 * routes nothing.
 */
export default async function management(app: FastifyInstance, options: ManagementOptions) {
  // Over https the cookies get the __Host- prefix (Secure, Path=/, no Domain: another
  // subdomain cannot set or overwrite them); plain http is for a laptop on localhost.
  const secure = options.publicBaseUrl.startsWith('https:')
  const cookies: CookieNames = {
    session: secure ? '__Host-session' : 'session',
    csrf: secure ? '__Host-csrf' : 'csrf',
    secure,
  }

  await app.register(csrfProtection, {
    cookieKey: cookies.csrf,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure },
    // Tokens are bound to the session (or to "no session" on the sign-in form), so a token
    // from another session is refused even when its secret cookie was planted.
    getUserInfo: (request: FastifyRequest) => request.user?.sessionId ?? anonymousCsrfUser,
    // Forms only: the token travels in the body, never in a header or the URL.
    getToken: (request: FastifyRequest) => {
      const token = (request.body as Record<string, unknown> | undefined)?._csrf
      return typeof token === 'string' ? token : undefined
    },
    csrfOpts: { hmacKey: await loadOrCreateSecret(app.db, 'csrf-hmac'), userInfo: true },
    logLevel: 'info',
  })

  app.decorateRequest('user', null)
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[cookies.session]
    request.user = token ? ((await loadSessionUser(app.db, token)) ?? null) : null
  })
  // The body is parsed by now (onRequest would see none): check every state-changing request.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done()
    app.csrfProtection(request, reply, done)
  })

  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const csrf = error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
    if (error.statusCode === 403 || error.statusCode === 404) {
      await audit(app.db, {
        userId: request.user?.id ?? null,
        action: 'access.denied',
        detail: { method: request.method, path: request.url.split('?')[0]!.slice(0, 200), reason: csrf ? 'csrf' : error.statusCode === 404 ? 'not_found' : 'forbidden' },
      })
    }
    if (error.statusCode === 403) {
      return renderAdmin(request, reply, 'admin/message', csrf ? 'admin.csrf.title' : 'admin.forbidden.title', { body: csrf ? 'admin.csrf.body' : 'admin.forbidden.body' }, { status: 403 })
    }
    // Everything else (the 404 page included, so that it is the same page as for an
    // unknown address) is rendered by the application's error handler.
    throw error
  })

  await app.register(authRoutes, { cookies, publicBaseUrl: options.publicBaseUrl })
  await app.register(adminRoutes, { prefix: '/admin', publicBaseUrl: options.publicBaseUrl })
  // Follow-up: the bridge figures' queue, learning offers, moderation, data subject requests.
  await app.register(followupRoutes, {
    prefix: '/admin',
    currentUser: (request) => request.user && { id: request.user.id, role: request.user.role, regionIds: request.user.regionIds },
    audit: (event) => audit(app.db, event),
    csrfToken: (request, reply) => reply.generateCsrf({ userInfo: request.user?.sessionId ?? anonymousCsrfUser }),
  })
}
