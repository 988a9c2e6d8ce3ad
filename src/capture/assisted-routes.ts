import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { type Amendment, childAgeBands, formAgeBands, insertWholeAnswer, isChildAgeBand } from '../answers/index.ts'
import { themeAudienceOf } from '../themes/index.ts'
import { audit } from '../audit/log.ts'
import type { Region } from '../db/types.ts'
import { assistedConsentText, contactRequestRow, goodMoments, newWithdrawalToken, parseContactForm, upsertContactRequest } from '../followup/index.ts'
import { isLanguage, type Language, languages, type MessageKey, translator } from '../i18n/i18n.ts'
import { allow, formBody, pageQuery, regionOf, renderStaffPage, staffLanguage, withDone } from '../staff/index.ts'
import { assistedBody, assistedIdempotencyKey, type AssistedPlace, assistedPlaces } from './assisted.ts'
import { faces } from './faces.ts'
import { ageBands, fieldErrors, maxFreeTextCodePoints, maxFreeTextGraphemes } from './schemas.ts'

export interface AssistedRoutesOptions {
  now?: () => Date
}

type Values = Record<string, unknown>

/**
 * `/admin/regions/:regionId/assisted`: the walk-in point's form. A bridge figure or a
 * coordinator of the region records a learning question from a conversation, on the
 * person's behalf, with the same fields as the citizen form; the person is there and the
 * consent sentence is read aloud to them before the staff member ticks it. Bad input gives
 * the form again with the message at the field, and nothing is stored.
 */
