import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Audience, Database, Offer } from '../db/types.ts'
import { languageCodes } from '../i18n/i18n.ts'

/** A learning offer as a coordinator enters it: the next step a citizen can take. */
export interface OfferInput {
  title: string
  /** Optional for callers that have none (seeds, imports without one). */
  description?: string | null
  provider: string
  place: string | null
  schedule: string | null
  cost: string | null
  languages: string[]
  textLanguage: string
  audience: Audience
  link: string | null
  contact: string | null
  themeIds: number[]
  archived: boolean
  /** The partner that gives the offer (its page counts the referrals to it); null or left out: none. */
  partnerId?: number | null
}

const optionalText = (max: number) =>
  z
    .string()
    .max(max, 'admin.error.too_long')
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : null))

const oneOrMany = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))

/** The offer form; error messages are keys of the staff catalog (see fieldErrors in src/staff/forms.ts). */
export const offerBody = z.object({
  title: z.string().trim().min(1, 'admin.error.required').max(200, 'admin.error.too_long'),
  description: optionalText(2000),
  provider: z.string().trim().min(1, 'admin.error.required').max(200, 'admin.error.too_long'),
  place: optionalText(300),
  schedule: optionalText(300),
  cost: optionalText(100),
  // Only web addresses: a javascript: or data: link would run in a citizen's browser.
  link: optionalText(500).refine((value) => value === null || /^https?:\/\/[^\s<>"]+$/i.test(value), 'admin.offer.link.invalid'),
  contact: optionalText(300),
  languages: oneOrMany.pipe(z.array(z.enum(languageCodes as [string, ...string[]], 'admin.error.invalid'))),
  text_language: z.enum(languageCodes as [string, ...string[]], 'admin.error.invalid').default('nl'),
  audience: z.enum(['all', 'children', 'youth', 'adults', 'seniors'], 'admin.error.invalid').default('all'),
  themes: oneOrMany.pipe(z.array(z.string().regex(/^\d{1,9}$/, 'admin.error.invalid').transform(Number))),
  archived: z
    .string()
    .optional()
    .transform((value) => value === 'yes'),
  partner_id: z
    .union([z.literal(''), z.string().regex(/^[1-9]\d{0,9}$/, 'admin.error.invalid')])
    .optional()
    .transform((value) => (value ? Number(value) : null)),
})

export function offerInput(body: z.infer<typeof offerBody>): OfferInput {
  return {
    title: body.title,
    description: body.description,
    provider: body.provider,
    place: body.place,
    schedule: body.schedule,
    cost: body.cost,
    languages: [...new Set(body.languages)],
    textLanguage: body.text_language,
    audience: body.audience,
    link: body.link,
    contact: body.contact,
    themeIds: [...new Set(body.themes)],
    archived: body.archived,
    partnerId: body.partner_id,
  }
}

/** True when the partner is one of this region's (or none is named). */
export async function partnerInRegion(db: Kysely<Database>, regionId: number, partnerId: number | null | undefined): Promise<boolean> {
  if (partnerId === null || partnerId === undefined) return true
  return (await db.selectFrom('partners').select('id').where('id', '=', partnerId).where('region_id', '=', regionId).executeTakeFirst()) !== undefined
}

function columns(input: OfferInput, now: string) {
  return {
    title: input.title,
    description: input.description ?? null,
    provider: input.provider,
    place: input.place,
    schedule: input.schedule,
    cost: input.cost,
    languages: input.languages.join(','),
    text_language: input.textLanguage,
    audience: input.audience,
    link: input.link,
    contact: input.contact,
    archived: input.archived ? 1 : 0,
    partner_id: input.partnerId ?? null,
    updated_at: now,
  }
}

/** Only themes of the offer's own region may be attached (the caller checked nothing else). */
async function regionThemeIds(db: Kysely<Database>, regionId: number, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return []
  const rows = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).where('id', 'in', ids).execute()
  return rows.map((row) => row.id)
}

export async function createOffer(db: Kysely<Database>, regionId: number, input: OfferInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const now = new Date().toISOString()
    const { id } = await trx
      .insertInto('offers')
      .values({ region_id: regionId, created_at: now, ...columns(input, now) })
      .returning('id')
      .executeTakeFirstOrThrow()
    const themeIds = await regionThemeIds(trx, regionId, input.themeIds)
    if (themeIds.length > 0) await trx.insertInto('offer_themes').values(themeIds.map((themeId) => ({ offer_id: id, theme_id: themeId }))).execute()
    return id
  })
}

