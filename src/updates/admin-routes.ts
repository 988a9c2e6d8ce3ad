import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { allow, regionFromUrl } from '../admin/access.ts'
import { fieldErrors, idParam, NotFound, renderAdmin } from '../admin/render.ts'
import type { Region } from '../db/types.ts'
import { listVisibleThemes, themeLabel } from '../themes/queries.ts'
import { addRegionUpdate, listRegionUpdates, setRegionUpdateHidden } from './queries.ts'

const updateBody = z.object({
  body: z.string().trim().min(1, 'admin.error.required').max(600, 'admin.error.too_long'),
  theme_id: z.union([z.literal(''), z.string().regex(/^\d{1,9}$/)]).optional(),
})
const hideBody = z.object({ hidden: z.enum(['0', '1']) })

/**
 * /admin/regions/:regionId/updates: the coordinator writes short public updates ("what we
 * did with your answers"), each optionally about one theme, and hides them when outdated.
 */
export default async function updateAdminRoutes(app: FastifyInstance) {
  async function page(request: FastifyRequest, reply: FastifyReply, region: Region, values: object = {}, errors: object = {}, status = 200) {
    const updates = await listRegionUpdates(app.db, region.id, 'nl', { includeHidden: true })
    const themes = (await listVisibleThemes(app.db, region.id)).map((theme) => ({ id: theme.id, label: themeLabel(theme, 'nl') }))
    return renderAdmin(request, reply, 'updates/admin', 'updates.admin.title', { updates, themes, values, errors, publicPath: `/regio/${region.slug}` }, { status, region })
  }

  app.get('/updates', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    allow(request, 'manage', { type: 'region', regionId: region.id })
    return page(request, reply, region)
  })

  app.post('/updates', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const body = (request.body ?? {}) as Record<string, unknown>
    const parsed = updateBody.safeParse(body)
    if (!parsed.success) return page(request, reply, region, body, fieldErrors(parsed.error), 422)
    let themeId: number | null = null
    if (parsed.data.theme_id) {
      // Only a theme of this region: another region's id is an invalid choice, not a link across regions.
      const themes = await listVisibleThemes(app.db, region.id)
      themeId = themes.find((theme) => theme.id === Number(parsed.data.theme_id))?.id ?? null
      if (themeId === null) return page(request, reply, region, body, { theme_id: 'admin.error.invalid' }, 422)
    }
    const id = await addRegionUpdate(app.db, { regionId: region.id, themeId, body: parsed.data.body, userId: user.id })
    await audit(app.db, { userId: user.id, action: 'region_update.create', resourceType: 'region_update', resourceId: id, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/updates`, 303)
  })

  app.post<{ Params: { regionId: string; updateId: string } }>('/updates/:updateId/hide', async (request, reply) => {
    const region = await regionFromUrl(app.db, request)
    const user = allow(request, 'manage', { type: 'region', regionId: region.id })
    const updateId = idParam(request.params.updateId)
    const parsed = hideBody.safeParse(request.body ?? {})
    if (!parsed.success) throw new NotFound()
    if (!(await setRegionUpdateHidden(app.db, region.id, updateId, parsed.data.hidden === '1'))) throw new NotFound()
    await audit(app.db, { userId: user.id, action: parsed.data.hidden === '1' ? 'region_update.hide' : 'region_update.show', resourceType: 'region_update', resourceId: updateId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/updates`, 303)
  })
}
