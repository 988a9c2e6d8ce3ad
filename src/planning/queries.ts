import { type Kysely, sql } from 'kysely'
import type { DayRange } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'
import { locationsInMunicipality, municipalityOfPlace } from '../municipalities/index.ts'
import { type Cell, type SupplyItem, sumCells } from './plan.ts'

/**
 * What the planning page reads: demand from the rollups (never from the answers), supply
 * from offers and activities, follow-up pressure from the contact requests. Every count
 * comes with the sum of its records' keys, so that plan.ts can publish it through the
 * cell-key table.
 *
 * With a municipality (a code of src/municipalities), every figure is narrowed to the
 * answers at the region's locations in it: the region's figures then come from the
 * poster-grain rollups, through the same location subquery as the dashboard's municipality
 * filter, so the same municipality publishes the same counts on both pages.
 */

/** The grain a period is read from: whole months from the month rollups (months, quarters, years), days for ISO weeks. */
export type Grain = 'day' | 'month'

function bounds(range: DayRange, grain: Grain): [string, string] {
  return grain === 'month' ? [range.from.slice(0, 7), range.to.slice(0, 7)] : [range.from, range.to]
}

const count = sql<string | number>`sum(responses)`
const keySum = sql<string | number | bigint>`sum(responses_key)`

function cellOf(row: { n: string | number | null; k: string | number | bigint | null }): Cell {
  return { count: Number(row.n ?? 0), keySum: row.k ?? 0 }
}

