import type { Kysely, Transaction } from 'kysely'
import type { Database, ImportSource, ImportSourceStatus } from '../db/types.ts'
import { fingerprint, normalizeAddress, placeAddress, type MappedEvent, type MappedPlace, type Outcome, type ReportLine } from './event.ts'
import type { Parsed } from './uitdatabank.ts'

/**
 * Storing a run: every event was validated and mapped before this (uitdatabank.ts, ical.ts);
 * the valid ones are stored here in one transaction, so a run is all or nothing for the
 * database, and the report says per event what happened and why.
 *
 * Rules (issue 18):
 * - idempotent by the source's id: the same event again with the same mapped fields is
 *   "unchanged" and writes nothing;
 * - a place is matched by its id (a link the coordinator confirmed or an earlier address
 *   match), then by address; an unknown place holds the event as pending;
 * - an organizer maps to a partner through import_organizers (the coordinator confirms);
 *   an activity needs a partner, so without a link (and without the run's default partner)
 *   it is pending too; an offer may have no partner and names the organizer as provider;
 * - status: paused or cancelled at the source pauses the activity's active posters and a
 *   cancellation marks the activity cancelled; back to available resumes the posters the
 *   import paused. Imports never create posters.
 */

export interface RunOptions {
  regionId: number
  source: ImportSource
  fileName?: string | null
  userId?: number | null
  /** The partner for activities whose organizer has no confirmed partner (an upload's choice). */
  defaultPartnerId?: number | null
  /** For a scheduled fetch: the modification time the next incremental run starts from. */
  modifiedUntil?: string | null
  now?: () => Date
}

export interface RunResult {
  runId: number
  lines: ReportLine[]
  counts: Record<Outcome, number>
}

const maxThemes = 3

export async function storeRun(db: Kysely<Database>, parsed: Parsed[], options: RunOptions): Promise<RunResult> {
  const now = (options.now ?? (() => new Date()))().toISOString()
  return db.transaction().execute(async (trx) => {
    const lines: ReportLine[] = []
    const seen = new Set<string>()
    for (const item of parsed) {
      if ('line' in item) {
        lines.push(item.line)
        continue
      }
      // The same id twice in one file: the first wins, the second is reported.
      if (seen.has(item.event.externalId)) {
        lines.push({ externalId: item.event.externalId, title: item.event.title, outcome: 'skipped', reason: 'duplicate', detail: null })
        continue
      }
      seen.add(item.event.externalId)
      lines.push(await storeEvent(trx, item.event, { ...options, defaultPartnerId: options.defaultPartnerId ?? item.defaultPartnerId ?? null }, now))
    }
    const counts = countOutcomes(lines)
    // Finished: the clock's time now, after the events (options.now is when the run began).
    const runId = await insertRun(trx, options, { startedAt: now, finishedAt: new Date().toISOString(), counts, failure: null, modifiedUntil: options.modifiedUntil ?? null, lines })
    return { runId, lines, counts }
  })
}

/** A run that failed as a whole (not JSON-LD or iCalendar, too large, the source unreachable): kept with its reason, nothing else changes. */
export async function recordFailedRun(db: Kysely<Database>, failure: string, options: RunOptions): Promise<number> {
  const now = (options.now ?? (() => new Date()))().toISOString()
  return insertRun(db, options, { startedAt: now, finishedAt: now, counts: countOutcomes([]), failure, modifiedUntil: null, lines: [] })
}

