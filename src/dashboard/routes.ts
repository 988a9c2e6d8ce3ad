import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { municipalitiesOf } from '../municipalities/index.ts'
import { partnerScope } from '../auth/permissions.ts'
import type { Database } from '../db/types.ts'
import { type MessageKey, translator } from '../i18n/i18n.ts'
import { allow, managementLanguages, NotFound, regionOf, renderStaffMessage, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { today } from '../answers/index.ts'
import { ageBandKeys, audiences, loadDashboard } from './dashboard.ts'
import { assistedChoices, dashboardQuery, type DashboardQuery, maxFilters, type Notice, noticeValues, offeredPeriods, type ParsedFilters, parseFilters } from './filters.ts'
import { periodId, periodRange } from '../answers/period-grid.ts'
import { dashboardCsv, presentDashboard } from './presentation.ts'
import { csvLanguageOf } from './csv-labels.ts'
import { dashboardQuotes, presentQuotes } from './quotes.ts'
import { type DashboardScope, regionDirectory, type RegionDirectory } from './queries.ts'
import { sendReportPdf, warmReportFont } from './report-routes.ts'

export interface DashboardOptions {
  /** The clock (tests pin it to their data set's last day). */
  now?: () => Date
}

/**
 * What the dashboard of the route's region shows this person, or the 403 page. A partner
 * member sees their own organisation's figures only: `can()` opens the dashboard to a
 * partner member of exactly one organisation, and `partnerScope` names it.
 */
function dashboardScopeOf(request: FastifyRequest): DashboardScope {
  const region = regionOf(request)
  const user = allow(request, 'view', { type: 'dashboard', regionId: region.id })
  const partners = partnerScope(user)
  return partners === 'all' ? { regionId: region.id } : { regionId: region.id, partnerId: partners[0]! }
}

/** The region's directory (scoped to the person's partner) and the filters read against it. */
async function sliceFor(db: Kysely<Database>, scope: DashboardScope, query: DashboardQuery, day: string) {
  const directory = await regionDirectory(db, scope)
  if (!directory) throw new NotFound()
  return { directory, parsed: parseFilters(query, directory, day) }
}

/** The figures of the slice. `words: false` reads no free text (the CSV and the PDF have no word statistics). */
async function figuresFor(db: Kysely<Database>, scope: DashboardScope, slice: { directory: RegionDirectory; parsed: ParsedFilters }, words: boolean, day: string) {
  const { directory, parsed } = slice
  const model = await loadDashboard(db, scope, parsed.filters, parsed.grid, day, words ? { directory } : { directory, textWindow: 0 })
  if (!model) throw new NotFound()
  return model
}

/**
 * Files are refused with the 400 page when a filter does not fit, before any figure is
 * read: a file of another slice than the one asked for would mislead. (The page instead
 * shows the dashboard without the value, with a message.)
 */
function refuseFile(request: FastifyRequest, reply: FastifyReply, notice: Notice) {
  const values = noticeValues(notice, translator(staffLanguage(request)))
  return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: notice.key }, values)
}

/**
 * The region dashboard (`/admin/dashboard/:regionId`), its CSV export and its report PDF (one sheet, two sides),
 * registered under the region scope (request.region). Filters are URL parameters; a value
 * that does not fit gives the dashboard with a message, never a 500.
 */
