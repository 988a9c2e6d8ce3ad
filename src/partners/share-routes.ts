import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { localDay } from '../answers/index.ts'
import { partnerForShareToken } from '../dashboard/index.ts'
import { sendMessagePage } from '../http/errors.ts'
import { languageSwitcher, pageContext } from '../http/views.ts'
import { managementLanguages, staffLanguage } from '../staff/index.ts'
import { completePeriods, partnerFigures } from './figures.ts'
import { choosePeriod, type PartnerPageOptions, periodName, presentFigures } from './page.ts'
import { periodId } from '../answers/period-grid.ts'

const shareParams = z.object({ token: z.string().max(100) })
const shareQuery = z.object({ period: z.string().max(16).optional(), lang: z.string().max(16).optional() })

/**
 * `GET /r/p/:token`: one partner's page without signing in, read-only: the same protected
 * figures as the signed-in page (the same records publish the same numbers), no share links,
 * no form. Unknown, revoked, malformed and region tokens get the ordinary 404 page.
 */
export default async function partnerSharePages(app: FastifyInstance, options: PartnerPageOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  routes.get('/r/p/:token', { schema: { params: shareParams, querystring: shareQuery } }, async (request, reply) => {
    const token = request.params.token
    const link = /^[\w-]{43}$/.test(token) ? await partnerForShareToken(app.db, token) : undefined
    const names =
      link &&
      (await app.db
        .selectFrom('partners')
        .innerJoin('regions', 'regions.id', 'partners.region_id')
        .select(['partners.name as partner', 'regions.name as region'])
        .where('partners.id', '=', link.partnerId)
        .where('partners.region_id', '=', link.regionId)
        .executeTakeFirst())
    if (!link || !names) return sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' })
    const lang = staffLanguage(request)
    const today = localDay((options.now ?? (() => new Date()))().getTime())
    const period = choosePeriod(request.query.period, today)
    const figures = await partnerFigures(app.db, { regionId: link.regionId, partnerId: link.partnerId, period, today, secret: await options.secret() })
    const path = `/r/p/${token}`
    const switcher = languageSwitcher(path, { period: periodId(period) }).filter((l) => managementLanguages.includes(l.code))
    const context = pageContext(lang, (t) => t('admin.partner.page.share.title', { partner: names.partner, region: names.region }), switcher)
    return reply
      .header('cache-control', 'private, no-store')
      .header('content-language', lang)
      // The token is in the URL: never send it on to another site.
      .header('referrer-policy', 'no-referrer')
      .view('partners/share', {
        ...context,
        partnerName: names.partner,
        view: presentFigures(figures, lang, context.t),
        periods: completePeriods(today).map((p) => ({ id: periodId(p), kind: p.kind, name: periodName(p, lang, context.t), current: periodId(p) === periodId(period) })),
        base: path,
        shared: true,
      })
  })
}
