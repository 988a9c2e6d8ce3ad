import { pathForLog } from '../ops/log-serializers.ts'
import csrfProtection from '@fastify/csrf-protection'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { audit } from '../audit/log.ts'
import { type CurrentUser } from '../auth/permissions.ts'
import { loadSessionUser } from '../auth/sessions.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import type { Region } from '../db/types.ts'
import { type CookieNames, cookieNames } from './cookies.ts'
import { anonymousCsrfUser, renderStaffMessage } from './page.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The staff cookies' names (the __Host- prefix over https). */
    staffCookies: CookieNames
  }
  interface FastifyRequest {
    /** The signed-in person, loaded fresh from the session on every staff request. */
    user: CurrentUser | null
    /** The region of a region-scoped route (src/staff/region-scope.ts); null elsewhere. */
    region: Region | null
  }
}

export interface StaffShellOptions {
  publicBaseUrl: string
}

const csrfCodes = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET'])

/** Where the denial happened, as the route's pattern: an id in a raw path would tell who probed which ids for nothing. */
/**
 * The route pattern (`/login/invite/:token`), never the address itself: whoever reads the
 * audit log must not find an invitation or share link in it. An unknown address has no
 * pattern: its path, without query and without any segment that could be a token.
 */
function routePattern(request: FastifyRequest): string {
  return (request.routeOptions.url ?? pathForLog(request)).slice(0, 200)
}

/**
 * The staff error page for what a person can act on; anything else goes on to the
 * application's handler (5xx with the request id, 413, 415).
 */
async function staffErrors(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const csrf = csrfCodes.has(error.code)
  // A malformed id is an unknown id: the 404 page, never a 400 that would tell ids apart.
  const status = error.validation && error.validationContext === 'params' ? 404 : error.statusCode
  if (status === 403 || status === 404) {
    await audit(this.db, {
      userId: request.user?.id ?? null,
      action: 'access.denied',
      detail: { method: request.method, path: routePattern(request), reason: csrf ? 'csrf' : status === 404 ? 'not_found' : 'forbidden' },
    })
  }
  if (status === 404) return renderStaffMessage(request, reply, 404, { title: 'admin.not_found.title', body: 'admin.not_found.body' })
  if (status === 403) {
    return renderStaffMessage(request, reply, 403, csrf ? { title: 'admin.csrf.title', body: 'admin.csrf.body' } : { title: 'admin.forbidden.title', body: 'admin.forbidden.body' })
  }
  if (status === 409) return renderStaffMessage(request, reply, 409, { title: 'admin.conflict.title', body: 'admin.conflict.body' })
  if (error.validation) {
    const field = error.validation[0]?.instancePath.replace(/^\//, '').split('/')[0] || error.validationContext || '?'
    return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'admin.bad_request.body' }, { field })
  }
  throw error
}

/**
 * The management shell, registered once inside the staff scope of app.ts (so that citizen
 * routes pay nothing for it): the session lookup (`request.user`), CSRF protection of every
 * state-changing request, and the staff error pages.
 */
async function staffShell(app: FastifyInstance, options: StaffShellOptions) {
  const cookies = cookieNames(options.publicBaseUrl)
  app.decorate('staffCookies', cookies)

  await app.register(csrfProtection, {
    cookieKey: cookies.csrf,
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: cookies.secure },
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
  app.decorateRequest('region', null)
  app.addHook('onRequest', async (request) => {
    const token = request.cookies[cookies.session]
    request.user = token ? ((await loadSessionUser(app.db, token)) ?? null) : null
  })
  // The body is parsed by now (onRequest would see none), and the route's schemas have not
  // run yet: a forged request is refused before anything else looks at it, the sign-in
  // check and the region lookup included (their hooks come after this one, same stage).
  app.addHook('preValidation', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD') return done()
    app.csrfProtection(request, reply, done)
  })

  app.setErrorHandler(staffErrors)
}

export default fp(staffShell, { name: 'staff', dependencies: ['db', 'views'] })

/**
 * Everything under /admin: a person without a session is sent to the sign-in page, and an
 * address that does not exist gets the staff 404 page (the same page as an unknown id).
 */
export const signedInArea = fp(
  async function signedInArea(app: FastifyInstance) {
    // preValidation, after the shell's CSRF check: an old tab's form after the session ended is a 403, not a quiet redirect.
    app.addHook('preValidation', async (request, reply) => {
      if (!request.user) {
        await reply.redirect('/login', 303)
        return reply
      }
    })
    app.setNotFoundHandler((request, reply) => renderStaffMessage(request, reply, 404, { title: 'admin.not_found.title', body: 'admin.not_found.body' }))
  },
  { name: 'staff-signed-in-area', dependencies: ['staff'] },
)