/** The run's row in import_runs, for a stored run and a failed one alike; returns its id. */
async function insertRun(
  db: Kysely<Database>,
  options: RunOptions,
  run: { startedAt: string; finishedAt: string; counts: Record<Outcome, number>; failure: string | null; modifiedUntil: string | null; lines: ReportLine[] },
): Promise<number> {
  const row = await db
    .insertInto('import_runs')
    .values({
      region_id: options.regionId,
      source: options.source,
      file_name: options.fileName ?? null,
      started_by: options.userId ?? null,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      ...run.counts,
      failure: run.failure,
      modified_until: run.modifiedUntil,
      report: JSON.stringify(run.lines),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

function countOutcomes(lines: ReportLine[]): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { imported: 0, updated: 0, unchanged: 0, pending: 0, skipped: 0 }
  for (const line of lines) counts[line.outcome]++
  return counts
}

async function storeEvent(trx: Transaction<Database>, event: MappedEvent, options: RunOptions, now: string): Promise<ReportLine> {
  const line = (outcome: Outcome, reason: string | null = null, detail: string | null = null): ReportLine => ({ externalId: event.externalId, title: event.title, outcome, reason, detail })
  const { regionId } = options
  const existing = await trx.selectFrom('import_items').selectAll().where('region_id', '=', regionId).where('external_id', '=', event.externalId).executeTakeFirst()
  const print = fingerprint(event)
  if (existing && existing.fingerprint === print) return line('unchanged')
  if (!existing && event.status === 'cancelled') return line('skipped', 'cancelled-before-import')

  const locationId = event.place ? await resolvePlace(trx, regionId, event.place, now) : null
  const partnerId = event.organizer ? await resolveOrganizer(trx, regionId, event.organizer, now) : null
  const { themeIds, unmapped } = await resolveTerms(trx, regionId, event.terms)
  const note = unmapped.length > 0 ? unmapped.join(', ') : null

  if (event.place && locationId === null) return hold(trx, event, 'place', options, now, line)
  const activityPartner = partnerId ?? options.defaultPartnerId ?? null
  if (event.kind === 'activity' && activityPartner === null) return hold(trx, event, 'organizer', options, now, line)
  await trx.deleteFrom('import_pending').where('region_id', '=', regionId).where('external_id', '=', event.externalId).execute()

  if (event.kind === 'activity') {
    let activityId = existing?.activity_id ?? null
    if (activityId === null) {
      const row = await trx
        .insertInto('activities')
        .values({
          region_id: regionId,
          partner_id: activityPartner!,
          title: event.title,
          description: event.description,
          audience: event.audience,
          starts_on: event.startsOn,
          ends_on: event.endsOn,
          created_at: now,
          state: 'planned',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      activityId = row.id
    } else {
      // The partner is not moved by a re-import: a coordinator may have corrected it.
      await trx
        .updateTable('activities')
        .set({ title: event.title, description: event.description, audience: event.audience, starts_on: event.startsOn, ends_on: event.endsOn })
        .where('id', '=', activityId)
        .execute()
    }
    await trx.deleteFrom('activity_themes').where('activity_id', '=', activityId).execute()
    if (themeIds.length > 0) await trx.insertInto('activity_themes').values(themeIds.map((themeId) => ({ activity_id: activityId!, theme_id: themeId }))).execute()
    await applyActivityStatus(trx, activityId, existing?.source_status ?? 'active', event.status, now)
    await saveItem(trx, existing?.id ?? null, { regionId, event, activityId, offerId: null, locationId, print, now })
  } else {
    const place = event.place ? [event.place.name, placeAddress(event.place)].filter(Boolean).join(', ') : null
    const values = {
      title: event.title,
      description: event.description,
      provider: (event.organizer?.name ?? '').slice(0, 200),
      place,
      schedule: event.schedule,
      cost: event.cost,
      text_language: event.language,
      audience: event.audience,
      link: event.link,
      partner_id: partnerId,
      archived: event.status === 'cancelled' ? 1 : 0,
      updated_at: now,
    }
    let offerId = existing?.offer_id ?? null
    if (offerId === null) {
      const row = await trx
        .insertInto('offers')
        .values({ region_id: regionId, ...values, languages: event.language, contact: null, created_at: now })
        .returning('id')
        .executeTakeFirstOrThrow()
      offerId = row.id
    } else {
      await trx.updateTable('offers').set(values).where('id', '=', offerId).execute()
    }
    await trx.deleteFrom('offer_themes').where('offer_id', '=', offerId).execute()
    if (themeIds.length > 0) await trx.insertInto('offer_themes').values(themeIds.map((themeId) => ({ offer_id: offerId!, theme_id: themeId }))).execute()
    await saveItem(trx, existing?.id ?? null, { regionId, event, activityId: null, offerId, locationId, print, now })
  }
  return line(existing ? 'updated' : 'imported', note ? 'unknown-terms' : null, note)
}

async function hold(
  trx: Transaction<Database>,
  event: MappedEvent,
  reason: 'place' | 'organizer',
  options: RunOptions,
  now: string,
  line: (outcome: Outcome, reason?: string | null, detail?: string | null) => ReportLine,
): Promise<ReportLine> {
  const values = {
    reason,
    place_external_id: event.place?.externalId ?? null,
    organizer_external_id: event.organizer?.externalId ?? null,
    default_partner_id: options.defaultPartnerId ?? null,
    payload: JSON.stringify(event),
  }
  const updated = await trx.updateTable('import_pending').set(values).where('region_id', '=', options.regionId).where('external_id', '=', event.externalId).executeTakeFirst()
  if (Number(updated.numUpdatedRows) === 0) {
    await trx.insertInto('import_pending').values({ region_id: options.regionId, external_id: event.externalId, created_at: now, ...values }).execute()
  }
  return line('pending', reason === 'place' ? 'unknown-place' : 'unknown-organizer', reason === 'place' ? event.place!.name : (event.organizer?.name ?? null))
}

async function saveItem(
  trx: Transaction<Database>,
  id: number | null,
  item: { regionId: number; event: MappedEvent; activityId: number | null; offerId: number | null; locationId: number | null; print: string; now: string },
): Promise<void> {
  const values = { fingerprint: item.print, source_status: item.event.status, location_id: item.locationId, updated_at: item.now }
  if (id !== null) {
    await trx.updateTable('import_items').set(values).where('id', '=', id).execute()
    return
  }
  await trx
    .insertInto('import_items')
    .values({ region_id: item.regionId, external_id: item.event.externalId, kind: item.event.kind, activity_id: item.activityId, offer_id: item.offerId, imported_at: item.now, ...values })
    .execute()
}

/**
 * The posters follow the source's status. Only a change of status touches them, so a poster
 * a partner paused by hand stays paused through re-imports of an available event.
 */
async function applyActivityStatus(trx: Transaction<Database>, activityId: number, before: ImportSourceStatus, after: ImportSourceStatus, now: string): Promise<void> {
  await trx.updateTable('activities').set({ cancelled_at: after === 'cancelled' ? now : null }).where('id', '=', activityId).where((eb) => (after === 'cancelled' ? eb('cancelled_at', 'is', null) : eb('cancelled_at', 'is not', null))).execute()
  if (before === after) return
  if (after === 'active') {
    await trx.updateTable('posters').set({ status: 'active', updated_at: now }).where('activity_id', '=', activityId).where('status', '=', 'paused').execute()
  } else if (before === 'active') {
    await trx.updateTable('posters').set({ status: 'paused', updated_at: now }).where('activity_id', '=', activityId).where('status', '=', 'active').execute()
  }
}

/** The location for a source place: its confirmed link, else a location with the same address, else none (the event waits). */
async function resolvePlace(trx: Transaction<Database>, regionId: number, place: MappedPlace, now: string): Promise<number | null> {
  const known = await trx.selectFrom('import_places').select(['id', 'location_id']).where('region_id', '=', regionId).where('external_id', '=', place.externalId).executeTakeFirst()
  if (known?.location_id) return known.location_id
  const locationId = await matchByAddress(trx, regionId, place)
  if (known) {
    if (locationId !== null) await trx.updateTable('import_places').set({ location_id: locationId }).where('id', '=', known.id).execute()
  } else {
    await trx
      .insertInto('import_places')
      .values({ region_id: regionId, external_id: place.externalId, name: place.name, address: placeAddress(place), municipality: place.locality, location_id: locationId, created_at: now })
      .execute()
  }
  return locationId
}

/**
 * Same address: the street line (street and number) is in the location's address, and the
 * postal code or the municipality agrees. Free-text addresses differ in commas and case, so
 * both sides are folded first. Without a street nothing is matched: a town alone is no place.
 */
async function matchByAddress(trx: Transaction<Database>, regionId: number, place: MappedPlace): Promise<number | null> {
  if (!place.street) return null
  const street = normalizeAddress(place.street)
  const locations = await trx.selectFrom('locations').select(['id', 'address', 'municipality']).where('region_id', '=', regionId).where('address', 'is not', null).orderBy('id').execute()
  for (const location of locations) {
    const address = normalizeAddress(location.address!)
    if (!` ${address} `.includes(` ${street} `)) continue
    const townMatches =
      (place.postalCode !== null && address.includes(place.postalCode)) ||
      (place.locality !== null && location.municipality !== null && normalizeAddress(location.municipality) === normalizeAddress(place.locality))
    if (townMatches) return location.id
  }
  return null
}

async function resolveOrganizer(trx: Transaction<Database>, regionId: number, organizer: { externalId: string; name: string }, now: string): Promise<number | null> {
  const known = await trx.selectFrom('import_organizers').select('partner_id').where('region_id', '=', regionId).where('external_id', '=', organizer.externalId).executeTakeFirst()
  if (known) return known.partner_id
  await trx.insertInto('import_organizers').values({ region_id: regionId, external_id: organizer.externalId, name: organizer.name.slice(0, 300), partner_id: null, created_at: now }).execute()
  return null
}

/** The region's themes for the event's terms (at most three); terms never seen are recorded for the coordinator to map. */
async function resolveTerms(trx: Transaction<Database>, regionId: number, terms: MappedEvent['terms']): Promise<{ themeIds: number[]; unmapped: string[] }> {
  if (terms.length === 0) return { themeIds: [], unmapped: [] }
  const ids = [...new Set(terms.map((term) => term.id))]
  const known = await trx.selectFrom('import_terms').select(['term_id', 'theme_id']).where('region_id', '=', regionId).where('term_id', 'in', ids).execute()
  const byId = new Map(known.map((row) => [row.term_id, row.theme_id]))
  const themeIds: number[] = []
  const unmapped: string[] = []
  for (const term of terms) {
    if (!byId.has(term.id)) {
      await trx.insertInto('import_terms').values({ region_id: regionId, term_id: term.id, label: term.label.slice(0, 300), theme_id: null }).execute()
      byId.set(term.id, null)
    }
    const themeId = byId.get(term.id)
    if (themeId == null) {
      if (term.domain === 'theme') unmapped.push(term.label)
    }
    else if (!themeIds.includes(themeId) && themeIds.length < maxThemes) themeIds.push(themeId)
  }
  return { themeIds, unmapped }
}
