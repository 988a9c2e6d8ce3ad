import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { disclosureTerms, today } from '../answers/index.ts'
import { K } from '../answers/cell-key.ts'
import { type CsvCell, csvDocument, csvNumber } from '../http/csv.ts'
import { type Language, translator, type Translate } from '../i18n/i18n.ts'
import { requestLanguage } from '../http/views.ts'
import { can } from '../auth/permissions.ts'
import { parseMunicipalityCode } from '../municipalities/index.ts'
import { isOnPanel } from './criteria.ts'
import { loadEffect } from './effect.ts'
import { allow, currentUser, pageQuery, regionOf, renderStaffMessage, renderStaffPage, staffLanguage } from '../staff/index.ts'
import type { PlanRow, Series } from './plan.ts'
import { defaultPlanningPeriod, loadPlanning, offeredPeriods, parsePlanningPeriod, type PlanningModel } from './planning.ts'

export interface PlanningRouteOptions {
  /** The clock (tests pin it). */
  now?: () => Date
}

const planningQuery = pageQuery.extend({
  period: z.string().max(16).optional(),
  partner: z.string().max(12).optional(),
  /** A municipality's NIS code, as on the dashboard: a merged 2025 code reads as the new one. */
  municipality: z.string().max(16).optional(),
})

/** The languages the planning table and its CSV are written in (planning.*.json). */
const planningLanguages: readonly Language[] = ['nl', 'fr', 'en']

/** The CSV goes to partners and councils: in the person's language when the planning catalog has it. */
function csvLanguage(request: FastifyRequest): Language {
  const wanted = requestLanguage(request)
  return planningLanguages.includes(wanted) ? wanted : 'nl'
}

type Refusal = {
  key: 'admin.planning.period.invalid' | 'admin.planning.period.not_complete' | 'admin.planning.partner.invalid' | 'admin.planning.activity.invalid' | 'admin.planning.municipality.invalid'
}

/**
 * /admin/regions/:regionId/planning and its CSV, under the region scope. Who sees what is
 * decided here once: a coordinator (or admin) may pick a partner to compare with the rest;
 * a partner member always sees their own organisation beside the rest.
 */
export default async function planningRoutes(app: FastifyInstance, options: PlanningRouteOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())

  async function modelFor(request: FastifyRequest, query: z.infer<typeof planningQuery>, language: string): Promise<PlanningModel | Refusal> {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'planning', regionId: region.id })
    const day = today(now())
    let period = defaultPlanningPeriod(day)
    if (query.period !== undefined && query.period !== '') {
      const parsed = parsePlanningPeriod(query.period, day)
      if (parsed === 'invalid') return { key: 'admin.planning.period.invalid' }
      if (parsed === 'not_complete') return { key: 'admin.planning.period.not_complete' }
      period = parsed
    }
    const viewerIsPartner = user.role === 'partner'
    let partnerId: number | undefined
    if (viewerIsPartner) {
      partnerId = user.partnerIds[0]
      // A partner member compares their own organisation; naming another is refused, with the same words as an unknown one.
      if (query.partner !== undefined && query.partner !== '' && query.partner !== String(partnerId)) return { key: 'admin.planning.partner.invalid' }
    } else if (query.partner !== undefined && query.partner !== '') {
      if (!/^[1-9]\d{0,9}$/.test(query.partner)) return { key: 'admin.planning.partner.invalid' }
      partnerId = Number(query.partner)
    }
    let municipality: string | undefined
    if (query.municipality !== undefined && query.municipality !== '') {
      // Read as the dashboard's filter reads it.
      municipality = parseMunicipalityCode(query.municipality)
      if (municipality === undefined) return { key: 'admin.planning.municipality.invalid' }
    }
    const model = await loadPlanning(app.db, {
      regionId: region.id,
      period,
      today: day,
      language,
      ...(partnerId === undefined ? {} : { partnerId }),
      viewerIsPartner,
      ...(municipality === undefined ? {} : { municipality }),
    })
    if (partnerId !== undefined && !model.partners.some((partner) => partner.id === partnerId)) return { key: 'admin.planning.partner.invalid' }
    return model
  }

  function refuse(request: FastifyRequest, reply: FastifyReply, refusal: Refusal) {
    return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: refusal.key })
  }

  routes.get('/planning', { schema: { querystring: planningQuery } }, async (request, reply) => {
    const lang = staffLanguage(request)
    const model = await modelFor(request, request.query, lang)
    if ('key' in model) return refuse(request, reply, model)
    const region = regionOf(request)
    const user = currentUser(request)
    const params = new URLSearchParams({
      period: model.periodId,
      ...(model.partner && user.role !== 'partner' ? { partner: String(model.partner.id) } : {}),
      ...(model.municipality ? { municipality: model.municipality.nis } : {}),
    })
    const csvBase = `/admin/regions/${region.id}/planning/export.csv?${params.toString()}`
    return renderStaffPage(request, reply, 'planning/page', 'admin.planning.title', {
      model,
      k: K,
      disclosure: disclosureTerms,
      pageStyle: 'planning',
      canPickPartner: user.role !== 'partner',
      proposalsHref: can(user, 'view', { type: 'proposal', regionId: region.id, onPanel: await isOnPanel(app.db, region.id, user.id) }) ? `/admin/regions/${region.id}/planning/proposals` : null,
      periods: offeredPeriods(today(now())),
      csv: { own: `${csvBase}&lang=${csvLanguage(request)}`, all: planningLanguages.map((code) => ({ code, href: `${csvBase}&lang=${code}` })) },
      numbers: new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    })
  })

  routes.get('/planning/effect', { schema: { querystring: pageQuery.extend({ activity: z.string().max(12).optional() }) } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'planning', regionId: region.id })
    const partnerId = user.role === 'partner' ? user.partnerIds[0] : undefined
    // The activities one may pick: the region's (coordinators), or one's own partner's.
    let activities = app.db.selectFrom('activities').select(['id', 'title']).where('region_id', '=', region.id).where('state', '=', 'planned')
    if (partnerId !== undefined) activities = activities.where('partner_id', '=', partnerId)
    const choices = await activities.orderBy('title').execute()
    let activityId: number | undefined
    if (request.query.activity !== undefined && request.query.activity !== '') {
      activityId = choices.find((choice) => String(choice.id) === request.query.activity)?.id
      if (activityId === undefined) return refuse(request, reply, { key: 'admin.planning.activity.invalid' })
    }
    const rows = await loadEffect(app.db, { regionId: region.id, ...(partnerId === undefined ? {} : { partnerId }), ...(activityId === undefined ? {} : { activityId }) }, today(now()))
    const lang = staffLanguage(request)
    return renderStaffPage(request, reply, 'planning/effect', 'admin.effect.title', {
      rows,
      choices,
      activityId,
      partnerName: partnerId === undefined ? null : ((await app.db.selectFrom('partners').select('name').where('id', '=', partnerId).executeTakeFirst())?.name ?? null),
      pageStyle: 'planning',
      numbers: new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
    })
  })

  routes.get('/planning/export.csv', { schema: { querystring: planningQuery } }, async (request, reply) => {
    const lang = csvLanguage(request)
    const model = await modelFor(request, request.query, lang)
    if ('key' in model) return refuse(request, reply, model)
    const region = regionOf(request)
    const name = `leervraag-planning-${region.id}-${model.periodId}${model.municipality ? `-${model.municipality.nis}` : ''}${model.partner ? `-partner-${model.partner.id}` : ''}.csv`
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .header('cache-control', 'no-store')
      .send(planningCsv(model, translator(lang)))
  })
}

