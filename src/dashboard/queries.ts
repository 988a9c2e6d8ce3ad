import { type Kysely, type SelectQueryBuilder, sql } from 'kysely'
import { locationsInMunicipality } from '../municipalities/index.ts'
import type { AgeBand, Audience, Database, RollupFaceCounts, RollupKeySums, RollupMeasures } from '../db/types.ts'
import { type Period, type PeriodPiece, periodPieces } from '../answers/index.ts'

/**
 * Aggregates for the region dashboards, read from the rollups only.
 *
 * Who may see what is decided before these run and arrives as the `scope`: a region, and
 * for a partner member their partner — every query then reads only that partner's rows.
 * An unfiltered coordinator view reads the region-by-day grain (a few hundred rows a
 * year); a filter or a partner scope reads the poster grain, narrowed by its indexes.
 */

export interface DashboardScope {
  regionId: number
  /** Set for a partner member: only this partner's posters count. */
  partnerId?: number
}

export interface DashboardFilters {
  partnerId?: number
  locationId?: number
  /** A municipality's code (src/municipalities): the answers at the region's locations in it, its merged old codes included. */
  municipality?: string
  activityId?: number
  audience?: Audience
  ageBand?: AgeBand
  /** Only the assisted answers, or none of them (filters.ts); absent: every answer. */
  assisted?: 'only' | 'exclude'
}

/**
 * The counts the dashboard publishes: answers, tried new (yes, a bit), step 2, and the
 * answers per face (the liked average is derived from the published face counts).
 * `tried_no`, `liked_sum` and `liked_count` are in every rollup row but nothing on the
 * dashboard, its CSV, report, share page or API shows them: not reading them is a quarter
 * fewer values per row, and handing rows from the database to JavaScript costs per value.
 */
const publishedCounts = ['responses', 'tried_yes', 'tried_a_bit', 'step2', 'liked_1', 'liked_2', 'liked_3', 'liked_4', 'liked_5'] as const

/** Every column the dashboard reads from an answer rollup: each published count and its key sum (a published count needs both). */
const measureNames = [...publishedCounts, ...publishedCounts.map((name) => `${name}_key` as const)] as const satisfies readonly (keyof (RollupMeasures & RollupFaceCounts & RollupKeySums))[]

/** The counts of a slice and, next to every count, its key sum. */
export type Measures = Pick<RollupMeasures & RollupFaceCounts & RollupKeySums, (typeof measureNames)[number]>

const zeroMeasures: Readonly<Measures> = Object.freeze(Object.fromEntries(measureNames.map((name) => [name, 0])) as unknown as Measures)

/** A fresh all-zero slice (a copy of one object: built per group and per row, it must be cheap). */
export function emptyMeasures(): Measures {
  return { ...zeroMeasures }
}

/** The empty slice, for reading only (a breakdown row or table cell without answers). */
export const noMeasures: Readonly<Measures> = zeroMeasures

export function addInto(into: Measures, row: Partial<Record<keyof Measures, unknown>>, sign = 1): void {
  for (const name of measureNames) {
    const value = row[name]
    // SQLite returns numbers; PostgreSQL returns sums as strings.
    into[name] += sign * (typeof value === 'number' ? value : Number(value ?? 0))
  }
}

function needsPosterGrain(scope: DashboardScope, filters: DashboardFilters): boolean {
  return (
    scope.partnerId !== undefined ||
    filters.partnerId !== undefined ||
    filters.locationId !== undefined ||
    filters.municipality !== undefined ||
    filters.activityId !== undefined ||
    filters.audience !== undefined ||
    filters.ageBand !== undefined ||
    filters.assisted !== undefined
  )
}

type AnyQuery = SelectQueryBuilder<any, any, any>

