import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { loadOrCreateSecret } from '../db/secrets.ts'
import type { Database } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import type { CookieNames } from './cookies.ts'
import { fieldErrors, formBody, pageQuery, withDone } from './forms.ts'
import { renderStaffMessage, renderStaffPage } from './page.ts'
import { acceptInvitation, findUsableInvitation } from '../auth/invitations.ts'
import { findUsableReset, usePasswordReset } from '../auth/password-resets.ts'
import { maxPasswordLength, minPasswordLength, verifyAgainstNothing, verifyPassword } from '../auth/passwords.ts'
import { absoluteTimeoutMs, createSession, deleteExpiredSessions, endSession } from '../auth/sessions.ts'
import { accountLimit, clearFailures, clientLimit, forgetOldFailures, lockedFor, recordFailure } from '../auth/throttle.ts'
import { keyedHash } from '../auth/tokens.ts'
import { findUserByEmail, normalizeEmail } from '../auth/users.ts'

const message = (key: MessageKey) => ({ message: key })

const loginBody = z.object({
  email: z.string(message('admin.login.failed')).trim().min(1, message('admin.error.required')).max(254, message('admin.login.failed')),
  password: z.string(message('admin.error.required')).min(1, message('admin.error.required')).max(maxPasswordLength, message('admin.login.failed')),
})

const passwordFields = {
  password: z
    .string(message('admin.error.required'))
    .min(minPasswordLength, message('admin.password.too_short'))
    .max(maxPasswordLength, message('admin.password.too_long')),
  password_again: z.string(message('admin.error.required')),
}

const inviteBody = z
  .object({ name: z.string(message('admin.error.required')).trim().min(1, message('admin.error.required')).max(200, message('admin.error.too_long')), ...passwordFields })
  .refine((body) => body.password === body.password_again, { message: 'admin.password.mismatch', path: ['password_again'] })

const inviteParams = z.object({ token: z.string().min(1).max(200) })

const resetBody = z.object(passwordFields).refine((body) => body.password === body.password_again, { message: 'admin.password.mismatch', path: ['password_again'] })

/** A new session id at every sign-in; a session id the browser brought along is ended, never adopted. */
async function signIn(db: Kysely<Database>, cookies: CookieNames, request: FastifyRequest, reply: FastifyReply, userId: number) {
  const previous = request.cookies[cookies.session]
  if (previous) await endSession(db, previous)
  // Housekeeping at a moment that is rare and not in a hurry: sessions past their
  // timeouts and throttling counters that have run out.
  await deleteExpiredSessions(db)
  await forgetOldFailures(db)
  reply.setCookie(cookies.session, await createSession(db, userId), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
    maxAge: Math.floor(absoluteTimeoutMs / 1000),
  })
  await db.updateTable('users').set({ last_login_at: new Date().toISOString() }).where('id', '=', userId).execute()
  await audit(db, { userId, action: 'login.success' })
  return reply.redirect('/admin', 303)
}

/** A reset link that is reused, expired, forged or for a disabled account: one page for all. */
function invalidReset(request: FastifyRequest, reply: FastifyReply) {
  return renderStaffMessage(request, reply, 404, { title: 'admin.reset.invalid.title', body: 'admin.reset.invalid.body' })
}

function invalidInvitation(request: FastifyRequest, reply: FastifyReply) {
  return renderStaffMessage(request, reply, 404, { title: 'admin.invite.invalid.title', body: 'admin.invite.invalid.body' })
}

/**
 * /login, /logout and accepting an invitation: the pages around a session. They live in the
 * shell (not in auth/, which holds the rules and stores and renders no page) and are
 * registered in the staff scope after the shell.
 */
