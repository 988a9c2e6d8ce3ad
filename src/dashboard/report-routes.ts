import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { today } from '../answers/index.ts'
import { type Language, type MessageKey, translator } from '../i18n/i18n.ts'
import { warmPosterFont } from '../pdf/fonts.ts'
import type { DashboardModel } from './dashboard.ts'
import type { ParsedFilters } from './filters.ts'
import { presentDashboard } from './presentation.ts'
import type { RegionDirectory } from './queries.ts'
import { loadReportBack } from './report-back.ts'
import { filtersInWords, regionSlug, reportFileName, reportPdf, type ReportView } from './report-pdf.ts'

export interface ReportRequest {
  lang: Language
  directory: RegionDirectory
  parsed: ParsedFilters
  model: DashboardModel
  now: Date
  /** The dashboard's title or the share page's: the PDF is headed like the page it comes from. */
  titleKey: 'dashboard.title' | 'share.page.title'
  /** For a partner member's report: their organisation, and its id (the back side shows their own figures too). */
  partnerName?: string
  partnerId?: number
}

/**
 * Reports are drawn on the main thread: about 15–35 ms of CPU once the font is warm
 * (measured in test/dashboard/report-pdf.test.ts), one request at a time, by a
 * coordinator. But the first text laid out with Noto Sans costs about 500 ms (fontkit
 * reads its layout tables; see pdf/fonts.ts), and the poster worker's warm font is
 * in another thread. So the plugins that draw reports pay that once at start-up, before
 * the server listens, not in the middle of citizens' answers.
 */
export function warmReportFont(app: FastifyInstance): void {
  app.addHook('onReady', async () => warmPosterFont())
}

/**
 * Answers a report request with the PDF, for the dashboard and for share links alike.
 * The caller has refused filters that do not fit (the dashboard with its 400 page; a share
 * link has only its period, which its schema bounds): a PDF of another slice than the one
 * asked for would mislead.
 */
export async function sendReportPdf(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, report: ReportRequest) {
  const { lang, directory, parsed, model } = report
  const t = translator(lang)
  const page = presentDashboard(model, lang)
  // Only what a share link may show: never the word lists or anything else from free text.
  const view: ReportView = {
    k: page.k,
    periodText: page.periodText,
    headline: page.headline,
    weeks: page.weeks,
    themes: page.themes,
    emerging: page.emerging,
    breakdowns: page.breakdowns,
  }
  // The back side covers the last complete grid period (report-back.ts), the same for every slice of the front: filters narrow the front only.
  const scope = { regionId: directory.region.id, ...(report.partnerId === undefined ? {} : { partnerId: report.partnerId }) }
  const back = await loadReportBack(app.db, { scope, directory, grid: model.grid, today: today(report.now), language: lang, t })
  const started = performance.now()
  const pdf = await reportPdf({
    model,
    view,
    lang,
    title: t(report.titleKey, { region: directory.region.name }),
    periodName: t(`dashboard.form.kind.${parsed.grid.kind}` as MessageKey),
    filters: filtersInWords(parsed, directory, t),
    ...(report.partnerName === undefined ? {} : { scopeNote: t('dashboard.scope.partner', { partner: report.partnerName }) }),
    generatedAt: report.now,
    back,
  })
  request.log.debug({ ms: Math.round(performance.now() - started), bytes: pdf.length }, 'report PDF drawn')
  const name = reportFileName(await regionSlug(app.db, directory.region.id), model)
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'private, no-store')
    .header('content-language', lang)
    .send(pdf)
}