export default async function assistedRoutes(app: FastifyInstance, options: AssistedRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>()
  const now = options.now ?? (() => new Date())

  async function renderForm(request: FastifyRequest, reply: FastifyReply, region: Region, places: AssistedPlace[], values: Values, errors: Record<string, MessageKey>) {
    const lang = staffLanguage(request)
    const t = translator(lang)
    // Both lists: the place chosen decides which one counts (checked on submit).
    const themes = await app.posterDirectory.regionThemes(region.id, lang, 'general')
    const childThemes = await app.posterDirectory.regionThemes(region.id, lang, 'children')
    const chosen = ([] as unknown[]).concat(values.themes ?? []).map(String)
    const messages = Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, t(key, { max: maxFreeTextGraphemes })]))
    return renderStaffPage(
      request,
      reply,
      'capture/assisted',
      (t) => t('admin.assisted.title', { region: region.name }),
      {
        values: { ...values, themes: chosen },
        errors: messages,
        places: places.map((place) => ({ value: place.posterId, label: t('step1.where', { activity: place.activityTitle, location: place.locationName }) })),
        faces: faces.map((face) => ({ value: face.value, label: t(face.label) })),
        themes,
        childThemes,
        ageBands: [...ageBands, ...childAgeBands].map((band) => ({ value: band, label: t(`step2.age.${band}`) })),
        languages: Object.entries(languages).map(([code, language]) => ({ value: code, label: language.name })),
        moments: goodMoments.map((moment) => ({ value: moment, label: t(`contact.moment.${moment}`) })),
        // The sentence the staff member reads aloud; the same one is stored as the request's consent.
        consent: assistedConsentText(lang, { regionName: region.name, maxAgeDays: region.contact_max_age_days }),
        maxText: maxFreeTextGraphemes,
        maxTextUnits: maxFreeTextCodePoints,
        action: `/admin/regions/${region.id}/assisted`,
      },
      { status: Object.keys(errors).length > 0 ? 422 : 200 },
    )
  }

  routes.get('/assisted', { schema: { querystring: pageQuery } }, async (request, reply) => {
    const region = regionOf(request)
    allow(request, 'manage', { type: 'assisted', regionId: region.id })
    const places = await assistedPlaces(app.db, region.id)
    const values = { ticket: randomBytes(16).toString('base64url'), language: staffLanguage(request), contact_language: staffLanguage(request), contact_moment: 'any' }
    return renderForm(request, reply, region, places, values, {})
  })

  routes.post('/assisted', { schema: { querystring: pageQuery, body: formBody } }, async (request, reply) => {
    const region = regionOf(request)
    const user = allow(request, 'manage', { type: 'assisted', regionId: region.id })
    const body = request.body
    const places = await assistedPlaces(app.db, region.id)
    const parsed = assistedBody.safeParse(body)
    const errors: Record<string, MessageKey> = parsed.success ? {} : fieldErrors(parsed.error)
    const place = parsed.success ? places.find((candidate) => candidate.posterId === parsed.data.poster_id) : undefined
    // A poster of another region, paused or retired: the same message as a missing choice.
    if (parsed.success && place === undefined) errors.poster_id = 'admin.assisted.place.invalid'
    // A children's place takes the children's themes and bands only, any other place the general ones only.
    const audience = themeAudienceOf(place?.audience ?? 'all')
    if (parsed.success) {
      const lists = {
        general: new Set((await app.posterDirectory.regionThemes(region.id, staffLanguage(request), 'general')).map((theme) => theme.id)),
        children: new Set((await app.posterDirectory.regionThemes(region.id, staffLanguage(request), 'children')).map((theme) => theme.id)),
      }
      const other = audience === 'children' ? lists.general : lists.children
      if (!parsed.data.themes.every((id) => lists.general.has(id) || lists.children.has(id))) errors.themes = 'error.themes.unknown'
      else if (place !== undefined && parsed.data.themes.some((id) => other.has(id))) errors.themes = `admin.assisted.themes.${audience}`
      const band = parsed.data.age_band
      if (place !== undefined && band !== null && !formAgeBands(place.audience).includes(band)) errors.age_band = `admin.assisted.age.${audience}`
    }
    const language: Language = parsed.success && isLanguage(parsed.data.language) ? parsed.data.language : staffLanguage(request)
    const contact = parseContactForm(body, language)
    if (contact.kind === 'invalid') {
      for (const [field, key] of Object.entries(contact.errors)) {
        // Here the box is the staff member's: they read the sentence aloud, with the person present.
        errors[field] = field === 'contact_consent' ? 'admin.assisted.consent.required' : key
      }
    }
    // Children's posters never take contact details, on paper or at a desk.
    if (place?.audience === 'children' && contact.kind !== 'none') errors.contact_name = 'admin.assisted.contact.children'
    if (!parsed.success || place === undefined || contact.kind === 'invalid' || Object.keys(errors).length > 0) {
      return renderForm(request, reply, region, places, body, errors)
    }

    const stamp = now().toISOString()
    const amendment: Amendment = {
      liked: parsed.data.liked,
      ageBand: isChildAgeBand(parsed.data.age_band) ? null : parsed.data.age_band,
      childAgeBand: isChildAgeBand(parsed.data.age_band) ? parsed.data.age_band : null,
      freeText: parsed.data.free_text,
      themeIds: parsed.data.themes,
      matcher: await app.posterDirectory.regionMatcher(region.id, audience),
    }
    // The private link is never shown: the screen is the staff member's, not the person's (as
    // on a kiosk). Its hash is kept, so a bridge figure can still erase the request on request.
    const contactRequest =
      contact.kind === 'request'
        ? contactRequestRow(contact.input, {
            regionId: region.id,
            lang: language,
            consent: assistedConsentText(staffLanguage(request), { regionName: region.name, maxAgeDays: region.contact_max_age_days }),
            withdrawalHash: newWithdrawalToken().hash,
            now: stamp,
          })
        : undefined
    // One transaction, as step 2 composes it: the answer (answers/) and its contact request (followup/).
    const responseId = await app.amendments.run(async (trx) => {
      const id = await insertWholeAnswer(
        trx,
        {
          poster_id: place.posterId,
          region_id: region.id,
          partner_id: place.partnerId,
          location_id: place.locationId,
          activity_id: place.activityId,
          created_at: stamp,
          language,
          tried_new: parsed.data.tried_new,
          step: 1,
          idempotency_key: assistedIdempotencyKey(parsed.data.ticket, place.posterId),
          assisted: 1,
        },
        amendment,
      )
      if (contactRequest !== undefined) await upsertContactRequest(trx, { ...contactRequest, response_id: id })
      return id
    })
    await audit(app.db, {
      userId: user.id,
      action: 'answer.assisted',
      resourceType: 'response',
      resourceId: responseId,
      regionId: region.id,
      detail: { contactRequest: contactRequest !== undefined },
    })
    return reply.redirect(withDone(`/admin/regions/${region.id}/assisted`, 'assisted.saved'), 303)
  })
}
