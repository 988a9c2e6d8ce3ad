import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import type { Database, Region } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { allow, type FieldErrors, fieldErrors, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffMessage, renderStaffPage } from '../staff/index.ts'
import { listVisibleThemes, themeLabel } from '../themes/index.ts'
import { addRegionUpdate, listRegionUpdates, setRegionUpdateHidden } from './queries.ts'

const message = (key: MessageKey) => ({ message: key })

const updateBody = z.object({
  body: z.string(message('admin.error.required')).trim().min(1, message('admin.error.required')).max(600, message('admin.error.too_long')),
  theme_id: z.union([z.literal(''), z.string().regex(/^\d{1,9}$/)], message('admin.error.invalid')).optional(),
})
// Hiding and showing are buttons with a fixed value: anything else was not sent by the page.
const hideBody = z.object({ hidden: z.enum(['0', '1']) })
const updateParams = z.object({ updateId: idSchema })

async function updatesPage(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, values: FormFields = {}, errors: FieldErrors = {}, status = 200) {
  const updates = await listRegionUpdates(db, region.id, 'nl', { includeHidden: true })
  const themes = (await listVisibleThemes(db, region.id)).map((theme) => ({ id: theme.id, label: themeLabel(theme, 'nl') }))
  return renderStaffPage(request, reply, 'updates/admin', 'updates.admin.title', { updates, themes, values, errors, publicPath: `/regio/${region.slug}` }, { status })
}

/**
 * /admin/regions/:regionId/updates: the coordinator writes short public updates ("what we
 * did with your answers"), each optionally about one theme, and hides them when outdated.
 */
export default async function updateAdminRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db
  const back = (region: Region) => `/admin/regions/${region.id}/updates`

  routes.get('/updates', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'update', regionId: region.id })
    return updatesPage(db, request, reply, region)
  })

  routes.post('/updates', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'update', regionId: region.id })
    const parsed = updateBody.safeParse(request.body)
    if (!parsed.success) return updatesPage(db, request, reply, region, request.body, fieldErrors(parsed.error), 422)
    let themeId: number | null = null
    if (parsed.data.theme_id) {
      // Only a theme of this region: another region's id is an invalid choice, not a link across regions.
      const themes = await listVisibleThemes(db, region.id)
      themeId = themes.find((theme) => theme.id === Number(parsed.data.theme_id))?.id ?? null
      if (themeId === null) return updatesPage(db, request, reply, region, request.body, { theme_id: 'admin.error.invalid' }, 422)
    }
    const id = await addRegionUpdate(db, { regionId: region.id, themeId, body: parsed.data.body, userId: user.id })
    await audit(db, { userId: user.id, action: 'region_update.create', resourceType: 'region_update', resourceId: id, regionId: region.id })
    return reply.redirect(back(region), 303)
  })

  routes.post('/updates/:updateId/hide', { schema: { params: updateParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'update', regionId: region.id })
    const { updateId } = request.params
    const parsed = hideBody.safeParse(request.body)
    if (!parsed.success) return renderStaffMessage(request, reply, 400, { title: 'admin.bad_request.title', body: 'admin.bad_request.body' }, { field: 'hidden' })
    const hidden = parsed.data.hidden === '1'
    if (!(await setRegionUpdateHidden(db, region.id, updateId, hidden))) throw new NotFound()
    await audit(db, { userId: user.id, action: hidden ? 'region_update.hide' : 'region_update.show', resourceType: 'region_update', resourceId: updateId, regionId: region.id })
    return reply.redirect(back(region), 303)
  })
}
