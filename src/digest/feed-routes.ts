import { Feed } from 'feed'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { localDay } from '../answers/index.ts'
import { periodRange } from '../answers/period-grid.ts'
import { sendMessagePage } from '../http/errors.ts'
import { translator } from '../i18n/i18n.ts'
import { periodName } from '../partners/index.ts'
import { type Digest, digestMonths, loadDigest } from './digest.ts'
import { digestHtml } from './summary.ts'
import { digestForFeedToken } from './feeds.ts'

const feedParams = z.object({ token: z.string().max(100) })
const feedQuery = z.object({ lang: z.enum(['nl', 'en', 'fr']).optional() })

/** How many months a feed holds: a reader that was away for a while still gets each one. */
export const feedMonths = 6

/**
 * `GET /digest/feed/:token`: a digest's Atom feed, one entry per complete month, without a
 * session. Unknown, revoked and malformed tokens, and tokens whose maker may no longer see
 * the digest, all get the same 404 page.
 */
export default async function digestFeedRoutes(app: FastifyInstance, options: { publicBaseUrl: string; partnerSecret: () => Promise<string>; now?: () => Date }) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  routes.get('/digest/feed/:token', { schema: { params: feedParams, querystring: feedQuery } }, async (request, reply) => {
    const token = request.params.token
    const scope = /^[\w-]{43}$/.test(token) ? await digestForFeedToken(app.db, token) : undefined
    if (scope === undefined) return sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' })
    const lang = request.query.lang ?? 'nl'
    const t = translator(lang)
    const today = localDay((options.now ?? (() => new Date()))().getTime())
    const base = options.publicBaseUrl.replace(/\/$/, '')
    const secret = await options.partnerSecret()
    const digests: Digest[] = []
    for (const month of digestMonths(today, feedMonths)) {
      digests.push(await loadDigest(app.db, { regionId: scope.regionId, ...(scope.partnerId === undefined ? {} : { partnerId: scope.partnerId }), month, today, language: lang, partnerSecret: secret }))
    }
    const first = digests[0]!
    const name = first.scope.partnerName ?? first.scope.regionName
    // No rel="self" link: readers and aggregators show a feed's body further than its URL.
    // Ids are tag URIs of the digest's scope and month: stable, and without the token.
    const scopeTag = `tag:leervraag,2026:digest:region-${scope.regionId}${scope.partnerId === undefined ? '' : `:partner-${scope.partnerId}`}`
    // A month's entry is "updated" when the month ended: its figures never change after that.
    const monthEnd = (d: Digest) => new Date(`${periodRange(d.month, today).to}T23:59:59Z`)
    const feed = new Feed({ id: scopeTag, title: t('digest.feed.title', { name }), updated: monthEnd(first), generator: 'Leervraag', language: lang, link: base, copyright: name })
    for (const d of digests) {
      const monthText = periodName(d.month, lang, t)
      feed.addItem({
        title: d.scope.partnerName === null ? t('digest.title.region', { region: d.scope.regionName, month: monthText }) : t('digest.title.partner', { partner: d.scope.partnerName, month: monthText }),
        id: `${scopeTag}:${d.monthId}`,
        link: base,
        date: monthEnd(d),
        content: digestHtml(d, t),
      })
    }
    return reply
      .header('content-type', 'application/atom+xml; charset=utf-8')
      .header('cache-control', 'private, max-age=3600')
      // The token is in the URL: never send it on to another site.
      .header('referrer-policy', 'no-referrer')
      .send(feed.atom1())
  })
}