/** The same table as the page, one row per theme, in the order of the page. */
function planningCsv(model: PlanningModel, t: Translate): string {
  const share = (series: Series | null): CsvCell => (series?.share === null || series === null ? '' : csvNumber(series.share, 1))
  const figure = (value: number | null | undefined): CsvCell => (value === null || value === undefined ? '' : csvNumber(value))
  const header: CsvCell[] = [
    t('admin.planning.col.theme'),
    t('admin.planning.col.verdict'),
    t('admin.planning.col.demand'),
    t('admin.planning.col.share'),
    t('admin.planning.col.previous'),
    t('admin.planning.col.trend'),
    t('admin.planning.col.emerging'),
    t('admin.planning.col.supply'),
    t('admin.planning.col.offers'),
    t('admin.planning.col.activities'),
    t('admin.planning.col.partners'),
    t('admin.planning.col.pressure'),
  ]
  if (model.partner) header.push(t('admin.planning.col.partner_demand'), t('admin.planning.col.partner_share'), t('admin.planning.col.rest_demand'), t('admin.planning.col.rest_share'))
  const rows: CsvCell[][] = [[t('admin.planning.csv.period', { period: model.periodId, from: model.range.from, to: model.range.to })], header]
  for (const row of model.rows) {
    const basis = row.basis === 'region' ? row.region : row.partner
    const line: CsvCell[] = [
      row.label,
      t(`admin.planning.verdict.${row.verdict}`),
      figure(row.region?.demand),
      share(row.region),
      figure(row.region?.previous),
      figure(row.region?.trend),
      basis?.emerging ? t('admin.planning.yes') : '',
      csvNumber(row.supplyCount),
      csvNumber(row.supply.filter((item) => item.kind === 'offer').length),
      csvNumber(row.supply.filter((item) => item.kind === 'activity').length),
      partnersOf(row).join(', '),
      figure(row.pressure),
    ]
    if (model.partner) line.push(figure(row.partner?.demand), share(row.partner), figure(row.rest?.demand), share(row.rest))
    rows.push(line)
  }
  return csvDocument(rows)
}

/** Who offers something for a theme, each name once. */
function partnersOf(row: PlanRow): string[] {
  return [...new Set(row.supply.map((item) => item.partner))]
}
