import { matchMunicipality } from '../municipalities/index.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import type { MappedEvent } from './event.ts'
import { type RunResult, storeRun } from './store.ts'

/**
 * What the coordinator confirms: a source place is a location of the region (an existing one,
 * or a new one made from the place), an organizer is a partner, a term is a theme. Confirming
 * a place or an organizer imports the events that waited for it, as a run of its own (source
 * "confirm") with its report.
 */

export async function confirmPlace(db: Kysely<Database>, regionId: number, placeId: number, target: { locationId: number } | 'new', userId: number | null): Promise<RunResult | null> {
  const place = await db.selectFrom('import_places').selectAll().where('region_id', '=', regionId).where('id', '=', placeId).executeTakeFirst()
  if (!place) return null
  let locationId: number
  if (target === 'new') {
    const row = await db
      .insertInto('locations')
      .values({ region_id: regionId, name: place.name, address: place.address, municipality: place.municipality, municipality_nis: matchMunicipality(place.municipality, place.address), latitude: null, longitude: null, created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow()
    locationId = row.id
  } else {
    const location = await db.selectFrom('locations').select('id').where('region_id', '=', regionId).where('id', '=', target.locationId).executeTakeFirst()
    if (!location) return null
    locationId = location.id
  }
  await db.updateTable('import_places').set({ location_id: locationId }).where('id', '=', place.id).execute()
  return importWaiting(db, regionId, userId)
}

export async function linkOrganizer(db: Kysely<Database>, regionId: number, organizerId: number, partnerId: number | null, userId: number | null): Promise<RunResult | null> {
  const organizer = await db.selectFrom('import_organizers').select('id').where('region_id', '=', regionId).where('id', '=', organizerId).executeTakeFirst()
  if (!organizer) return null
  if (partnerId !== null) {
    const partner = await db.selectFrom('partners').select('id').where('region_id', '=', regionId).where('id', '=', partnerId).executeTakeFirst()
    if (!partner) return null
  }
  await db.updateTable('import_organizers').set({ partner_id: partnerId }).where('id', '=', organizer.id).execute()
  return importWaiting(db, regionId, userId)
}

/** The term → theme mapping; it applies from the next import of an event (its fingerprint is unchanged otherwise). */
export async function mapTerm(db: Kysely<Database>, regionId: number, termId: number, themeId: number | null): Promise<boolean> {
  if (themeId !== null) {
    const theme = await db.selectFrom('themes').select('id').where('region_id', '=', regionId).where('id', '=', themeId).executeTakeFirst()
    if (!theme) return false
  }
  const result = await db.updateTable('import_terms').set({ theme_id: themeId }).where('region_id', '=', regionId).where('id', '=', termId).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The held events whose place and organizer are now known, stored as one run. */
async function importWaiting(db: Kysely<Database>, regionId: number, userId: number | null): Promise<RunResult | null> {
  const pending = await db.selectFrom('import_pending').select(['payload', 'default_partner_id']).where('region_id', '=', regionId).orderBy('id').execute()
  if (pending.length === 0) return null
  const parsed = pending.map((row) => ({ event: JSON.parse(row.payload) as MappedEvent, defaultPartnerId: row.default_partner_id }))
  return storeRun(db, parsed, { regionId, source: 'confirm', userId })
}
