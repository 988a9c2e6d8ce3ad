import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sendMessagePage } from '../http/errors.ts'
import { languageSwitcher, pageContext, requestLanguage } from '../http/views.ts'
import { defaultLanguage, type Language, type MessageKey } from '../i18n/i18n.ts'
import { managementLanguages } from '../admin/render.ts'
import { ageBandKeys, audiences, loadDashboard } from './dashboard.ts'
import { dashboardQuery, type DashboardQuery, parseFilters } from './filters.ts'
import { today } from './period.ts'
import { dashboardCsv, presentDashboard } from './presentation.ts'
import { dashboardQuotes, presentQuotes } from './quotes.ts'
import { type DashboardScope, regionDirectory } from './queries.ts'
import { sendReportPdf, warmReportFont } from './report-routes.ts'

/**
 * Who may see which dashboards. The accounts feature decides; this plugin only asks.
 * `regionIds: 'all'` is an admin; a partner member has one region and `partnerId`.
 */
export interface DashboardAccess {
  regionIds: readonly number[] | 'all'
  partnerId?: number
}

export interface DashboardOptions {
  /** Resolves the signed-in person's access; undefined when they have none. */
  access(request: FastifyRequest): Promise<DashboardAccess | undefined> | DashboardAccess | undefined
  /** The clock (tests pin it). */
  now?: () => Date
}

/** Management pages, the dashboard among them, speak Dutch and English. */
function dashboardLanguage(request: FastifyRequest): Language {
  const requested = requestLanguage(request)
  return managementLanguages.includes(requested) ? requested : defaultLanguage
}

const regionParams = z.object({ regionId: z.string().regex(/^\d{1,9}$/) })

/**
 * The region dashboard (`/admin/dashboard/:regionId`) and its CSV export. Filters are URL
 * parameters; a value that does not fit gives the dashboard with a message, never a 500.
 */