/** The scope and filters as conditions on a poster-grain rollup table. */
function posterConditions<Q extends AnyQuery>(query: Q, scope: DashboardScope, filters: DashboardFilters): Q {
  let q: AnyQuery = query.where('region_id', '=', scope.regionId)
  if (scope.partnerId !== undefined) q = q.where('partner_id', '=', scope.partnerId)
  if (filters.partnerId !== undefined) q = q.where('partner_id', '=', filters.partnerId)
  if (filters.locationId !== undefined) q = q.where('location_id', '=', filters.locationId)
  if (filters.municipality !== undefined) q = q.where('location_id', 'in', locationsInMunicipality(scope.regionId, filters.municipality))
  if (filters.activityId !== undefined) q = q.where('activity_id', '=', filters.activityId)
  if (filters.audience !== undefined) q = q.where('audience', '=', filters.audience)
  if (filters.ageBand !== undefined) q = q.where('age_band', '=', filters.ageBand)
  if (filters.assisted !== undefined) q = q.where('assisted', '=', filters.assisted === 'only' ? 1 : 0)
  return q as Q
}

const sumsOfMeasures = measureNames.map((name) => sql<string>`sum(${sql.ref(name)})`.as(name))

/** The answers of one day of the slice and their key sum: what a week's bar and a month's quote gate publish. */
export interface DayAnswers {
  day: string
  responses: number
  responses_key: number
}

/**
 * Answers per day in the period, for the slice (days without answers are absent). Only the
 * answers and their key sum: the weeks' bars and the quotes' month gates show nothing else,
 * and the rest of a period's figures come from `measuresOver`, a row for the whole period.
 */
