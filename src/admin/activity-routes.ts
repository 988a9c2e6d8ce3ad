import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { can, partnerScope } from '../auth/permissions.ts'
import type { Region } from '../db/types.ts'
import { setPosterStatus } from '../posters/index.ts'
import { checkSupplyThemes, suggestSupplyThemes, themeLabel, withSuggestions } from '../themes/index.ts'
import { requestLanguage } from '../http/views.ts'
import { allow, currentUser, type FieldErrors, fieldErrors, Forbidden, formBody, type FormFields, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, withDone } from '../staff/index.ts'
import {
  activityThemeIds,
  activityThemesInRegion,
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
import { listLocationRequests } from './location-requests.ts'
import { activityBody, audiences, posterStatusBody, postersBody } from './schemas.ts'

type Body = FormFields
type Errors = FieldErrors

/** Which status changes a poster allows: retired is for good (its code answers 410). */
const transitions: Record<string, string[]> = { active: ['paused', 'retired'], paused: ['active', 'retired'], retired: [] }

/** Activities and their posters: partner members for their own organisation, coordinators for the region. */
export default async function activityRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  async function formData(request: FastifyRequest, region: Region) {
    const user = currentUser(request)
    const lang = requestLanguage(request)
    const [partners, themes] = await Promise.all([listPartners(db, region.id, partnerScope(user)), listThemes(db, region.id)])
    return {
      partners,
      audiences,
      themes: themes.filter((theme) => theme.hidden === 0).map((theme) => ({ id: theme.id, icon: theme.icon, label: themeLabel(theme, lang) })),
      suggested: {} as Record<string, string>,
    }
  }

  /**
   * "Suggest themes" (a second submit button of the same form): the form again with the
   * person's input, the themes the classifier finds in the title and description ticked and
   * marked as suggestions. Nothing is stored: only "save" stores.
   */
  async function suggestion(region: Region, body: Body) {
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '')
    const chosen = ([] as string[]).concat(body.themes ?? []).filter((id) => /^\d{1,9}$/.test(id)).map(Number)
    const found = suggestSupplyThemes(await listThemes(db, region.id), text('title'), text('description'), text('audience') === 'children' ? 'children' : 'all')
    const { ticked, suggested } = withSuggestions(chosen, found)
    return { values: { ...body, themes: ticked.map(String) }, suggested: Object.fromEntries([...suggested].map(([id, matched]) => [String(id), matched])), suggestedNone: found.length === 0 }
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

  async function activitiesPage(request: FastifyRequest, reply: FastifyReply, region: Region, values: Body = {}, errors: Errors = {}, status = 200, extra: object = {}) {
    const [listed, themesOf, form] = await Promise.all([listActivities(db, region.id, partnerScope(currentUser(request))), activityThemesInRegion(db, region.id), formData(request, region)])
    const labels = new Map(form.themes.map((theme) => [theme.id, theme.label]))
    const activities = listed.map((activity) => ({ ...activity, themes: (themesOf.get(activity.id) ?? []).flatMap((id) => labels.get(id) ?? []) }))
    return renderStaffPage(request, reply, 'admin/activities', 'admin.activities.title', { activities, ...form, values, errors, ...extra }, { status })
  }

  routes.get('/activities', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'activity', regionId: region.id })
    return activitiesPage(request, reply, region)
  })

  routes.post('/activities', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'activity', regionId: region.id })
    if (request.body.intent === 'suggest') {
      const { values, ...extra } = await suggestion(region, request.body)
      return activitiesPage(request, reply, region, values, {}, 200, extra)
    }
    const parsed = activityBody.safeParse(request.body)
    if (!parsed.success) return activitiesPage(request, reply, region, request.body, fieldErrors(parsed.error), 422)
    const partnerId = await chosenPartner(request, region, parsed.data.partner_id)
    if (partnerId === undefined) return activitiesPage(request, reply, region, request.body, { partner_id: 'admin.activity.partner.required' }, 422)
    const themes = await checkSupplyThemes(db, region.id, parsed.data.themes)
    if ('error' in themes) return activitiesPage(request, reply, region, request.body, { themes: themes.error }, 422)
    const user = allow(request, 'manage', { type: 'activity', regionId: region.id, partnerId })
    const id = await db.transaction().execute(async (trx) => {
      const activityId = await createActivity(trx, {
        partnerId,
        title: parsed.data.title,
        description: parsed.data.description,
        audience: parsed.data.audience,
        startsOn: parsed.data.starts_on,
        endsOn: parsed.data.ends_on,
        // A proposal waits for the region's panel and a coordinator's yes before it gets posters.
        state: request.body.propose === 'yes' ? 'proposed' : 'planned',
      })
      await setActivityThemes(trx, region.id, activityId, themes.ids)
      return activityId
    })
    await audit(db, { userId: user.id, action: 'activity.create', resourceType: 'activity', resourceId: id, regionId: region.id, detail: { title: parsed.data.title, ...(request.body.propose === 'yes' ? { proposed: true } : {}) } })
    return reply.redirect(withDone(`/admin/regions/${region.id}/activities/${id}`, 'activity.created'), 303)
  })

  /** A role without any activity rights gets the 403 page before any lookup; then out-of-scope ids are 404. */
  async function activityOf(request: FastifyRequest, region: Region, activityId: number) {
    allow(request, 'view', { type: 'activity', regionId: region.id })
    const activity = await findActivity(db, region.id, partnerScope(currentUser(request)), activityId)
    if (!activity) throw new NotFound()
    return activity
  }

  async function activityPage(request: FastifyRequest, reply: FastifyReply, region: Region, activity: Awaited<ReturnType<typeof activityOf>>, extra: object = {}, status = 200) {
    const [posters, locations, themeIds] = await Promise.all([
      listPosters(db, region.id, partnerScope(currentUser(request)), activity.id),
      listLocations(db, region.id),
      activityThemeIds(db, activity.id),
    ])
    const withPoster = new Set(posters.map((poster) => poster.location_id))
    // A partner member who does not find the place in the picker asks the coordinator for it;
    // their organisation's requests and the answers are shown right under the picker.
    const canAsk = can(currentUser(request), 'manage', { type: 'location-request', regionId: region.id, partnerId: activity.partner_id }) && currentUser(request).role === 'partner'
    const locationRequests = canAsk ? await listLocationRequests(db, region.id, [activity.partner_id], 3) : undefined
    return renderStaffPage(
      request,
      reply,
      'admin/activity',
      () => activity.title,
      {
        activity,
        posters,
        freeLocations: locations.filter((location) => !withPoster.has(location.id)),
        locationRequests,
        ...(await formData(request, region)),
        values: { ...activity, partner_id: String(activity.partner_id), themes: themeIds.map(String) },
        errors: {},
        posterErrors: {},
        ...extra,
      },
      { status },
    )
  }

  routes.get('/activities/:activityId', { schema: { params: z.object({ activityId: idSchema }), querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const activity = await activityOf(request, region, request.params.activityId)
    allow(request, 'view', { type: 'activity', regionId: region.id, partnerId: activity.partner_id })
    return activityPage(request, reply, region, activity)
  })

  routes.post('/activities/:activityId', { schema: { params: z.object({ activityId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const activity = await activityOf(request, region, request.params.activityId)
    const user = allow(request, 'manage', { type: 'activity', regionId: region.id, partnerId: activity.partner_id })
    const body = request.body
    if (body.intent === 'suggest') return activityPage(request, reply, region, activity, await suggestion(region, body))
    const parsed = activityBody.safeParse(body)
    if (!parsed.success) return activityPage(request, reply, region, activity, { values: body, errors: fieldErrors(parsed.error) }, 422)
    const partnerId = user.role === 'partner' ? activity.partner_id : await chosenPartner(request, region, parsed.data.partner_id)
    if (partnerId === undefined) return activityPage(request, reply, region, activity, { values: body, errors: { partner_id: 'admin.activity.partner.required' } }, 422)
    const themes = await checkSupplyThemes(db, region.id, parsed.data.themes)
    if ('error' in themes) return activityPage(request, reply, region, activity, { values: body, errors: { themes: themes.error } }, 422)
    await db.transaction().execute(async (trx) => {
      await updateActivity(trx, region.id, activity.id, {
        partnerId,
        title: parsed.data.title,
        description: parsed.data.description,
        audience: parsed.data.audience,
        startsOn: parsed.data.starts_on,
        endsOn: parsed.data.ends_on,
      })
      await setActivityThemes(trx, region.id, activity.id, themes.ids)
    })
    // The citizen form shows the activity's title and audience: forget its posters here.
    for (const poster of await listPosters(db, region.id, 'all', activity.id)) app.posterDirectory.forget(poster.code)
    await audit(db, { userId: user.id, action: 'activity.update', resourceType: 'activity', resourceId: activity.id, regionId: region.id, detail: { title: parsed.data.title } })
    return reply.redirect(`/admin/regions/${region.id}/activities/${activity.id}`, 303)
  })

  // ——— Posters ———

  routes.post('/activities/:activityId/posters', { schema: { params: z.object({ activityId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const activity = await activityOf(request, region, request.params.activityId)
    const user = allow(request, 'manage', { type: 'poster', regionId: region.id, partnerId: activity.partner_id })
    if (activity.state === 'proposed') return activityPage(request, reply, region, activity, { posterErrors: { locations: 'admin.proposal.no_posters' } }, 409)
    const parsed = postersBody.safeParse(request.body)
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
    return reply.redirect(`${withDone(`/admin/regions/${region.id}/activities/${activity.id}`, 'posters.created')}#posters`, 303)
  })

  routes.get('/posters', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'poster', regionId: region.id })
    const posters = await listPosters(db, region.id, partnerScope(user))
    return renderStaffPage(request, reply, 'admin/posters', 'admin.posters.title', { posters, transitions, canCreate: can(user, 'manage', { type: 'activity', regionId: region.id }) })
  })

  routes.post('/posters/:posterId/status', { schema: { params: z.object({ posterId: idSchema }), querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'view', { type: 'poster', regionId: region.id })
    const poster = await findPoster(db, region.id, partnerScope(currentUser(request)), request.params.posterId)
    if (!poster) throw new NotFound()
    const user = allow(request, 'manage', { type: 'poster', regionId: region.id, partnerId: poster.partner_id })
    const parsed = posterStatusBody.safeParse(request.body)
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
    const back = (request.body.back === 'activity') ? `/admin/regions/${region.id}/activities/${poster.activity_id}` : `/admin/regions/${region.id}/posters`
    return reply.redirect(back, 303)
  })
}
