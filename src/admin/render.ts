import type {} from '@fastify/csrf-protection'
import createError from '@fastify/error'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { defaultLanguage, type Language, type MessageKey } from '../i18n/i18n.ts'
import { languageSwitcher, pageContext, rememberLanguage, requestLanguage } from '../http/views.ts'
import { type CurrentUser, can } from '../auth/permissions.ts'

/** What CSRF tokens are bound to before sign-in (the library refuses an empty value). */
export const anonymousCsrfUser = 'anonymous'

/** Unknown ids and ids out of the person's scope get this one answer: the same 404 page. */
export const NotFound = createError('LV_NOT_FOUND', 'Not found', 404)
/** Inside the person's scope, but their role may not do this. */
export const Forbidden = createError('LV_FORBIDDEN', 'Forbidden', 403)

declare module 'fastify' {
  interface FastifyRequest {
    user: CurrentUser | null
  }
}

export interface PageOptions {
  status?: number
  /** The region whose menu the page shows. */
  region?: { id: number; name: string } | undefined
}

/** The languages the management pages are written in (admin.*.json); others fall back to Dutch. */
export const managementLanguages: Language[] = ['nl', 'en']

/**
 * The menu of a region: only the pages this person may open. The dashboard and its share
 * links live under /admin/dashboard, follow-up under its own layout; they are linked here
 * so that every page of a region can be found from the region's page.
 */
function regionMenu(user: CurrentUser | null, regionId: number): { href: string; label: MessageKey }[] {
  if (!user) return []
  const base = `/admin/regions/${regionId}`
  const dashboard = `/admin/dashboard/${regionId}`
  const manages = can(user, 'manage', { type: 'region', regionId })
  // The same rules as the pages themselves (admin/routes.ts for the dashboard, followup/access.ts).
  const seesDashboard = manages || (user.role === 'partner' && user.partnerIds.length === 1 && user.partnerRegionIds.includes(regionId))
  const worksQueue = (user.role === 'coordinator' || user.role === 'bridge') && user.regionIds.includes(regionId)
  const items: [string, MessageKey, boolean][] = [
    [base, 'admin.nav.overview', true],
    [dashboard, 'admin.nav.dashboard', seesDashboard],
    [base + '/activities', 'admin.activities.title', can(user, 'view', { type: 'activity', regionId })],
    [base + '/posters', 'admin.posters.title', can(user, 'view', { type: 'poster', regionId })],
    [base + '/locations', 'admin.locations.title', can(user, 'manage', { type: 'location', regionId })],
    [base + '/partners', 'admin.partners.title', can(user, 'view', { type: 'partner', regionId })],
    [base + '/themes', 'admin.themes.title', can(user, 'view', { type: 'theme', regionId })],
    [base + '/texts', 'admin.nav.texts', can(user, 'manage', { type: 'theme', regionId })],
    [base + '/moderation', 'admin.nav.moderation', manages],
    [base + '/followup', 'admin.nav.followup', worksQueue],
    [base + '/offers', 'admin.nav.offers', manages],
    [base + '/updates', 'admin.nav.updates', manages],
    [dashboard + '/share', 'admin.nav.share', manages],
    [base + '/api-tokens', 'api.tokens.title', manages],
    [base + '/users', 'admin.users.title', can(user, 'view', { type: 'user', regionId })],
    [base + '/audit', 'admin.audit.title', can(user, 'view', { type: 'audit', regionId })],
  ]
  return items.filter(([, , shown]) => shown).map(([href, label]) => ({ href, label }))
}

/** Renders a management page in the admin layout: language, menu, the CSRF token for its forms. */
export async function renderAdmin(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  title: MessageKey | ((t: (key: MessageKey) => string) => string),
  data: object = {},
  options: PageOptions = {},
) {
  const requested = requestLanguage(request)
  const lang = managementLanguages.includes(requested) ? requested : defaultLanguage
  rememberLanguage(request, reply, lang)
  const path = request.url.split('?')[0] ?? '/'
  const switcher = request.method === 'GET' ? languageSwitcher(path).filter((link) => managementLanguages.includes(link.code)) : []
  const context = pageContext(lang, (t) => (typeof title === 'string' ? t(title) : title(t)), switcher)
  const csrf = reply.generateCsrf({ userInfo: request.user?.sessionId ?? anonymousCsrfUser })
  return reply
    .code(options.status ?? 200)
    .header('cache-control', 'no-store')
    .view(template, {
      ...context,
      user: request.user,
      isAdmin: request.user?.role === 'admin',
      region: options.region,
      menu: options.region ? regionMenu(request.user, options.region.id) : [],
      csrf,
      path,
      ...data,
    })
}

/** Zod issues → one catalog message per field (the first issue wins). */
export function fieldErrors(error: z.ZodError): Record<string, MessageKey> {
  const errors: Record<string, MessageKey> = {}
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_')
    errors[field] ??= (issue.message.startsWith('admin.') ? issue.message : 'admin.error.invalid') as MessageKey
  }
  return errors
}

/** A positive integer id from a URL, or the 404 page (never a 400 that would tell ids apart). */
export function idParam(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) throw new NotFound()
  const id = Number(value)
  if (!Number.isSafeInteger(id) || id > 2 ** 31 - 1) throw new NotFound()
  return id
}