export async function answersByDay(db: Kysely<Database>, scope: DashboardScope, filters: DashboardFilters, period: Period): Promise<DayAnswers[]> {
  let rows: Record<string, unknown>[]
  if (!needsPosterGrain(scope, filters)) {
    // Plan: SEARCH rollup_region_days USING PRIMARY KEY (region_id=? AND day>? AND day<?).
    // One row per day with answers: at most the period's days, whatever the total.
    rows = await db
      .selectFrom('rollup_region_days')
      .select(['day', 'responses', 'responses_key'])
      .where('region_id', '=', scope.regionId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .execute()
  } else {
    // Plan: SEARCH rollup_poster_days USING PRIMARY KEY (region_id=? AND day>? AND day<?)
    // (a partner: rollup_poster_days_partner (partner_id=? AND day>? AND day<?)), the
    // filters tested on those rows: the region's poster-days in the period (posters × days),
    // not its answers.
    rows = await posterConditions(db.selectFrom('rollup_poster_days'), scope, filters)
      .select(['day', sql<string>`sum(responses)`.as('responses'), sql<string>`sum(responses_key)`.as('responses_key')])
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .groupBy('day')
      .execute()
  }
  return rows.map((row) => ({ day: String(row.day), responses: Number(row.responses), responses_key: Number(row.responses_key) }))
}

/**
 * Every measure of the slice summed over the period, in one row: the headline, and the
 * previous period's total. Unfiltered, from the region's days (at most the period's days);
 * with a filter or a partner scope from the poster grain in signed pieces of years, months
 * and days (`periodPieces`), which reads a row per poster and band for a whole year instead
 * of one per poster, band and day.
 */
export async function measuresOver(db: Kysely<Database>, scope: DashboardScope, filters: DashboardFilters, period: Period): Promise<Measures> {
  let rows: Record<string, unknown>[]
  if (!needsPosterGrain(scope, filters)) {
    // Plan: SEARCH rollup_region_days USING PRIMARY KEY (region_id=? AND day>? AND day<?).
    rows = await db
      .selectFrom('rollup_region_days')
      .select(sumsOfMeasures)
      .where('region_id', '=', scope.regionId)
      .where('day', '>=', period.from)
      .where('day', '<=', period.to)
      .execute()
  } else {
    rows = await posterGrainSums(db, scope, filters, period, [], measureNames)
  }
  const total = emptyMeasures()
  for (const row of rows) addInto(total, row)
  return total
}

type Grain = PeriodPiece['grain']

/**
 * Runs `read` once per piece of the period (see `periodPieces`): whole months (and, for
 * tables that have them, whole years) on the coarse rollups, loose days at either end on
 * the day rollups. A piece with sign −1 takes away what a coarser piece read beyond the
 * period, so the signed sum is exactly the period.
 */
async function perPiece<T>(
  period: Period,
  read: (grain: Grain, from: string, to: string) => Promise<T[]>,
  options: { years: boolean } = { years: false },
): Promise<{ row: T; sign: number }[]> {
  const pieces = periodPieces(period, options)
  const reads = pieces.map(async (piece) => (await read(piece.grain, piece.from, piece.to)).map((row) => ({ row, sign: piece.sign as number })))
  return (await Promise.all(reads)).flat()
}

export interface ThemePeriodCounts {
  themeId: number
  current: number
  currentKey: number
  previous: number
  previousKey: number
}

/** Answers per theme in the current period and in the one before it. */
export async function themeCounts(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  current: Period,
  previous: Period,
): Promise<ThemePeriodCounts[]> {
  const poster = needsPosterGrain(scope, filters)
  const read = (grain: Grain, from: string, to: string) => {
    // No theme table has a year grain: these reads are small, and perPiece gives them none.
    // Plan: SEARCH rollup_{region,poster}_theme_{days,months} USING PRIMARY KEY (region_id=?
    // AND day|month>? AND day|month<?): rows per theme (× poster) and day or month of the
    // pieces, never per answer.
    const table = `${poster ? 'rollup_poster_theme' : 'rollup_region_theme'}_${grain as 'day' | 'month'}s` as const
    let query: AnyQuery = db.selectFrom(table).select(['theme_id', sql<string>`sum(responses)`.as('responses'), sql<string>`sum(responses_key)`.as('responses_key')])
    query = poster ? posterConditions(query, scope, filters) : query.where('region_id', '=', scope.regionId)
    return query.where(grain, '>=', from).where(grain, '<=', to).groupBy('theme_id').execute() as Promise<{ theme_id: number; responses: string; responses_key: string }[]>
  }
  const [now, before] = await Promise.all([perPiece(current, read), perPiece(previous, read)])
  const counts = new Map<number, ThemePeriodCounts>()
  const entry = (themeId: number) => {
    let found = counts.get(themeId)
    if (!found) counts.set(themeId, (found = { themeId, current: 0, currentKey: 0, previous: 0, previousKey: 0 }))
    return found
  }
  for (const { row, sign } of now) {
    const theme = entry(Number(row.theme_id))
    theme.current += sign * Number(row.responses)
    theme.currentKey += sign * Number(row.responses_key)
  }
  for (const { row, sign } of before) {
    const theme = entry(Number(row.theme_id))
    theme.previous += sign * Number(row.responses)
    theme.previousKey += sign * Number(row.responses_key)
  }
  return [...counts.values()]
}

export interface PosterPlace {
  partnerId: number
  locationId: number
  activityId: number
  audience: Audience
}

export interface PosterMeasures extends Measures, PosterPlace {
  posterId: number
}

export interface LocationBandCount {
  locationId: number
  ageBand: AgeBand | ''
  responses: number
  responses_key: number
}

/** What every breakdown of a period is regrouped from (see `measuresByPlace`). */
export interface PlaceMeasures {
  /** Per poster, with its place: the location, partner, activity and audience breakdowns. */
  posters: PosterMeasures[]
  /** Per age band ('' = not given). */
  bands: Map<AgeBand | '', Measures>
  /** Answers per location and age band (the age band × location table shows no other count). */
  locationBands: LocationBandCount[]
}

/**
 * The period's rows of the poster-grain rollups that match the slice, summed per `groupBy`:
 * the period is read in signed pieces with whole years where that is fewer rows (see
 * `periodPieces`), and the pieces are added up in one statement (`union all`, then one
 * `group by`), so the database hands each group over once.
 */
function posterGrainSums(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  period: Period,
  groupBy: readonly ('poster_id' | 'age_band' | 'location_id')[],
  measures: readonly (keyof Measures)[],
): Promise<Record<string, unknown>[]> {
  // Plan: each piece SEARCHes rollup_poster_{days,months,years} USING PRIMARY KEY (region_id=?
  // AND grain>? AND grain<?) (a partner: rollup_poster_*_partner (partner_id=? AND grain>?
  // AND grain<?)), then one TEMP B-TREE groups the union (none without `groupBy`): rows per poster, band and piece
  // (a year is one row per poster and band), bounded by the region's posters, not its answers.
  const pieces = periodPieces(period, { years: true }).map(
    (piece) =>
      posterConditions(db.selectFrom(`rollup_poster_${piece.grain}s`) as AnyQuery, scope, filters)
        .select([...groupBy])
        // The sign is a literal: a piece that takes away is the same statement every time.
        .select(measures.map((name) => sql<number>`${sql.ref(name)} * ${sql.lit(piece.sign)}`.as(name)))
        .where(piece.grain, '>=', piece.from)
        .where(piece.grain, '<=', piece.to) as AnyQuery,
  )
  const union = pieces.slice(1).reduce((all, piece) => all.unionAll(piece), pieces[0]!)
  const sums = db.selectFrom(union.as('pieces')).select([...groupBy, ...measures.map((name) => sql<string>`sum(${sql.ref(name)})`.as(name))] as never)
  // No grouping column: one row for the whole period (sums of no rows are null: read as 0).
  return (groupBy.length === 0 ? sums : sums.groupBy([...groupBy] as never)).execute() as Promise<Record<string, unknown>[]>
}

/**
 * The sums every breakdown of the period is a regrouping of (location, activity, partner,
 * audience, age band, age band × location), in three reads of the same pieces: per poster,
 * per age band, and the answers alone per location and band. It is the dashboard's largest
 * read (a year of a large region is some 8,000 poster-month rows), and what costs is
 * handing rows over to JavaScript, per value: one read per poster and band with every
 * measure (3,500 rows × 20 values for a region of 500 posters) cost twice the three reads
 * together (measured on the wide-region bench database). Key sums add up like counts, so
 * every published cell is the one the poster × band rows would give. Grouping by key
 * columns only keeps the sorts small. A poster's place comes from `posters`: a poster keeps
 * its partner, activity and location for life (so a rollup row's own location_id is its
 * poster's), and `posters` holds every poster of the scope.
 */
export async function measuresByPlace(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  period: Period,
  posters: ReadonlyMap<number, PosterPlace>,
): Promise<PlaceMeasures> {
  const [posterRows, bandRows, locationBandRows] = await Promise.all([
    posterGrainSums(db, scope, filters, period, ['poster_id'], measureNames),
    posterGrainSums(db, scope, filters, period, ['age_band'], measureNames),
    posterGrainSums(db, scope, filters, period, ['location_id', 'age_band'], ['responses', 'responses_key']),
  ])
  const byPoster: PosterMeasures[] = []
  for (const row of posterRows) {
    const place = posters.get(Number(row.poster_id))
    if (!place) continue
    const into: PosterMeasures = { posterId: Number(row.poster_id), ...place, ...emptyMeasures() }
    addInto(into, row)
    byPoster.push(into)
  }
  const bands = new Map<AgeBand | '', Measures>()
  for (const row of bandRows) {
    const into = emptyMeasures()
    addInto(into, row)
    bands.set(row.age_band as AgeBand | '', into)
  }
  const locationBands = locationBandRows.map((row) => ({
    locationId: Number(row.location_id),
    ageBand: row.age_band as AgeBand | '',
    responses: Number(row.responses),
    responses_key: Number(row.responses_key),
  }))
  return { posters: byPoster, bands, locationBands }
}

export interface RegionDirectory {
  region: { id: number; name: string; k: number }
  partners: { id: number; name: string }[]
  locations: { id: number; name: string; municipality_nis: string | null }[]
  activities: { id: number; title: string; partnerId: number; audience: Audience }[]
  themes: { id: number; labels: string; slug: string }[]
  posters: Map<number, PosterPlace>
}

/**
 * The names a dashboard shows and the values its filters accept. For a partner scope,
 * only that partner's activities, and only the locations its posters hang at.
 */
export async function regionDirectory(db: Kysely<Database>, scope: DashboardScope): Promise<RegionDirectory | undefined> {
  // These read the region's own lists (partners, activities, locations, posters, themes):
  // they grow with the region's organisation, never with its answers.
  const region = await db.selectFrom('regions').select(['id', 'name', 'min_cell_size']).where('id', '=', scope.regionId).executeTakeFirst()
  if (!region) return undefined
  let partners = db.selectFrom('partners').select(['id', 'name']).where('region_id', '=', scope.regionId)
  if (scope.partnerId !== undefined) partners = partners.where('id', '=', scope.partnerId)
  let activities = db.selectFrom('activities').select(['id', 'title', 'partner_id', 'audience']).where('region_id', '=', scope.regionId)
  if (scope.partnerId !== undefined) activities = activities.where('partner_id', '=', scope.partnerId)
  let locations = db.selectFrom('locations').select(['id', 'name', 'municipality_nis']).where('region_id', '=', scope.regionId)
  if (scope.partnerId !== undefined) {
    const partnerId = scope.partnerId
    locations = locations.where('id', 'in', db.selectFrom('posters').select('location_id').where('partner_id', '=', partnerId))
  }
  let posters = db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .select(['posters.id', 'posters.partner_id', 'posters.location_id', 'posters.activity_id', 'activities.audience'])
    .where('posters.region_id', '=', scope.regionId)
  if (scope.partnerId !== undefined) posters = posters.where('posters.partner_id', '=', scope.partnerId)
  const [partnerRows, activityRows, locationRows, themeRows, posterRows] = await Promise.all([
    partners.orderBy('name').execute(),
    activities.orderBy('title').execute(),
    locations.orderBy('name').execute(),
    db.selectFrom('themes').select(['id', 'labels', 'slug']).where('region_id', '=', scope.regionId).orderBy('position').orderBy('id').execute(),
    posters.execute(),
  ])
  return {
    // Never below 3, whatever the stored value says.
    region: { id: region.id, name: region.name, k: Math.max(3, region.min_cell_size) },
    partners: partnerRows,
    locations: locationRows,
    activities: activityRows.map((row) => ({ id: row.id, title: row.title, partnerId: row.partner_id, audience: row.audience })),
    themes: themeRows,
    posters: new Map(
      posterRows.map((row) => [row.id, { partnerId: row.partner_id, locationId: row.location_id, activityId: row.activity_id, audience: row.audience }]),
    ),
  }
}

/**
 * The most recent free texts of a slice in a time window (newest first, at most `limit`),
 * for word statistics. Only the text is read: never who or where beyond the slice.
 */
export async function recentTexts(
  db: Kysely<Database>,
  scope: DashboardScope,
  filters: DashboardFilters,
  fromUtc: string,
  toUtc: string,
  limit: number,
): Promise<KeyedText[]> {
  // Plan: SEARCH responses USING COVERING INDEX responses_region_text (region_id=? AND
  // created_at>? AND created_at<?), newest first, stopping after `limit` texts; filtered by
  // a location or an activity, their own text indexes (migration 028), by partner
  // responses_partner_text (004). With an age band or an audience the walk tests each text
  // until `limit` match: about the window divided by that filter's share of the texts, not
  // the total.
  let query = db
    .selectFrom('responses')
    .select(['free_text', 'record_key'])
    .where('region_id', '=', scope.regionId)
    .where('free_text', 'is not', null)
    .where('created_at', '>=', fromUtc)
    .where('created_at', '<', toUtc)
  if (scope.partnerId !== undefined) query = query.where('partner_id', '=', scope.partnerId)
  if (filters.partnerId !== undefined) query = query.where('partner_id', '=', filters.partnerId)
  if (filters.locationId !== undefined) query = query.where('location_id', '=', filters.locationId)
  if (filters.municipality !== undefined) query = query.where('location_id', 'in', locationsInMunicipality(scope.regionId, filters.municipality))
  if (filters.activityId !== undefined) query = query.where('activity_id', '=', filters.activityId)
  if (filters.ageBand !== undefined) query = query.where('age_band', '=', filters.ageBand)
  if (filters.assisted !== undefined) query = query.where('assisted', '=', filters.assisted === 'only' ? 1 : 0)
  if (filters.audience !== undefined) {
    const audience = filters.audience
    query = query.where('activity_id', 'in', db.selectFrom('activities').select('id').where('audience', '=', audience).where('region_id', '=', scope.regionId))
  }
  const rows = await query.orderBy('created_at', 'desc').limit(limit).execute()
  return rows.map((row) => ({ text: row.free_text ?? '', key: row.record_key }))
}

/** A free text with its answer's record key: a word's count is published through the key sum of the answers that use it. */
export interface KeyedText {
  text: string
  key: number
}