export default async function authRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const cookies = app.staffCookies
  const throttleSecret = await loadOrCreateSecret(db, 'login-throttle')
  const loginPage = (request: FastifyRequest, reply: FastifyReply, email: string, extra: object = {}, status = 200) =>
    renderStaffPage(request, reply, 'auth/login', 'admin.login.title', { values: { email }, ...extra }, { status })

  routes.get('/login', { schema: { querystring: pageQuery } }, async (request, reply) => {
    if (request.user) return reply.redirect('/admin', 303)
    return renderStaffPage(request, reply, 'auth/login', 'admin.login.title', { values: {} })
  })

  routes.post('/login', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const parsed = loginBody.safeParse(request.body)
    const typed = request.body.email
    const typedEmail = typeof typed === 'string' ? typed.slice(0, 254) : ''
    if (!parsed.success) return loginPage(request, reply, typedEmail, { error: 'admin.login.failed' }, 400)

    const email = normalizeEmail(parsed.data.email)
    const accountKey = keyedHash(throttleSecret, `account:${email}`)
    const clientKey = keyedHash(throttleSecret, `client:${request.ip}`)
    const wait = Math.max(await lockedFor(db, accountKey), await lockedFor(db, clientKey))
    if (wait > 0) {
      await audit(db, { userId: null, action: 'login.throttled' })
      return loginPage(request, reply, typedEmail, { error: 'admin.login.locked', minutes: Math.ceil(wait / 60_000) }, 429)
    }

    const user = await findUserByEmail(db, email)
    // Unknown and disabled accounts cost one full password check too: same time, same answer.
    const valid = user ? await verifyPassword(parsed.data.password, user.password_hash) : await verifyAgainstNothing(parsed.data.password)
    if (!valid || !user || user.disabled_at !== null) {
      await recordFailure(db, accountKey, accountLimit)
      await recordFailure(db, clientKey, clientLimit)
      // The typed address is not logged: it may be a password typed in the wrong field.
      await audit(db, { userId: user?.id ?? null, action: 'login.failure', detail: { known_account: user !== undefined } })
      return loginPage(request, reply, typedEmail, { error: 'admin.login.failed' }, 401)
    }
    await clearFailures(db, accountKey)
    return signIn(db, cookies, request, reply, user.id)
  })

  // The sign-out link of the staff message pages (which carry no CSRF token) lands here: one button.
  routes.get('/logout', { schema: { querystring: pageQuery } }, async (request, reply) => {
    if (!request.user) return reply.redirect('/login', 303)
    return renderStaffPage(request, reply, 'auth/logout', 'admin.logout.title')
  })

  routes.post('/logout', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const token = request.cookies[cookies.session]
    if (token) await endSession(db, token)
    if (request.user) await audit(db, { userId: request.user.id, action: 'logout' })
    reply.clearCookie(cookies.session, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookies.secure })
    return reply.redirect('/login', 303)
  })

  routes.get('/login/invite/:token', { schema: { params: inviteParams, querystring: pageQuery } }, async (request, reply) => {
    const invitation = await findUsableInvitation(db, request.params.token)
    if (!invitation) return invalidInvitation(request, reply)
    return renderStaffPage(request, reply, 'auth/invite', 'admin.invite.title', { invitation, values: {}, errors: {} })
  })

  routes.post('/login/invite/:token', { schema: { params: inviteParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const invitation = await findUsableInvitation(db, request.params.token)
    if (!invitation) return invalidInvitation(request, reply)
    const parsed = inviteBody.safeParse(request.body)
    if (!parsed.success) {
      return renderStaffPage(request, reply, 'auth/invite', 'admin.invite.title', { invitation, values: { name: request.body.name }, errors: fieldErrors(parsed.error) }, { status: 422 })
    }
    const result = await acceptInvitation(db, request.params.token, parsed.data)
    if (!result.ok && result.reason === 'account_exists') {
      return renderStaffMessage(request, reply, 409, { title: 'admin.invite.exists.title', body: 'admin.invite.exists.body' })
    }
    if (!result.ok) return invalidInvitation(request, reply)
    await audit(db, {
      userId: result.userId,
      action: 'invitation.accept',
      resourceType: 'user',
      resourceId: result.userId,
      regionId: result.invitation.region_id,
      detail: { role: result.invitation.role },
    })
    return signIn(db, cookies, request, reply, result.userId)
  })

  // A reset link made by an admin or coordinator (src/auth/password-resets.ts). The token is a
  // route parameter named `token`, so the request log shows `/login/reset/[token]`.
  routes.get('/login/reset/:token', { schema: { params: inviteParams, querystring: pageQuery } }, async (request, reply) => {
    const reset = await findUsableReset(db, request.params.token)
    if (!reset) return invalidReset(request, reply)
    return renderStaffPage(request, reply, 'auth/reset', 'admin.reset.title', { reset, errors: {} })
  })

  routes.post('/login/reset/:token', { schema: { params: inviteParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const reset = await findUsableReset(db, request.params.token)
    if (!reset) return invalidReset(request, reply)
    const parsed = resetBody.safeParse(request.body)
    if (!parsed.success) return renderStaffPage(request, reply, 'auth/reset', 'admin.reset.title', { reset, errors: fieldErrors(parsed.error) }, { status: 422 })
    const userId = await usePasswordReset(db, request.params.token, parsed.data.password)
    if (userId === undefined) return invalidReset(request, reply)
    await audit(db, { userId, action: 'password_reset.use', resourceType: 'user', resourceId: userId, detail: { reset: reset.id } })
    // Every session of the account has ended (this browser's too, if it was signed in as that
    // account): sign in with the new password.
    if (request.user?.id === userId) reply.clearCookie(cookies.session, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookies.secure })
    return reply.redirect(withDone('/login', 'password.changed'), 303)
  })
}
