import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { localDay } from '../answers/index.ts'
import { periodId } from '../answers/period-grid.ts'
import { disclosureTerms } from '../answers/index.ts'
import { translator } from '../i18n/i18n.ts'
import { periodName, presentFigures } from '../partners/index.ts'
import { allow, idSchema, NotFound, pageQuery, regionOf, renderStaffMessage, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { digestPdf } from './pdf.ts'
import { audit } from '../audit/log.ts'
import { createFeedLink, listFeedLinks, revokeFeedLink } from './feeds.ts'
import { formBody } from '../staff/index.ts'
import { sentCounts } from './mailing.ts'
import { digestMonths, lastCompleteMonth, loadDigest, outcomeKinds, parseDigestMonth } from './digest.ts'

/** `?month=YYYY-MM`: any string up to 16 characters reaches the handler, which answers an unusable one with the 400 page. */
const digestQuery = pageQuery.extend({ month: z.string().max(16).optional() })
const partnerParams = z.object({ partnerId: idSchema })

export interface DigestRouteOptions {
  publicBaseUrl: string
  partnerSecret: () => Promise<string>
  now?: () => Date
  /** SMTP_URL is set: the digest goes out by e-mail to its subscribers. */
  mailConfigured: boolean
}

/**
 * Under /admin/regions/:regionId (region scope): the region's digest and a partner's, for
 * the last complete month or one asked for. Who may open them is `can(user, 'view',
 * { type: 'digest' })`. A month that is not `YYYY-MM`, not on the grid or not complete yet
 * gets the 400 page and nothing is counted for it.
 */
export default async function digestRoutes(app: FastifyInstance, options: DigestRouteOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const today = () => localDay((options.now ?? (() => new Date()))().getTime())

  async function render(request: FastifyRequest, reply: FastifyReply, month: string | undefined, partnerId: number | undefined, format: 'page' | 'pdf', newFeedLink?: string) {
    const region = regionOf(request)
    const day = today()
    const parsed = month === undefined ? lastCompleteMonth(day) : parseDigestMonth(month, day)
    if (typeof parsed === 'string') return renderStaffMessage(request, reply, 400, { title: 'digest.month.bad.title', body: parsed === 'invalid' ? 'digest.month.invalid' : 'digest.month.not_complete' })
    const lang = staffLanguage(request)
    const t = translator(lang)
    const digest = await loadDigest(db, { regionId: region.id, ...(partnerId === undefined ? {} : { partnerId }), month: parsed, today: day, language: lang, partnerSecret: await options.partnerSecret() })
    const base = partnerId === undefined ? `/admin/regions/${region.id}/digest` : `/admin/regions/${region.id}/partners/${partnerId}/digest`
    const monthText = periodName(parsed, lang, t)
    const title = digest.scope.partnerName === null ? t('digest.title.region', { region: digest.scope.regionName, month: monthText }) : t('digest.title.partner', { partner: digest.scope.partnerName, month: monthText })
    if (format === 'pdf') {
      const pdf = await digestPdf({ digest, title, lang, t, generatedAt: (options.now ?? (() => new Date()))() })
      const name = `leervraag-digest-${partnerId === undefined ? `regio-${region.id}` : `partner-${partnerId}`}-${digest.monthId}.pdf`
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').send(pdf)
    }
    return renderStaffPage(
      request,
      reply,
      'digest/page',
      () => title,
      {
        digest,
        monthText,
        base,
        outcomeKinds,
        partnerView: digest.partner === null ? null : presentFigures(digest.partner, lang, t),
        months: digestMonths(day).map((m) => ({ id: periodId(m), name: periodName(m, lang, t), current: periodId(m) === digest.monthId })),
        disclosure: disclosureTerms,
        feedLinks: await listFeedLinks(db, { regionId: region.id, partnerId }),
        // What went out by e-mail for this month: counts per outcome only, never who.
        sent: await sentCounts(db, { regionId: region.id, partnerId }, digest.monthId),
        mailConfigured: options.mailConfigured,
        newFeedLink,
        pageStyle: 'partner',
      },
    )
  }

  for (const [path, format] of [['/digest', 'page'], ['/digest.pdf', 'pdf']] as const) {
    routes.get(path, { schema: { querystring: digestQuery } }, async (request, reply) => {
      const region = regionOf(request)
      allow(request, 'view', { type: 'digest', regionId: region.id })
      return render(request, reply, request.query.month, undefined, format)
    })

    routes.get(`/partners/:partnerId${path}`, { schema: { params: partnerParams, querystring: digestQuery } }, async (request, reply) => {
      const region = regionOf(request)
      // Scoped in SQL: another region's partner is not found here, as on the partner page.
      const partner = await db.selectFrom('partners').select('id').where('region_id', '=', region.id).where('id', '=', request.params.partnerId).executeTakeFirst()
      if (partner === undefined) throw new NotFound()
      allow(request, 'view', { type: 'digest', regionId: region.id, partnerId: partner.id })
      return render(request, reply, request.query.month, partner.id, format)
    })
  }

  /** The digest's scope from the route, after `can()`: the region's, or a partner of this region (else the 404 page). */
  async function scopeOf(request: FastifyRequest, partnerId: number | undefined) {
    const region = regionOf(request)
    if (partnerId !== undefined) {
      const partner = await db.selectFrom('partners').select('id').where('region_id', '=', region.id).where('id', '=', partnerId).executeTakeFirst()
      if (partner === undefined) throw new NotFound()
    }
    const user = allow(request, 'view', { type: 'digest', regionId: region.id, ...(partnerId === undefined ? {} : { partnerId }) })
    return { user, region, scope: { regionId: region.id, partnerId } }
  }
  const feedUrl = (token: string) => `${options.publicBaseUrl.replace(/\/$/, '')}/digest/feed/${token}`

  // Whoever may read the digest may make a feed link to it: the link grants no more than they see.
  // The new link is shown once, as the answer to the POST (never in a URL or the history).
  for (const prefix of ['', '/partners/:partnerId'] as const) {
    routes.post(`${prefix}/digest/feed`, { schema: { params: z.object({ partnerId: idSchema.optional() }), querystring: digestQuery, body: formBody } }, async (request, reply) => {
      const { user, region, scope } = await scopeOf(request, request.params.partnerId)
      const { id, token } = await createFeedLink(db, scope, user.id)
      await audit(db, { userId: user.id, action: 'digest_feed.create', resourceType: 'digest_feed_link', resourceId: id, regionId: region.id, detail: { partnerId: scope.partnerId ?? null } })
      return render(request, reply, undefined, scope.partnerId, 'page', feedUrl(token))
    })
    routes.post(
      `${prefix}/digest/feed/:feedId/revoke`,
      { schema: { params: z.object({ partnerId: idSchema.optional(), feedId: idSchema }), querystring: digestQuery, body: formBody } },
      async (request, reply) => {
        const { user, region, scope } = await scopeOf(request, request.params.partnerId)
        if (!(await revokeFeedLink(db, scope, request.params.feedId))) throw new NotFound()
        await audit(db, { userId: user.id, action: 'digest_feed.revoke', resourceType: 'digest_feed_link', resourceId: request.params.feedId, regionId: region.id, detail: { partnerId: scope.partnerId ?? null } })
        return reply.redirect(`/admin/regions/${region.id}${scope.partnerId === undefined ? '' : `/partners/${scope.partnerId}`}/digest`, 303)
      },
    )
  }
}
