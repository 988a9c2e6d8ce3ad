import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sendMessagePage } from '../http/errors.ts'
import { languageSwitcher, pageContext } from '../http/views.ts'
import { managementLanguages, staffLanguage } from '../staff/index.ts'
import { loadDashboard } from './dashboard.ts'
import { parseFilters } from './filters.ts'
import { today } from '../answers/index.ts'
import { presentDashboard, type DashboardView } from './presentation.ts'
import { regionDirectory } from './queries.ts'
import { sendReportPdf, warmReportFont } from './report-routes.ts'
import { regionForShareToken } from './share-links.ts'

export interface ShareOptions {
  /** The clock (tests pin it). */
  now?: () => Date
}

const shareParams = z.object({ token: z.string().max(100) })
/** A share link offers the current week, month, quarter and year of the grid (each up to yesterday). */
const sharePeriods = ['week', 'month', 'quarter', 'year'] as const
type SharePeriod = (typeof sharePeriods)[number]
const shareQuery = z.object({
  period: z.enum(sharePeriods).optional().catch(undefined),
  print: z.string().max(4).optional(),
  lang: z.string().max(16).optional(),
})

/**
 * What a share link shows: the published aggregates and nothing else. Word lists, rising
 * words and anything derived from free text stay in the signed-in dashboard, because a
 * link can be forwarded to anyone; filters other than the period are not offered, so a
 * visitor cannot narrow the slice until a small group stands out.
 */
export type ShareView = Pick<DashboardView, 'k' | 'periodText' | 'throughText' | 'headline' | 'weeks' | 'themes' | 'emerging' | 'breakdowns' | 'ageByLocation'>

function shareView(view: DashboardView): ShareView {
  const { k, periodText, throughText, headline, weeks, themes, emerging, breakdowns, ageByLocation } = view
  return { k, periodText, throughText, headline, weeks, themes, emerging, breakdowns, ageByLocation }
}

/**
 * `GET /r/:token`: a region's dashboard without signing in, read-only. Public, outside the
 * staff scope; in the management pages' languages (a coordinator forwards the link).
 */
export default async function shareRoutes(app: FastifyInstance, options: ShareOptions = {}) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())
  warmReportFont(app)

  /** The share link's region and its dashboard, or a 404 page already sent. */
  async function openShare(request: FastifyRequest, reply: FastifyReply, token: string, requestedPeriod: SharePeriod | undefined) {
    // Unknown, revoked and malformed tokens get the ordinary 404 page: nothing tells them apart.
    const regionId = /^[\w-]{43}$/.test(token) ? await regionForShareToken(app.db, token) : undefined
    const directory = regionId === undefined ? undefined : await regionDirectory(app.db, { regionId })
    if (regionId === undefined || !directory) {
      await sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' })
      return undefined
    }
    const period = requestedPeriod ?? 'quarter'
    const day = today(now())
    const parsed = parseFilters({ period }, directory, day)
    // No free text is read: a share link shows no word statistics.
    const model = await loadDashboard(app.db, { regionId }, parsed.filters, parsed.grid, day, { directory, textWindow: 0 })
    if (!model) {
      await sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' })
      return undefined
    }
    return { token, directory, period, parsed, model }
  }

  routes.get('/r/:token', { schema: { params: shareParams, querystring: shareQuery } }, async (request, reply) => {
    const opened = await openShare(request, reply, request.params.token, request.query.period)
    if (!opened) return reply
    const { token, directory, period, model } = opened
    const lang = staffLanguage(request)
    const path = `/r/${token}`
    const print = request.query.print === '1'
    const params: Record<string, string> = { period }
    const switcher = print ? [] : languageSwitcher(path, params).filter((link) => managementLanguages.includes(link.code))
    const context = pageContext(lang, (t) => t('share.page.title', { region: directory.region.name }), switcher)
    return reply
      .header('cache-control', 'private, no-store')
      .header('content-language', lang)
      // The token is in the URL: never send it on to another site.
      .header('referrer-policy', 'no-referrer')
      .view('dashboard/share', {
        ...context,
        view: shareView(presentDashboard(model, lang)),
        print,
        period,
        periods: sharePeriods.map((name) => ({ name, href: `${path}?${new URLSearchParams({ period: name, lang })}`, current: name === period })),
        printHref: `${path}?${new URLSearchParams({ period, lang, print: '1' })}`,
        pdfHref: `${path}/report.pdf?${new URLSearchParams({ period, lang })}`,
        backHref: `${path}?${new URLSearchParams({ period, lang })}`,
      })
  })

  // The same report as a PDF: the share page's aggregates, nothing from free text.
  routes.get('/r/:token/report.pdf', { schema: { params: shareParams, querystring: shareQuery } }, async (request, reply) => {
    const opened = await openShare(request, reply, request.params.token, request.query.period)
    if (!opened) return reply
    reply.header('referrer-policy', 'no-referrer')
    return sendReportPdf(app, request, reply, { lang: staffLanguage(request), directory: opened.directory, parsed: opened.parsed, model: opened.model, now: now(), titleKey: 'share.page.title' })
  })
}
