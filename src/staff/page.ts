import type {} from '@fastify/csrf-protection'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { can, type CurrentUser, userRegionIds } from '../auth/permissions.ts'
import { listRegionsIn } from '../auth/users.ts'
import { defaultLanguage, type Language, type MessageKey, type Translate } from '../i18n/i18n.ts'
import { pageContext, rememberLanguage, requestLanguage } from '../http/views.ts'
import { type DoneKey, doneQuery } from './forms.ts'
import { mainMenu, type RegionLink, regionMenu, regionSwitcher } from './menu.ts'

/** What CSRF tokens are bound to before sign-in (the library refuses an empty value). */
export const anonymousCsrfUser = 'anonymous'

/** The languages the management pages are written in (admin.*.json); others fall back to Dutch. */
export const managementLanguages: Language[] = ['nl', 'en']

export function staffLanguage(request: FastifyRequest): Language {
  const requested = requestLanguage(request)
  return managementLanguages.includes(requested) ? requested : defaultLanguage
}

/**
 * The language links of the message pages. They are relative (`?lang=en`): the same bytes
 * on every message page, so that a 404 for an id out of scope cannot differ from a 404 for
 * an unknown id by its links.
 */
const switcher = managementLanguages.map((code) => ({ code, name: code.toUpperCase(), href: `?lang=${code}` }))

/**
 * The language links of a page: the same address in another language, keeping what the
 * person chose (a poster's print format, the dashboard's filters); only `lang` and the
 * one-time confirmation `done` are left out.
 */
function switcherFor(request: FastifyRequest) {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''
  const kept = new URLSearchParams(query)
  kept.delete('lang')
  kept.delete('done')
  return managementLanguages.map((code) => {
    const params = new URLSearchParams(kept)
    params.set('lang', code)
    return { code, name: code.toUpperCase(), href: `?${params.toString()}` }
  })
}

/** A fresh CSRF token for this person's forms (bound to their session, or to "no session"). */
function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: request.user?.sessionId ?? anonymousCsrfUser })
}

/** The confirmation a page shows (`?done=`), re-checked here because not every route's schema reads it. */
function doneOf(request: FastifyRequest): DoneKey | undefined {
  const parsed = doneQuery.safeParse((request.query as { done?: unknown } | undefined)?.done)
  return parsed.success ? parsed.data : undefined
}

export interface PageOptions {
  status?: number
  /** The region whose menu the page shows; by default the region of a region-scoped route. */
  region?: { id: number; name: string } | undefined
}

export type PageTitle = MessageKey | ((t: Translate) => string)

function layoutData(request: FastifyRequest, reply: FastifyReply, title: PageTitle, links: typeof switcher) {
  const lang = staffLanguage(request)
  rememberLanguage(request, reply, lang)
  return pageContext(lang, (t) => (typeof title === 'string' ? t(title) : title(t)), links)
}

/**
 * Renders a staff page in the staff layout (views/layouts/staff.eta): the person's
 * language, the menu (asked of `can()`), on a region's page the switcher to the person's
 * other regions, a CSRF token for the page's forms, never cached.
 */
export async function renderStaffPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  title: PageTitle,
  data: object = {},
  options: PageOptions = {},
) {
  const user: CurrentUser | null = request.user
  const region = 'region' in options ? options.region : (request.region ?? undefined)
  const path = request.url.split('?')[0] ?? '/'
  // Admins reach every region from the regions page; the others switch between their own.
  const switchable = user && region && user.role !== 'admin' && userRegionIds(user).length > 1
  const regionSwitch: RegionLink[] = switchable ? regionSwitcher(user, region.id, path, await listRegionsIn(request.server.db, userRegionIds(user))) : []
  // The switcher ends with the overview over all of those regions, for whom `can()` opens it.
  const regionsOverview = switchable && can(user, 'view', { type: 'regions-overview' }) ? '/admin/planning/overview' : undefined
  return reply
    .code(options.status ?? 200)
    .header('cache-control', 'no-store')
    .view(template, {
      ...layoutData(request, reply, title, switcherFor(request)),
      user,
      nav: user ? mainMenu(user) : [],
      region: region && { id: region.id, name: region.name },
      menu: user && region ? regionMenu(user, region.id) : [],
      regionSwitch,
      regionsOverview,
      csrf: csrfTokenFor(request, reply),
      path,
      done: doneOf(request),
      ...data,
    })
}

export interface MessageText {
  title: MessageKey
  body: MessageKey
}

/**
 * The staff message page (400, 403, 404, 409) in the staff layout. It is the same bytes
 * for the same person and status whatever the address: no region menu or region switcher,
 * no current path, no CSRF token (sign-out is then a link to the GET /logout page, which has the form).
 * So an id out of the person's scope cannot be told from an unknown one.
 */
export async function renderStaffMessage(request: FastifyRequest, reply: FastifyReply, status: number, text: MessageText, values: Record<string, string> = {}) {
  const user = request.user
  const context = layoutData(request, reply, text.title, switcher)
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .view('staff/message', { ...context, user, nav: user ? mainMenu(user) : [], region: undefined, menu: [], regionSwitch: [], csrf: undefined, path: undefined, message: context.t(text.body, values) })
}
