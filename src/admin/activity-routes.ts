import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit } from '../audit/log.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import type { Region } from '../db/types.ts'
import type { MessageKey } from '../i18n/i18n.ts'
import { setPosterStatus } from '../posters/queries.ts'
import { themeLabel } from '../themes/queries.ts'
import { requestLanguage } from '../http/views.ts'
import { allow, currentUser, regionFromUrl } from './access.ts'
import {
  activityThemeIds,
  createActivity,
  createPostersForLocations,
  findActivity,
  findPartner,
  findPoster,
  listActivities,
  listLocations,
  listPartners,
  listPosters,
  listThemes,
  setActivityThemes,
  updateActivity,
} from './queries.ts'
import { fieldErrors, Forbidden, idParam, NotFound, renderAdmin } from './render.ts'
import { activityBody, audiences, posterStatusBody, postersBody } from './schemas.ts'

type Body = Record<string, unknown>
type Errors = Record<string, MessageKey>

const bodyOf = (request: FastifyRequest): Body => (request.body ?? {}) as Body

/** Which status changes a poster allows: retired is for good (its code answers 410). */
const transitions: Record<string, string[]> = { active: ['paused', 'retired'], paused: ['active', 'retired'], retired: [] }

/** Activities and their posters: partner members for their own organisation, coordinators for the region. */
export default async function activityRoutes(app: FastifyInstance) {
  const db = app.db
  const menu = (region: Region) => ({ region: { id: region.id, name: region.name } })

  async function formData(request: FastifyRequest, region: Region) {
    const user = currentUser(request)
    const lang = requestLanguage(request)
    const [partners, themes] = await Promise.all([listPartners(db, region.id, partnerScope(user)), listThemes(db, region.id)])
    return {
      partners,
      audiences,
      themes: themes.filter((theme) => theme.hidden === 0).map((theme) => ({ id: theme.id, icon: theme.icon, label: themeLabel(theme, lang) })),
    }
  }

  /**
   * The partner an activity belongs to: a partner member's own organisation (never what
   * the form says), or for a coordinator the partner chosen, which must be in the region.
   */
  async function chosenPartner(request: FastifyRequest, region: Region, fromForm: number | undefined): Promise<number | undefined> {
    const user = currentUser(request)
    if (user.role === 'partner') return user.partnerIds.find((id) => fromForm === undefined || id === fromForm) ?? undefined
    if (fromForm === undefined) return undefined
    return (await findPartner(db, region.id, fromForm))?.id
  }

  async function activitiesPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200) {
    const activities = await listActivities(db, region.id, partnerScope(currentUser(request)))
    return renderAdmin(request, reply, 'admin/activities', 'admin.activities.title', { activities, ...(await formData(request, region)), values, errors }, { ...menu(region), status })
  }

  app.get('/activities', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'activity', regionId: region.id })
    return activitiesPage(request, reply, region)
  })

  app.post('/activities', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'manage', { type: 'activity', regionId: region.id })
    const parsed = activityBody.safeParse(bodyOf(request))
    if (!parsed.success) return activitiesPage(request, reply, region, bodyOf(request), fieldErrors(parsed.error), 422)
    const partnerId = await chosenPartner(request, region, parsed.data.partner_id)
    if (partnerId === undefined) return activitiesPage(request, reply, region, bodyOf(request), { partner_id: 'admin.activity.partner.required' }, 422)
    const user = allow(request, 'manage', { type: 'activity', regionId: region.id, partnerId })
    const id = await db.transaction().execute(async (trx) => {
      const activityId = await createActivity(trx, {
        partnerId,
        title: parsed.data.title,
        description: parsed.data.description,
        audience: parsed.data.audience,
        startsOn: parsed.data.starts_on,
        endsOn: parsed.data.ends_on,
      })
      await setActivityThemes(trx, region.id, activityId, parsed.data.themes)
      return activityId
    })
    await audit(db, { userId: user.id, action: 'activity.create', resourceType: 'activity', resourceId: id, regionId: region.id, detail: { title: parsed.data.title } })
    return reply.redirect(`/admin/regions/${region.id}/activities/${id}`, 303)
  })

  /** A role without any activity rights gets the 403 page before any lookup; then out-of-scope ids are 404. */
  async function activityOf(request: FastifyRequest, region: Region) {
    allow(request, 'view', { type: 'activity', regionId: region.id })
    const activity = await findActivity(db, region.id, partnerScope(currentUser(request)), idParam((request.params as Body).activityId))
    if (!activity) throw new NotFound()
    return activity
  }

  async function activityPage(request: FastifyRequest, reply: FastifyReply, region: Region, activity: Awaited<ReturnType<typeof activityOf>>, extra: Body = {}, status = 200) {
    const [posters, locations, themeIds] = await Promise.all([
      listPosters(db, region.id, partnerScope(currentUser(request)), activity.id),
      listLocations(db, region.id),
      activityThemeIds(db, activity.id),
    ])
    const withPoster = new Set(posters.map((poster) => poster.location_id))
    return renderAdmin(
      request,
      reply,
      'admin/activity',
      () => activity.title,
      {
        activity,
        posters,
        freeLocations: locations.filter((location) => !withPoster.has(location.id)),
        ...(await formData(request, region)),
        values: { ...activity, partner_id: String(activity.partner_id), themes: themeIds.map(String) },
        errors: {},
        posterErrors: {},
        ...extra,
      },
      { ...menu(region), status },
    )
  }

  app.get('/activities/:activityId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const activity = await activityOf(request, region)
    allow(request, 'view', { type: 'activity', regionId: region.id, partnerId: activity.partner_id })
    return activityPage(request, reply, region, activity)
  })

  app.post('/activities/:activityId', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const activity = await activityOf(request, region)
    const user = allow(request, 'manage', { type: 'activity', regionId: region.id, partnerId: activity.partner_id })
    const body = bodyOf(request)
    const parsed = activityBody.safeParse(body)
    if (!parsed.success) return activityPage(request, reply, region, activity, { values: body, errors: fieldErrors(parsed.error) }, 422)
    const partnerId = user.role === 'partner' ? activity.partner_id : await chosenPartner(request, region, parsed.data.partner_id)
    if (partnerId === undefined) return activityPage(request, reply, region, activity, { values: body, errors: { partner_id: 'admin.activity.partner.required' } }, 422)
    await db.transaction().execute(async (trx) => {
      await updateActivity(trx, region.id, activity.id, {
        partnerId,
        title: parsed.data.title,
        description: parsed.data.description,
        audience: parsed.data.audience,
        startsOn: parsed.data.starts_on,
        endsOn: parsed.data.ends_on,
      })
      await setActivityThemes(trx, region.id, activity.id, parsed.data.themes)
    })
    // The citizen form shows the activity's title and audience: forget its posters here.
    for (const poster of await listPosters(db, region.id, 'all', activity.id)) app.posterDirectory.forget(poster.code)
    await audit(db, { userId: user.id, action: 'activity.update', resourceType: 'activity', resourceId: activity.id, regionId: region.id, detail: { title: parsed.data.title } })
    return reply.redirect(`/admin/regions/${region.id}/activities/${activity.id}`, 303)
  })

  // ——— Posters ———

  app.post('/activities/:activityId/posters', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const activity = await activityOf(request, region)
    const user = allow(request, 'manage', { type: 'poster', regionId: region.id, partnerId: activity.partner_id })
    const parsed = postersBody.safeParse(bodyOf(request))
    if (!parsed.success) return activityPage(request, reply, region, activity, { posterErrors: fieldErrors(parsed.error) }, 422)
    const made = await createPostersForLocations(db, activity.id, parsed.data.locations)
    await audit(db, {
      userId: user.id,
      action: 'poster.create',
      resourceType: 'activity',
      resourceId: activity.id,
      regionId: region.id,
      detail: { codes: made.map((poster) => poster.code) },
    })
    return reply.redirect(`/admin/regions/${region.id}/activities/${activity.id}`, 303)
  })

  app.get('/posters', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    const user = allow(request, 'view', { type: 'poster', regionId: region.id })
    const posters = await listPosters(db, region.id, partnerScope(user))
    return renderAdmin(request, reply, 'admin/posters', 'admin.posters.title', { posters, transitions, canCreate: can(user, 'manage', { type: 'activity', regionId: region.id }) }, menu(region))
  })

  app.post('/posters/:posterId/status', async (request, reply) => {
    const region = await regionFromUrl(db, request)
    allow(request, 'view', { type: 'poster', regionId: region.id })
    const poster = await findPoster(db, region.id, partnerScope(currentUser(request)), idParam((request.params as Body).posterId))
    if (!poster) throw new NotFound()
    const user = allow(request, 'manage', { type: 'poster', regionId: region.id, partnerId: poster.partner_id })
    const parsed = posterStatusBody.safeParse(bodyOf(request))
    if (!parsed.success || !transitions[poster.status]!.includes(parsed.data.status)) {
      if (poster.status === 'retired') throw new Forbidden()
      return reply.redirect(`/admin/regions/${region.id}/posters`, 303)
    }
    await setPosterStatus(db, poster.id, parsed.data.status)
    // This instance's citizen form sees the change at once; other instances within their cache period.
    app.posterDirectory.forget(poster.code)
    await audit(db, {
      userId: user.id,
      action: 'poster.status',
      resourceType: 'poster',
      resourceId: poster.id,
      regionId: region.id,
      detail: { code: poster.code, from: poster.status, to: parsed.data.status },
    })
    const back = (bodyOf(request).back === 'activity') ? `/admin/regions/${region.id}/activities/${poster.activity_id}` : `/admin/regions/${region.id}/posters`
    return reply.redirect(back, 303)
  })
}