/** False when the offer does not exist in this region. */
export async function updateOffer(db: Kysely<Database>, regionId: number, offerId: number, input: OfferInput): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx.updateTable('offers').set(columns(input, new Date().toISOString())).where('id', '=', offerId).where('region_id', '=', regionId).executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return false
    await trx.deleteFrom('offer_themes').where('offer_id', '=', offerId).execute()
    const themeIds = await regionThemeIds(trx, regionId, input.themeIds)
    if (themeIds.length > 0) await trx.insertInto('offer_themes').values(themeIds.map((themeId) => ({ offer_id: offerId, theme_id: themeId }))).execute()
    return true
  })
}

export async function findOffer(db: Kysely<Database>, regionId: number, offerId: number): Promise<(Offer & { themeIds: number[] }) | undefined> {
  const offer = await db.selectFrom('offers').selectAll().where('id', '=', offerId).where('region_id', '=', regionId).executeTakeFirst()
  if (offer === undefined) return undefined
  const themes = await db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offerId).execute()
  return { ...offer, themeIds: themes.map((row) => row.theme_id) }
}

export interface OfferListRow {
  id: number
  title: string
  provider: string
  audience: Audience
  archived: number
  referrals: number
  themeIds: number[]
}

/** The region's offers, current ones first, with how many requests were referred to each. */
export async function listOffers(db: Kysely<Database>, regionId: number): Promise<OfferListRow[]> {
  const rows = await db
    .selectFrom('offers')
    .select((eb) => [
      'offers.id',
      'offers.title',
      'offers.provider',
      'offers.audience',
      'offers.archived',
      // A request referred to the offer: closed with it as the outcome, or with a referral step to it on its path.
      eb
        .selectFrom('contact_requests')
        .select(eb.fn.countAll().as('n'))
        .where((w) =>
          w.or([
            w.and([w('contact_requests.outcome_offer_id', '=', w.ref('offers.id')), w('contact_requests.outcome', '=', 'referred')]),
            w('contact_requests.id', 'in', w.selectFrom('path_steps').select('path_steps.contact_request_id').where('path_steps.kind', '=', 'referral').whereRef('path_steps.offer_id', '=', 'offers.id')),
          ]),
        )
        .as('referrals'),
    ])
    .where('offers.region_id', '=', regionId)
    .orderBy('offers.archived')
    .orderBy('offers.title')
    .execute()
  const themes = await db
    .selectFrom('offer_themes')
    .innerJoin('offers', 'offers.id', 'offer_themes.offer_id')
    .select(['offer_themes.offer_id', 'offer_themes.theme_id'])
    .where('offers.region_id', '=', regionId)
    .execute()
  const themesOf = new Map<number, number[]>()
  for (const row of themes) themesOf.set(row.offer_id, [...(themesOf.get(row.offer_id) ?? []), row.theme_id])
  return rows.map((row) => ({ ...row, referrals: Number(row.referrals ?? 0), themeIds: themesOf.get(row.id) ?? [] }))
}

/** Referrals per theme of the offer referred to: for the dashboard ("where did people go"). */
export async function referralsPerTheme(db: Kysely<Database>, regionId: number): Promise<{ themeId: number; referrals: number }[]> {
  const rows = await db
    .selectFrom('contact_requests')
    .innerJoin('offer_themes', 'offer_themes.offer_id', 'contact_requests.outcome_offer_id')
    .select(['offer_themes.theme_id as themeId', (eb) => eb.fn.countAll().as('referrals')])
    .where('contact_requests.region_id', '=', regionId)
    .where('contact_requests.outcome', '=', 'referred')
    .groupBy('offer_themes.theme_id')
    .execute()
  return rows.map((row) => ({ themeId: row.themeId, referrals: Number(row.referrals) }))
}
