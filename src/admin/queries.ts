import { findMunicipality, matchMunicipality } from '../municipalities/index.ts'
import type { Kysely } from 'kysely'
import type { ActivityState, Audience, Database, Poster, ThemeAudience } from '../db/types.ts'
import { seedDefaultThemes } from '../themes/index.ts'
import { createPoster } from '../posters/index.ts'
import { inScope } from '../auth/permissions.ts'

const now = () => new Date().toISOString()

export interface NewRegionInput {
  slug: string
  name: string
  defaultLanguage?: string
  contactLine?: string | null
}

/** A region starts with the default learning themes, which its coordinator can then edit. */
export async function createRegion(db: Kysely<Database>, input: NewRegionInput): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('regions')
      .values({
        slug: input.slug,
        name: input.name,
        default_language: input.defaultLanguage ?? 'nl',
        contact_line: input.contactLine ?? null,
        created_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await seedDefaultThemes(trx, id)
    return id
  })
}

export async function createPartner(db: Kysely<Database>, regionId: number, name: string, kind = 'other'): Promise<number> {
  const row = await db.insertInto('partners').values({ region_id: regionId, name, kind, created_at: now() }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export interface NewLocationInput {
  name: string
  address?: string | null
  municipality?: string | null
  /** A code from the list; absent: matched from the typed municipality and the address (as migration 050 did). */
  municipality_nis?: string | null
  latitude?: number | null
  longitude?: number | null
}

/** The code and the text stored for a location: with a code, the list's name; without, what was typed and whatever it matches. */
function municipalityColumns(input: NewLocationInput): { municipality: string | null; municipality_nis: string | null } {
  const chosen = input.municipality_nis ? findMunicipality(input.municipality_nis) : undefined
  if (chosen) return { municipality: chosen.name, municipality_nis: chosen.nis }
  return { municipality: input.municipality ?? null, municipality_nis: matchMunicipality(input.municipality, input.address) }
}

/** The region's locations whose municipality is not a code of the list yet: what the coordinator still has to choose. */
export function listUnmatchedLocations(db: Kysely<Database>, regionId: number) {
  return db.selectFrom('locations').select(['id', 'name', 'address', 'municipality']).where('region_id', '=', regionId).where('municipality_nis', 'is', null).orderBy('name').execute()
}

export async function setLocationMunicipality(db: Kysely<Database>, regionId: number, locationId: number, nis: string): Promise<boolean> {
  const chosen = findMunicipality(nis)
  if (!chosen) return false
  const result = await db.updateTable('locations').set({ municipality_nis: chosen.nis, municipality: chosen.name }).where('region_id', '=', regionId).where('id', '=', locationId).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function createLocation(db: Kysely<Database>, regionId: number, input: NewLocationInput): Promise<number> {
  const row = await db
    .insertInto('locations')
    .values({
      region_id: regionId,
      name: input.name,
      address: input.address ?? null,
      ...municipalityColumns(input),
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export interface NewActivityInput {
  partnerId: number
  title: string
  description?: string | null
  audience?: Audience
  startsOn?: string | null
  endsOn?: string | null
  /** 'proposed': a partner's proposal for the region's panel (issue 18); by default planned. */
  state?: ActivityState
}

/** The activity takes its region from its partner, so the two can never disagree. */
export async function createActivity(db: Kysely<Database>, input: NewActivityInput): Promise<number> {
  const partner = await db.selectFrom('partners').select('region_id').where('id', '=', input.partnerId).executeTakeFirstOrThrow()
  const row = await db
    .insertInto('activities')
    .values({
      region_id: partner.region_id,
      partner_id: input.partnerId,
      title: input.title,
      description: input.description ?? null,
      audience: input.audience ?? 'all',
      starts_on: input.startsOn ?? null,
      ends_on: input.endsOn ?? null,
      created_at: now(),
      ...(input.state ? { state: input.state } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

// ——— Management (issue 3): every read takes the region, and for activities and posters
// the partners in scope, so that an id from another region or partner finds nothing. ———

export interface RegionUpdate {
  name: string
  defaultLanguage: string
  contactLine: string | null
}

export async function updateRegion(db: Kysely<Database>, regionId: number, input: RegionUpdate): Promise<void> {
  await db
    .updateTable('regions')
    .set({ name: input.name, default_language: input.defaultLanguage, contact_line: input.contactLine })
    .where('id', '=', regionId)
    .execute()
}

export function listPartners(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all' = 'all') {
  return db
    .selectFrom('partners')
    .selectAll()
    .where('region_id', '=', regionId)
    .where((eb) => inScope(eb, 'partners.id', partnerIds))
    .orderBy('name')
    .execute()
}

export function findPartner(db: Kysely<Database>, regionId: number, partnerId: number) {
  return db.selectFrom('partners').selectAll().where('region_id', '=', regionId).where('id', '=', partnerId).executeTakeFirst()
}

export async function updatePartner(db: Kysely<Database>, regionId: number, partnerId: number, name: string, kind: string): Promise<void> {
  await db.updateTable('partners').set({ name, kind }).where('region_id', '=', regionId).where('id', '=', partnerId).execute()
}

export function listLocations(db: Kysely<Database>, regionId: number) {
  return db.selectFrom('locations').selectAll().where('region_id', '=', regionId).orderBy('name').execute()
}

export function findLocation(db: Kysely<Database>, regionId: number, locationId: number) {
  return db.selectFrom('locations').selectAll().where('region_id', '=', regionId).where('id', '=', locationId).executeTakeFirst()
}

export async function updateLocation(db: Kysely<Database>, regionId: number, locationId: number, input: NewLocationInput): Promise<void> {
  await db
    .updateTable('locations')
    .set({
      name: input.name,
      address: input.address ?? null,
      ...municipalityColumns(input),
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
    })
    .where('region_id', '=', regionId)
    .where('id', '=', locationId)
    .execute()
}

export function listActivities(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all') {
  return db
    .selectFrom('activities')
    .innerJoin('partners', 'partners.id', 'activities.partner_id')
    .selectAll('activities')
    .select('partners.name as partner_name')
    .where('activities.region_id', '=', regionId)
    .where((eb) => inScope(eb, 'activities.partner_id', partnerIds))
    .orderBy('activities.created_at', 'desc')
    .orderBy('activities.id', 'desc')
    .execute()
}

export function findActivity(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all', activityId: number) {
  return db
    .selectFrom('activities')
    .innerJoin('partners', 'partners.id', 'activities.partner_id')
    .selectAll('activities')
    .select('partners.name as partner_name')
    .where('activities.region_id', '=', regionId)
    .where('activities.id', '=', activityId)
    .where((eb) => inScope(eb, 'activities.partner_id', partnerIds))
    .executeTakeFirst()
}

export type ActivityUpdate = Omit<NewActivityInput, 'partnerId'> & { partnerId: number }

export async function updateActivity(db: Kysely<Database>, regionId: number, activityId: number, input: ActivityUpdate): Promise<void> {
  await db
    .updateTable('activities')
    .set({
      partner_id: input.partnerId,
      title: input.title,
      description: input.description ?? null,
      audience: input.audience ?? 'all',
      starts_on: input.startsOn ?? null,
      ends_on: input.endsOn ?? null,
    })
    .where('region_id', '=', regionId)
    .where('id', '=', activityId)
    .execute()
  // Posters carry the partner for fast scoping; keep them in step with their activity.
  await db.updateTable('posters').set({ partner_id: input.partnerId }).where('activity_id', '=', activityId).execute()
}

export async function activityThemeIds(db: Kysely<Database>, activityId: number): Promise<number[]> {
  const rows = await db.selectFrom('activity_themes').select('theme_id').where('activity_id', '=', activityId).execute()
  return rows.map((row) => row.theme_id)
}

/** The themes of every activity of a region, by activity (for the list of activities). */
export async function activityThemesInRegion(db: Kysely<Database>, regionId: number): Promise<Map<number, number[]>> {
  const rows = await db
    .selectFrom('activity_themes')
    .innerJoin('activities', 'activities.id', 'activity_themes.activity_id')
    .select(['activity_themes.activity_id', 'activity_themes.theme_id'])
    .where('activities.region_id', '=', regionId)
    .execute()
  const themes = new Map<number, number[]>()
  for (const row of rows) themes.set(row.activity_id, [...(themes.get(row.activity_id) ?? []), row.theme_id])
  return themes
}

/** Replaces an activity's themes; only themes of the activity's own region are kept. */
export async function setActivityThemes(db: Kysely<Database>, regionId: number, activityId: number, themeIds: number[]): Promise<void> {
  await db.deleteFrom('activity_themes').where('activity_id', '=', activityId).execute()
  if (themeIds.length === 0) return
  const valid = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).where('id', 'in', themeIds).execute()
  if (valid.length > 0) await db.insertInto('activity_themes').values(valid.map((theme) => ({ activity_id: activityId, theme_id: theme.id }))).execute()
}

export function listPosters(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all', activityId?: number) {
  let query = db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .innerJoin('partners', 'partners.id', 'posters.partner_id')
    .select([
      'posters.id',
      'posters.code',
      'posters.status',
      'posters.activity_id',
      'posters.location_id',
      'posters.created_at',
      'activities.title as activity_title',
      'locations.name as location_name',
      'partners.name as partner_name',
    ])
    .where('posters.region_id', '=', regionId)
    .where((eb) => inScope(eb, 'posters.partner_id', partnerIds))
  if (activityId !== undefined) query = query.where('posters.activity_id', '=', activityId)
  return query.orderBy('activities.title').orderBy('locations.name').execute()
}

export function findPoster(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all', posterId: number) {
  return db
    .selectFrom('posters')
    .selectAll()
    .where('region_id', '=', regionId)
    .where('id', '=', posterId)
    .where((eb) => inScope(eb, 'posters.partner_id', partnerIds))
    .executeTakeFirst()
}

/**
 * All posters of an activity for the ticked locations, in one transaction: either every
 * poster is made or none. Locations outside the activity's region and locations that
 * already have a poster for this activity are skipped.
 */
export async function createPostersForLocations(db: Kysely<Database>, activityId: number, locationIds: number[]): Promise<Poster[]> {
  if (locationIds.length === 0) return []
  return db.transaction().execute(async (trx) => {
    const activity = await trx.selectFrom('activities').select(['id', 'region_id']).where('id', '=', activityId).executeTakeFirstOrThrow()
    const locations = await trx.selectFrom('locations').select('id').where('region_id', '=', activity.region_id).where('id', 'in', locationIds).execute()
    const existing = new Set((await trx.selectFrom('posters').select('location_id').where('activity_id', '=', activityId).execute()).map((row) => row.location_id))
    const made: Poster[] = []
    for (const location of locations) {
      if (existing.has(location.id)) continue
      made.push(await createPoster(trx, { activityId, locationId: location.id }))
    }
    return made
  })
}

/** Every theme of the region, hidden ones too, in the order the citizen form shows them. */
export function listThemes(db: Kysely<Database>, regionId: number) {
  return db.selectFrom('themes').selectAll().where('region_id', '=', regionId).orderBy('position').orderBy('id').execute()
}

export function findTheme(db: Kysely<Database>, regionId: number, themeId: number) {
  return db.selectFrom('themes').selectAll().where('region_id', '=', regionId).where('id', '=', themeId).executeTakeFirst()
}

export interface ThemeInput {
  slug: string
  /** The list the theme is on; a new theme without one is general, an edit without one keeps it. */
  audience?: ThemeAudience | undefined
  icon: string | null
  labels: Record<string, string>
  keywords: Record<string, string[]>
  position: number
  hidden: boolean
}

export async function createTheme(db: Kysely<Database>, regionId: number, input: ThemeInput): Promise<number> {
  const row = await db
    .insertInto('themes')
    .values({
      region_id: regionId,
      slug: input.slug,
      icon: input.icon,
      labels: JSON.stringify(input.labels),
      keywords: JSON.stringify(input.keywords),
      position: input.position,
      hidden: input.hidden ? 1 : 0,
      created_at: now(),
      audience: input.audience ?? 'general',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateTheme(db: Kysely<Database>, regionId: number, themeId: number, input: Omit<ThemeInput, 'slug'>): Promise<void> {
  await db
    .updateTable('themes')
    .set({
      icon: input.icon,
      labels: JSON.stringify(input.labels),
      keywords: JSON.stringify(input.keywords),
      position: input.position,
      hidden: input.hidden ? 1 : 0,
      ...(input.audience !== undefined ? { audience: input.audience } : {}),
    })
    .where('region_id', '=', regionId)
    .where('id', '=', themeId)
    .execute()
}

/** Counts for the region's overview page, within the person's partner scope. */
export async function regionCounts(db: Kysely<Database>, regionId: number, partnerIds: number[] | 'all') {
  const count = async (table: 'partners' | 'locations' | 'activities' | 'posters' | 'themes', scoped: boolean) => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .where('region_id', '=', regionId)
      .where((eb) => (scoped ? inScope(eb, table === 'partners' ? 'id' : 'partner_id', partnerIds) : inScope(eb, 'id', 'all')))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  return {
    partners: await count('partners', true),
    locations: await count('locations', false),
    activities: await count('activities', true),
    posters: await count('posters', true),
    themes: await count('themes', false),
  }
}