export default async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())
  warmReportFont(app)

  routes.get('', { schema: { querystring: dashboardQuery } }, async (request, reply) => {
    const scope = dashboardScopeOf(request)
    const day = today(now())
    const { directory, parsed } = await sliceFor(app.db, scope, request.query, day)
    const model = await figuresFor(app.db, scope, { directory, parsed }, true, day)
    const lang = staffLanguage(request)
    const t = translator(lang)
    const path = `/admin/dashboard/${directory.region.id}`
    const view = presentDashboard(model, lang)
    const notices = parsed.notices.map((notice) => t(notice.key, noticeValues(notice, t)))
    const partner = scope.partnerId === undefined ? undefined : directory.partners.find((p) => p.id === scope.partnerId)
    const print = request.query.print === '1'
    // Approved quotes of this slice: on screen only. Not in the CSV, on share links or on
    // paper (a printout travels as far as a share link, and the one page is full already).
    const quotes = print ? undefined : presentQuotes(await dashboardQuotes(app.db, scope, parsed.filters, parsed.grid, day, model), model, lang)
    // Unlike the staff pages' relative ?lang= links, these keep the filters: a language
    // change should not throw away the slice a person has chosen.
    const switcher = managementLanguages.map((code) => ({ code, name: code.toUpperCase(), href: `${path}?${new URLSearchParams({ ...parsed.params, lang: code })}` }))
    reply.header('content-language', lang)
    return renderStaffPage(
      request,
      reply,
      'dashboard/page',
      (t) => t('dashboard.title', { region: directory.region.name }),
      {
        switcher,
        // The dashboard's styles (views/partials/admin-dashboard-css.eta), and for ?print=1 the sheet as it will print.
        pageStyle: print ? 'dashboard-print' : 'dashboard',
        view,
        notices,
        scopeNote: partner ? t('dashboard.scope.partner', { partner: partner.name }) : undefined,
        form: {
          action: path,
          periods: offeredPeriods(day).map(({ kind, periods }) => ({
            kind,
            periods: periods.map((p) => {
              const days = periodRange(p, day)
              return { id: periodId(p), label: `${periodId(p)} (${days.from} – ${days.to})` }
            }),
          })),
          maxFilters,
          params: parsed.params,
          partners: scope.partnerId === undefined ? directory.partners : [],
          locations: directory.locations,
          // The municipalities of the region's locations (the filter accepts any code of the list; these are the ones with answers to show).
          municipalities: municipalitiesOf(directory.locations.map((location) => location.municipality_nis)).map(({ nis, name }) => ({ value: nis, label: name })),
          activities: directory.activities,
          audiences: audiences.map((value) => ({ value, label: t(`dashboard.audience.${value}` as MessageKey) })),
          ages: ageBandKeys.filter((band) => band !== '').map((value) => ({ value, label: t(`step2.age.${value}` as MessageKey) })),
          assisted: assistedChoices.map((value) => ({ value, label: t(`dashboard.assisted.${value}`) })),
        },
        csvHref: `${path}/export.csv?${new URLSearchParams({ ...parsed.params, lang }).toString()}`,
        csvFrenchHref: `${path}/export.csv?${new URLSearchParams({ ...parsed.params, lang: 'fr' }).toString()}`,
        quotes,
        print,
        pdfHref: `${path}/report.pdf?${new URLSearchParams({ ...parsed.params, lang }).toString()}`,
        printHref: `${path}?${new URLSearchParams({ ...parsed.params, lang, print: '1' }).toString()}`,
        backHref: `${path}?${new URLSearchParams({ ...parsed.params, lang }).toString()}`,
        // Share links are made for the whole region, by the people who manage it.
        shareHref: scope.partnerId === undefined ? `${path}/share` : undefined,
        updatesHref: scope.partnerId === undefined ? `/admin/regions/${directory.region.id}/updates` : undefined,
        apiTokensHref: scope.partnerId === undefined ? `/admin/regions/${directory.region.id}/api-tokens` : undefined,
      },
      { status: notices.length > 0 ? 400 : 200 },
    )
  })

  routes.get('/export.csv', { schema: { querystring: dashboardQuery } }, async (request, reply) => {
    const scope = dashboardScopeOf(request)
    const day = today(now())
    const slice = await sliceFor(app.db, scope, request.query, day)
    if (slice.parsed.notices[0]) return refuseFile(request, reply, slice.parsed.notices[0])
    const { directory } = slice
    const model = await figuresFor(app.db, scope, slice, false, day)
    const name = `leervraag-${directory.region.id}-${model.period.from}-${model.period.to}.csv`
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'private, no-store')
      // `?lang=fr` exports in French too, though the staff pages themselves have no French.
      .send(dashboardCsv(model, csvLanguageOf(request.query.lang, staffLanguage(request))))
  })

  // The report as a PDF (src/dashboard/report-routes.ts), its front with the page's filters.
  routes.get('/report.pdf', { schema: { querystring: dashboardQuery } }, async (request, reply) => {
    const scope = dashboardScopeOf(request)
    const day = today(now())
    const slice = await sliceFor(app.db, scope, request.query, day)
    if (slice.parsed.notices[0]) return refuseFile(request, reply, slice.parsed.notices[0])
    const { directory, parsed } = slice
    const model = await figuresFor(app.db, scope, slice, false, day)
    const partner = scope.partnerId === undefined ? undefined : directory.partners.find((p) => p.id === scope.partnerId)
    return sendReportPdf(app, request, reply, { lang: staffLanguage(request), directory, parsed, model, now: now(), titleKey: 'dashboard.title', partnerName: partner?.name, ...(scope.partnerId === undefined ? {} : { partnerId: scope.partnerId }) })
  })
}
