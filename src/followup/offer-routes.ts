import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { audit } from '../audit/log.ts'
import { can } from '../auth/permissions.ts'
import type { Database, Region } from '../db/types.ts'
import { checkSupplyThemes, listVisibleThemes, suggestSupplyThemes, themeLabel, withSuggestions } from '../themes/index.ts'
import { allow, type FieldErrors, fieldErrors, formBody, idSchema, NotFound, pageQuery, regionOf, renderStaffPage, staffLanguage } from '../staff/index.ts'
import { languageNames } from './language-names.ts'
import { createOffer, findOffer, listOffers, offerBody, offerInput, partnerInRegion, updateOffer } from './offers.ts'

const audiences = ['all', 'children', 'youth', 'adults', 'seniors'] as const
const offerParams = z.object({ offerId: idSchema })

/** The form's fields as they are typed (or stored): strings, and lists for the checkboxes. */
type OfferValues = Record<string, unknown>

async function offerForm(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, values: OfferValues, errors: FieldErrors, offerId?: number, extra: object = {}) {
  const lang = staffLanguage(request)
  const themes = (await listVisibleThemes(db, region.id)).map((theme) => ({ id: theme.id, icon: theme.icon, label: themeLabel(theme, lang) }))
  const base = `/admin/regions/${region.id}/offers`
  const partners = await db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', region.id).orderBy('name').execute()
  return renderStaffPage(
    request,
    reply,
    'followup/offer',
    offerId === undefined ? 'followup.offer.new' : 'followup.offer.edit',
    { offerId, values, errors, themes, partners, languageNames: languageNames(), audiences, action: offerId === undefined ? base : `${base}/${offerId}`, suggested: {}, ...extra },
    { status: Object.keys(errors).length > 0 ? 422 : 200 },
  )
}

/**
 * "Suggest themes": the form again with the person's input and the themes the answers'
 * keyword classifier finds in the title and description ticked and marked. Nothing is stored.
 */
async function suggestForm(db: Kysely<Database>, request: FastifyRequest, reply: FastifyReply, region: Region, body: Record<string, string | string[]>, offerId?: number) {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : '')
  const chosen = ([] as string[]).concat(body.themes ?? []).filter((id) => /^\d{1,9}$/.test(id)).map(Number)
  const found = suggestSupplyThemes(await listVisibleThemes(db, region.id), text('title'), text('description'), text('audience') === 'children' ? 'children' : 'all')
  const { ticked, suggested } = withSuggestions(chosen, found)
  const extra = { suggested: Object.fromEntries([...suggested].map(([id, matched]) => [String(id), matched])), suggestedNone: found.length === 0 }
  return offerForm(db, request, reply, region, { ...body, themes: ticked.map(String) }, {}, offerId, extra)
}

/**
 * The region's learning offers: what a citizen is referred to. The region's coordinators (and
 * admins) keep them; its bridge figures read the list and each offer, without a form.
 */
export default async function offerRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const db = app.db

  routes.get('/offers', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'offer', regionId: region.id })
    const canManage = can(user, 'manage', { type: 'offer', regionId: region.id })
    const lang = staffLanguage(request)
    const labels = new Map((await listVisibleThemes(db, region.id)).map((theme) => [theme.id, themeLabel(theme, lang)]))
    const offers = (await listOffers(db, region.id)).map((offer) => ({ ...offer, themes: offer.themeIds.flatMap((id) => labels.get(id) ?? []) }))
    return renderStaffPage(request, reply, 'followup/offers', (t) => t('followup.offers.title', { region: region.name }), { offers, canManage })
  })

  routes.get('/offers/new', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'offer', regionId: region.id })
    return offerForm(db, request, reply, region, { audience: 'all', text_language: 'nl', languages: ['nl'], themes: [] }, {})
  })

  routes.post('/offers', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'offer', regionId: region.id })
    if (request.body.intent === 'suggest') return suggestForm(db, request, reply, region, request.body)
    const parsed = offerBody.safeParse(request.body)
    if (!parsed.success) return offerForm(db, request, reply, region, request.body, fieldErrors(parsed.error))
    const themes = await checkSupplyThemes(db, region.id, parsed.data.themes)
    if ('error' in themes) return offerForm(db, request, reply, region, request.body, { themes: themes.error })
    // A partner of another region: the form again, the message at the field.
    if (!(await partnerInRegion(db, region.id, parsed.data.partner_id))) return offerForm(db, request, reply, region, request.body, { partner_id: 'admin.error.invalid' })
    const offerId = await createOffer(db, region.id, offerInput(parsed.data))
    await audit(db, { userId: user.id, action: 'offer.create', resourceType: 'offer', resourceId: offerId, regionId: region.id, detail: { title: parsed.data.title } })
    return reply.redirect(`/admin/regions/${region.id}/offers`, 303)
  })

  routes.get('/offers/:offerId', { schema: { params: offerParams, querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'view', { type: 'offer', regionId: region.id })
    const offer = await findOffer(db, region.id, request.params.offerId)
    if (offer === undefined) throw new NotFound()
    if (!can(user, 'manage', { type: 'offer', regionId: region.id })) {
      // Read only: what a bridge figure needs to refer someone, without a form.
      const lang = staffLanguage(request)
      const themes = (await listVisibleThemes(db, region.id)).filter((theme) => offer.themeIds.includes(theme.id)).map((theme) => themeLabel(theme, lang))
      const names = languageNames()
      const languages = offer.languages.split(',').filter(Boolean).map((code) => names[code] ?? code)
      return renderStaffPage(request, reply, 'followup/offer-view', () => offer.title, { offer, themes, languages, textLanguage: names[offer.text_language] ?? offer.text_language })
    }
    const values = {
      ...offer,
      languages: offer.languages.split(',').filter(Boolean),
      themes: offer.themeIds.map(String),
      partner_id: offer.partner_id === null ? '' : String(offer.partner_id),
      archived: offer.archived === 1 ? 'yes' : '',
    }
    return offerForm(db, request, reply, region, values, {}, offer.id)
  })

  routes.post('/offers/:offerId', { schema: { params: offerParams, querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'offer', regionId: region.id })
    const { offerId } = request.params
    if ((await findOffer(db, region.id, offerId)) === undefined) throw new NotFound()
    if (request.body.intent === 'suggest') return suggestForm(db, request, reply, region, request.body, offerId)
    const parsed = offerBody.safeParse(request.body)
    if (!parsed.success) return offerForm(db, request, reply, region, request.body, fieldErrors(parsed.error), offerId)
    const themes = await checkSupplyThemes(db, region.id, parsed.data.themes)
    if ('error' in themes) return offerForm(db, request, reply, region, request.body, { themes: themes.error }, offerId)
    if (!(await partnerInRegion(db, region.id, parsed.data.partner_id))) return offerForm(db, request, reply, region, request.body, { partner_id: 'admin.error.invalid' }, offerId)
    if (!(await updateOffer(db, region.id, offerId, offerInput(parsed.data)))) throw new NotFound()
    await audit(db, { userId: user.id, action: 'offer.update', resourceType: 'offer', resourceId: offerId, regionId: region.id })
    return reply.redirect(`/admin/regions/${region.id}/offers`, 303)
  })
}
