import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import type { CookieNames } from '../admin/plugin.ts'
import { fieldErrors, renderAdmin } from '../admin/render.ts'
import { acceptInvitation, findUsableInvitation } from './invitations.ts'
import { maxPasswordLength, minPasswordLength, verifyAgainstNothing, verifyPassword } from './passwords.ts'
import { absoluteTimeoutMs, createSession, deleteExpiredSessions, endSession } from './sessions.ts'
import { accountLimit, clearFailures, clientLimit, forgetOldFailures, lockedFor, recordFailure } from './throttle.ts'
import { keyedHash } from './tokens.ts'
import { findUserByEmail, normalizeEmail } from './users.ts'

const message = (key: MessageKey) => ({ message: key })

const loginBody = z.object({
  email: z.string(message('admin.login.failed')).trim().min(1, message('admin.error.required')).max(254, message('admin.login.failed')),
  password: z.string(message('admin.error.required')).min(1, message('admin.error.required')).max(maxPasswordLength, message('admin.login.failed')),
})

export const passwordFields = {
  password: z
    .string(message('admin.error.required'))
    .min(minPasswordLength, message('admin.password.too_short'))
    .max(maxPasswordLength, message('admin.password.too_long')),
  password_again: z.string(message('admin.error.required')),
}

const inviteBody = z
  .object({ name: z.string(message('admin.error.required')).trim().min(1, message('admin.error.required')).max(200, message('admin.error.too_long')), ...passwordFields })
  .refine((body) => body.password === body.password_again, { message: 'admin.password.mismatch', path: ['password_again'] })

export default async function authRoutes(app: FastifyInstance, options: { cookies: CookieNames; publicBaseUrl: string }) {
  const { cookies } = options
  const throttleSecret = await loadOrCreateSecret(app.db, 'login-throttle')

  function startSession(reply: FastifyReply, token: string) {
    reply.setCookie(cookies.session, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookies.secure,
      maxAge: Math.floor(absoluteTimeoutMs / 1000),
    })
  }

  /** A new session id at every sign-in; a session id the browser brought along is ended, never adopted. */
  async function signIn(request: FastifyRequest, reply: FastifyReply, userId: number) {
    const previous = request.cookies[cookies.session]
    if (previous) await endSession(app.db, previous)
    // Housekeeping at a moment that is rare and not in a hurry: sessions past their
    // timeouts and throttling counters that have run out.
    await deleteExpiredSessions(app.db)
    await forgetOldFailures(app.db)
    startSession(reply, await createSession(app.db, userId))
    await app.db.updateTable('users').set({ last_login_at: new Date().toISOString() }).where('id', '=', userId).execute()
    await audit(app.db, { userId, action: 'login.success' })
    return reply.redirect('/admin', 303)
  }

  app.get('/login', async (request, reply) => {
    if (request.user) return reply.redirect('/admin', 303)
    return renderAdmin(request, reply, 'auth/login', 'admin.login.title', { values: {} })
  })

  app.post('/login', async (request, reply) => {
    const parsed = loginBody.safeParse(request.body ?? {})
    const typedEmail = typeof (request.body as Record<string, unknown>)?.email === 'string' ? String((request.body as Record<string, string>).email).slice(0, 254) : ''
    if (!parsed.success) return renderAdmin(request, reply, 'auth/login', 'admin.login.title', { values: { email: typedEmail }, error: 'admin.login.failed' }, { status: 400 })

    const email = normalizeEmail(parsed.data.email)
    const accountKey = keyedHash(throttleSecret, `account:${email}`)
    const clientKey = keyedHash(throttleSecret, `client:${request.ip}`)
    const wait = Math.max(await lockedFor(app.db, accountKey), await lockedFor(app.db, clientKey))
    if (wait > 0) {
      await audit(app.db, { userId: null, action: 'login.throttled' })
      return renderAdmin(
        request,
        reply,
        'auth/login',
        'admin.login.title',
        { values: { email: typedEmail }, error: 'admin.login.locked', minutes: Math.ceil(wait / 60_000) },
        { status: 429 },
      )
    }

    const user = await findUserByEmail(app.db, email)
    // Unknown and disabled accounts cost one full password check too: same time, same answer.
    const valid = user ? await verifyPassword(parsed.data.password, user.password_hash) : await verifyAgainstNothing(parsed.data.password)
    if (!valid || !user || user.disabled_at !== null) {
      await recordFailure(app.db, accountKey, accountLimit)
      await recordFailure(app.db, clientKey, clientLimit)
      // The typed address is not logged: it may be a password typed in the wrong field.
      await audit(app.db, { userId: user?.id ?? null, action: 'login.failure', detail: { known_account: user !== undefined } })
      return renderAdmin(request, reply, 'auth/login', 'admin.login.title', { values: { email: typedEmail }, error: 'admin.login.failed' }, { status: 401 })
    }
    await clearFailures(app.db, accountKey)
    return signIn(request, reply, user.id)
  })

  app.post('/logout', async (request, reply) => {
    const token = request.cookies[cookies.session]
    if (token) await endSession(app.db, token)
    if (request.user) await audit(app.db, { userId: request.user.id, action: 'logout' })
    reply.clearCookie(cookies.session, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookies.secure })
    return reply.redirect('/login', 303)
  })

  async function invalidInvitation(request: FastifyRequest, reply: FastifyReply) {
    return renderAdmin(request, reply, 'admin/message', 'admin.invite.invalid.title', { body: 'admin.invite.invalid.body' }, { status: 404 })
  }

  app.get<{ Params: { token: string } }>('/login/invite/:token', async (request, reply) => {
    const invitation = await findUsableInvitation(app.db, request.params.token)
    if (!invitation) return invalidInvitation(request, reply)
    return renderAdmin(request, reply, 'auth/invite', 'admin.invite.title', { invitation, values: {}, errors: {} })
  })

  app.post<{ Params: { token: string } }>('/login/invite/:token', async (request, reply) => {
    const invitation = await findUsableInvitation(app.db, request.params.token)
    if (!invitation) return invalidInvitation(request, reply)
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = inviteBody.safeParse(body)
    if (!parsed.success) {
      return renderAdmin(request, reply, 'auth/invite', 'admin.invite.title', { invitation, values: { name: body.name }, errors: fieldErrors(parsed.error) }, { status: 422 })
    }
    const result = await acceptInvitation(app.db, request.params.token, parsed.data)
    if (!result.ok && result.reason === 'account_exists') {
      return renderAdmin(request, reply, 'admin/message', 'admin.invite.exists.title', { body: 'admin.invite.exists.body' }, { status: 409 })
    }
    if (!result.ok) return invalidInvitation(request, reply)
    await audit(app.db, {
      userId: result.userId,
      action: 'invitation.accept',
      resourceType: 'user',
      resourceId: result.userId,
      regionId: result.invitation.region_id,
      detail: { role: result.invitation.role },
    })
    return signIn(request, reply, result.userId)
  })
}