export default async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())
  warmReportFont(app)

  async function scopeFor(request: FastifyRequest, reply: FastifyReply, regionId: number): Promise<DashboardScope | undefined> {
    const access = await options.access(request)
    if (access === undefined) {
      await sendMessagePage(request, reply, 403, { title: 'dashboard.no_access.title', body: 'dashboard.no_access.body' })
      return undefined
    }
    // Another region's dashboard looks exactly like one that does not exist, so ids cannot be probed.
    if (access.regionIds !== 'all' && !access.regionIds.includes(regionId)) {
      await sendMessagePage(request, reply, 404, { title: 'dashboard.region_unknown.title', body: 'dashboard.region_unknown.body' })
      return undefined
    }
    return access.partnerId === undefined ? { regionId } : { regionId, partnerId: access.partnerId }
  }

  /** `words: false` reads no free text: the CSV and the PDF have no word statistics. */
  async function prepare(request: FastifyRequest, reply: FastifyReply, params: { regionId: string }, query: DashboardQuery, words = true) {
    const regionId = Number(params.regionId)
    const scope = await scopeFor(request, reply, regionId)
    if (!scope) return undefined
    const directory = await regionDirectory(app.db, scope)
    if (!directory) {
      await sendMessagePage(request, reply, 404, { title: 'dashboard.region_unknown.title', body: 'dashboard.region_unknown.body' })
      return undefined
    }
    const parsed = parseFilters(query, directory, today(now()))
    const model = await loadDashboard(app.db, scope, parsed.filters, parsed.period, words ? { directory } : { directory, textWindow: 0 })
    return model ? { scope, directory, parsed, model } : undefined
  }

  routes.get(
    '/dashboard/:regionId',
    { schema: { params: regionParams, querystring: dashboardQuery } },
    async (request, reply) => {
      const prepared = await prepare(request, reply, request.params, request.query)
      if (!prepared) return reply
      const { scope, directory, parsed, model } = prepared
      const lang = dashboardLanguage(request)
      // Links follow where the plugin is mounted (/admin in the app).
      const path = `${app.prefix}/dashboard/${directory.region.id}`
      const switcher = languageSwitcher(path, parsed.params).filter((link) => managementLanguages.includes(link.code))
      const context = pageContext(lang, (t) => t('dashboard.title', { region: directory.region.name }), switcher)
      const view = presentDashboard(model, lang)
      const t = context.t
      const notices = parsed.notices.map((notice) =>
        t(notice.key, notice.values?.name ? { name: t(`dashboard.filter.${notice.values.name}` as MessageKey) } : notice.values),
      )
      const partner = scope.partnerId === undefined ? undefined : directory.partners.find((p) => p.id === scope.partnerId)
      const print = request.query.print === '1'
      // Approved quotes of this slice: on screen only. Not in the CSV, on share links or on
      // paper (a printout travels as far as a share link, and the one page is full already).
      const quotes = print ? undefined : presentQuotes(await dashboardQuotes(app.db, scope, parsed.filters, parsed.period, model), model, lang)
      return reply
        .code(notices.length > 0 ? 400 : 200)
        .header('cache-control', 'private, no-store')
        .header('content-language', lang)
        .view('dashboard/page', {
          ...context,
          view,
          notices,
          scopeNote: partner ? t('dashboard.scope.partner', { partner: partner.name }) : undefined,
          form: {
            action: path,
            periodName: parsed.periodName,
            period: parsed.period,
            params: parsed.params,
            partners: scope.partnerId === undefined ? directory.partners : [],
            locations: directory.locations,
            activities: directory.activities,
            audiences: audiences.map((value) => ({ value, label: t(`dashboard.audience.${value}` as MessageKey) })),
            ages: ageBandKeys.filter((band) => band !== '').map((value) => ({ value, label: t(`step2.age.${value}` as MessageKey) })),
          },
          csvHref: `${path}/export.csv?${new URLSearchParams(parsed.params).toString()}`,
          quotes,
          print,
          pdfHref: `${path}/report.pdf?${new URLSearchParams({ ...parsed.params, lang }).toString()}`,
          printHref: `${path}?${new URLSearchParams({ ...parsed.params, lang, print: '1' }).toString()}`,
          backHref: `${path}?${new URLSearchParams({ ...parsed.params, lang }).toString()}`,
          // Share links are made for the whole region, by the people who manage it.
          shareHref: scope.partnerId === undefined ? `${path}/share` : undefined,
          updatesHref: scope.partnerId === undefined ? `/admin/regions/${directory.region.id}/updates` : undefined,
          apiTokensHref: scope.partnerId === undefined ? `/admin/regions/${directory.region.id}/api-tokens` : undefined,
        })
    },
  )

  routes.get(
    '/dashboard/:regionId/export.csv',
    { schema: { params: regionParams, querystring: dashboardQuery } },
    async (request, reply) => {
      const prepared = await prepare(request, reply, request.params, request.query, false)
      if (!prepared) return reply
      const { directory, parsed, model } = prepared
      if (parsed.notices.length > 0) {
        return sendMessagePage(request, reply, 400, { title: 'page.bad_request.title', body: parsed.notices[0]!.key }, { name: parsed.notices[0]!.values?.name ?? '' })
      }
      const lang = dashboardLanguage(request)
      const name = `leervraag-${directory.region.id}-${model.period.from}-${model.period.to}.csv`
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'private, no-store')
        .send(dashboardCsv(model, lang))
    },
  )

  // The one-page report as a PDF (src/dashboard/report-routes.ts), with the page's filters.
  routes.get(
    '/dashboard/:regionId/report.pdf',
    { schema: { params: regionParams, querystring: dashboardQuery } },
    async (request, reply) => {
      const prepared = await prepare(request, reply, request.params, request.query, false)
      if (!prepared) return reply
      const { scope, directory, parsed, model } = prepared
      const lang = dashboardLanguage(request)
      const partner = scope.partnerId === undefined ? undefined : directory.partners.find((p) => p.id === scope.partnerId)
      return sendReportPdf(app, request, reply, { lang, directory, parsed, model, now: now(), titleKey: 'dashboard.title', partnerName: partner?.name })
    },
  )
}
