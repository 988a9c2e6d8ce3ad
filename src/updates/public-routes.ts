import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { sendMessagePage } from '../http/errors.ts'
import { languageSwitcher, pageContext, requestLanguage } from '../http/views.ts'
import { listRegionUpdates } from './queries.ts'

const slugParams = z.object({ slug: z.string().max(100) })
const langQuery = z.object({ lang: z.string().max(16).optional() })

/**
 * `GET /regio/:slug`: what the region did with the answers, for the citizens who gave
 * them. Public, in the citizen languages; a region without visible updates is a 404 (the
 * thank-you page links here only when there is something to read).
 */
export default async function updatePublicRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  routes.get('/regio/:slug', { schema: { params: slugParams, querystring: langQuery } }, async (request, reply) => {
    const region = await app.db.selectFrom('regions').select(['id', 'name', 'slug', 'default_language']).where('slug', '=', request.params.slug).executeTakeFirst()
    const lang = requestLanguage(request, region?.default_language)
    const updates = region ? await listRegionUpdates(app.db, region.id, lang) : []
    if (!region || updates.length === 0) return sendMessagePage(request, reply, 404, { title: 'page.not_found.title', body: 'page.not_found.body' })
    const format = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'Europe/Brussels' })
    const context = pageContext(lang, (t) => t('thanks.results'), languageSwitcher(`/regio/${region.slug}`))
    return reply
      .header('cache-control', 'public, max-age=300')
      .view('updates/public', {
        ...context,
        regionName: region.name,
        updates: updates.map((u) => ({ ...u, date: format.format(new Date(u.createdAt)) })),
      })
  })
}