/** The region's answers in the period (the share's denominator). */
export async function regionTotal(db: Kysely<Database>, regionId: number, range: DayRange, municipality?: string): Promise<Cell> {
  const row =
    municipality === undefined
      ? await db
          .selectFrom('rollup_region_days')
          .select([count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .where('day', '>=', range.from)
          .where('day', '<=', range.to)
          .executeTakeFirst()
      : await db
          .selectFrom('rollup_poster_days')
          .select([count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .where('location_id', 'in', locationsInMunicipality(regionId, municipality))
          .where('day', '>=', range.from)
          .where('day', '<=', range.to)
          .executeTakeFirst()
  return row ? cellOf(row) : { count: 0, keySum: 0 }
}

/** The region's answers per theme in the period. */
export async function regionThemeCells(db: Kysely<Database>, regionId: number, range: DayRange, grain: Grain, municipality?: string): Promise<Map<number, Cell>> {
  if (municipality !== undefined) {
    // The municipality's rows per partner, added up exactly: the same poster-grain rows and key sums as the dashboard's.
    const byPartner = await partnerThemeCells(db, regionId, range, grain, municipality)
    return new Map([...byPartner].map(([themeId, cells]) => [themeId, sumCells(cells.values())]))
  }
  const [from, to] = bounds(range, grain)
  const rows =
    grain === 'month'
      ? await db
          .selectFrom('rollup_region_theme_months')
          .select(['theme_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .where('month', '>=', from)
          .where('month', '<=', to)
          .groupBy('theme_id')
          .execute()
      : await db
          .selectFrom('rollup_region_theme_days')
          .select(['theme_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .where('day', '>=', from)
          .where('day', '<=', to)
          .groupBy('theme_id')
          .execute()
  return new Map(rows.map((row) => [row.theme_id, cellOf(row)]))
}

/** Answers per partner in the period. */
export async function partnerTotals(db: Kysely<Database>, regionId: number, range: DayRange, grain: Grain, municipality?: string): Promise<Map<number, Cell>> {
  const [from, to] = bounds(range, grain)
  const rows =
    grain === 'month'
      ? await db
          .selectFrom('rollup_poster_months')
          .select(['partner_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .$if(municipality !== undefined, (q) => q.where('location_id', 'in', locationsInMunicipality(regionId, municipality!)))
          .where('month', '>=', from)
          .where('month', '<=', to)
          .groupBy('partner_id')
          .execute()
      : await db
          .selectFrom('rollup_poster_days')
          .select(['partner_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .$if(municipality !== undefined, (q) => q.where('location_id', 'in', locationsInMunicipality(regionId, municipality!)))
          .where('day', '>=', from)
          .where('day', '<=', to)
          .groupBy('partner_id')
          .execute()
  return new Map(rows.map((row) => [row.partner_id, cellOf(row)]))
}

/** Answers per theme and partner in the period: `themeId → partnerId → cell`. */
export async function partnerThemeCells(db: Kysely<Database>, regionId: number, range: DayRange, grain: Grain, municipality?: string): Promise<Map<number, Map<number, Cell>>> {
  const [from, to] = bounds(range, grain)
  const rows =
    grain === 'month'
      ? await db
          .selectFrom('rollup_poster_theme_months')
          .select(['theme_id', 'partner_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .$if(municipality !== undefined, (q) => q.where('location_id', 'in', locationsInMunicipality(regionId, municipality!)))
          .where('month', '>=', from)
          .where('month', '<=', to)
          .groupBy(['theme_id', 'partner_id'])
          .execute()
      : await db
          .selectFrom('rollup_poster_theme_days')
          .select(['theme_id', 'partner_id', count.as('n'), keySum.as('k')])
          .where('region_id', '=', regionId)
          .$if(municipality !== undefined, (q) => q.where('location_id', 'in', locationsInMunicipality(regionId, municipality!)))
          .where('day', '>=', from)
          .where('day', '<=', to)
          .groupBy(['theme_id', 'partner_id'])
          .execute()
  const cells = new Map<number, Map<number, Cell>>()
  for (const row of rows) {
    const byPartner = cells.get(row.theme_id) ?? new Map<number, Cell>()
    byPartner.set(row.partner_id, cellOf(row))
    cells.set(row.theme_id, byPartner)
  }
  return cells
}

/**
 * Contact requests that were open at the end of `lastDay` (made before the next day began,
 * not closed by then), per theme of their answer and per partner whose poster it came from.
 * Read at a fixed moment, like every other figure up to yesterday: the figure changes once
 * a day, not with every claim or close. The key sum is that of the answers behind the
 * requests, so the same requests publish the same number everywhere.
 */
export async function openRequestCells(db: Kysely<Database>, regionId: number, endOfLastDay: string, municipality?: string): Promise<Map<number, Map<number, Cell>>> {
  const rows = await db
    .selectFrom('contact_requests')
    .innerJoin('responses', 'responses.id', 'contact_requests.response_id')
    .innerJoin('response_themes', 'response_themes.response_id', 'responses.id')
    .select([
      'response_themes.theme_id as theme_id',
      'responses.partner_id as partner_id',
      sql<string | number>`count(*)`.as('n'),
      sql<string | number | bigint>`sum(responses.record_key)`.as('k'),
    ])
    .where('contact_requests.region_id', '=', regionId)
    .$if(municipality !== undefined, (q) => q.where('responses.location_id', 'in', locationsInMunicipality(regionId, municipality!)))
    .where('contact_requests.created_at', '<', endOfLastDay)
    .where((eb) => eb.or([eb('contact_requests.closed_at', 'is', null), eb('contact_requests.closed_at', '>=', endOfLastDay)]))
    .groupBy(['response_themes.theme_id', 'responses.partner_id'])
    .execute()
  const cells = new Map<number, Map<number, Cell>>()
  for (const row of rows) {
    const byPartner = cells.get(row.theme_id) ?? new Map<number, Cell>()
    byPartner.set(row.partner_id, cellOf(row))
    cells.set(row.theme_id, byPartner)
  }
  return cells
}

/**
 * Supply per theme: the region's open (not archived) offers, and its activities whose dates
 * overlap `window` (an activity without a start date has been running, one without an end
 * date still runs) and that were not cancelled (an import marks a cancelled or deleted
 * UiTdatabank event so; it is no offer to anyone any more). "Places" of an activity: the locations with a poster that is not retired.
 *
 * In a municipality: the activities with such a poster at a location in it (their places
 * counted there only), and the offers whose place names it (an offer has no location, only
 * a text: municipalities/index.ts, `municipalityOfPlace`).
 */
export async function supplyByTheme(db: Kysely<Database>, regionId: number, window: DayRange, municipality?: string): Promise<Map<number, SupplyItem[]>> {
  const offers = await db
    .selectFrom('offers')
    .innerJoin('offer_themes', 'offer_themes.offer_id', 'offers.id')
    .select(['offer_themes.theme_id', 'offers.id', 'offers.title', 'offers.provider', 'offers.place', 'offers.schedule'])
    .where('offers.region_id', '=', regionId)
    .where('offers.archived', '=', 0)
    .execute()
  const activities = await db
    .selectFrom('activities')
    .innerJoin('activity_themes', 'activity_themes.activity_id', 'activities.id')
    .innerJoin('partners', 'partners.id', 'activities.partner_id')
    .select((eb) => [
      'activity_themes.theme_id',
      'activities.id',
      'activities.title',
      'activities.partner_id',
      'activities.starts_on',
      'activities.ends_on',
      'partners.name as partner_name',
      eb
        .selectFrom('posters')
        .select(sql<string | number>`count(distinct posters.location_id)`.as('n'))
        .whereRef('posters.activity_id', '=', 'activities.id')
        .where('posters.status', '!=', 'retired')
        .$if(municipality !== undefined, (q) => q.where('posters.location_id', 'in', locationsInMunicipality(regionId, municipality!)))
        .as('places'),
    ])
    .where('activities.region_id', '=', regionId)
    // A proposal is not supply until it is accepted.
    .where('activities.state', '=', 'planned')
    .where('activities.cancelled_at', 'is', null)
    .where((eb) => eb.or([eb('activities.starts_on', 'is', null), eb('activities.starts_on', '<=', window.to)]))
    .where((eb) => eb.or([eb('activities.ends_on', 'is', null), eb('activities.ends_on', '>=', window.from)]))
    .$if(municipality !== undefined, (q) =>
      q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('posters')
            .select('posters.id')
            .whereRef('posters.activity_id', '=', 'activities.id')
            .where('posters.status', '!=', 'retired')
            .where('posters.location_id', 'in', locationsInMunicipality(regionId, municipality!)),
        ),
      ),
    )
    .execute()
  const supply = new Map<number, SupplyItem[]>()
  const add = (themeId: number, item: SupplyItem) => supply.set(themeId, [...(supply.get(themeId) ?? []), item])
  for (const offer of offers) {
    // municipalityOfPlace gives today's code, as the filter holds it.
    if (municipality !== undefined && municipalityOfPlace(offer.place) !== municipality) continue
    add(offer.theme_id, { kind: 'offer', id: offer.id, title: offer.title, partner: offer.provider, partnerId: null, place: offer.place, places: 0, when: offer.schedule })
  }
  for (const activity of activities) {
    const when = activity.starts_on || activity.ends_on ? `${activity.starts_on ?? '…'} – ${activity.ends_on ?? '…'}` : null
    add(activity.theme_id, {
      kind: 'activity',
      id: activity.id,
      title: activity.title,
      partner: activity.partner_name,
      partnerId: activity.partner_id,
      place: null,
      places: Number(activity.places ?? 0),
      when,
    })
  }
  return supply
}

export function listRegionThemes(db: Kysely<Database>, regionId: number) {
  return db.selectFrom('themes').select(['id', 'slug', 'labels', 'hidden', 'position']).where('region_id', '=', regionId).orderBy('position').orderBy('id').execute()
}

export function listRegionPartners(db: Kysely<Database>, regionId: number) {
  return db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', regionId).orderBy('name').orderBy('id').execute()
}
