import type { Kysely } from 'kysely'
import { createActivity, createLocation, createPartner, createRegion } from '../src/admin/queries.ts'
import type { AgeBand, Audience, ChildAgeBand, Database, NewResponse, PosterStatus, TriedNew } from '../src/db/types.ts'
import { createPoster, setPosterStatus } from '../src/posters/queries.ts'
import { listVisibleThemes, themeAudienceOf } from '../src/themes/queries.ts'
import { type DemoActivity, type DemoRegion, type DemoText, demoRegions, freeTexts, generalTexts, textTails } from './seed-demo-data.ts'
import { childBandRollup, classify, compileThemes, newRecordKey, rebuildRollups, storeTextThemes } from '../src/answers/index.ts'

/**
 * Seeds the demo world (scripts/seed-demo-data.ts) and a chosen number of plausible
 * responses over the last `days` days: `npm run demo` asks for a few thousand, dashboard
 * benchmarks for 100k or 1M. Deterministic for a given `seed` and `now` (except poster
 * codes and record keys, which are random by design, and drawn outside the seeded sequence
 * so that the answers stay the same), so that a dashboard shows the same picture twice.
 *
 * The shape of the data is what a dashboard should be able to find:
 * - answers come in at the weekly sessions of each activity (a weekly rhythm, busier on
 *   Wednesday and Saturday), grow as the posters become known, dip in the summer for
 *   adults and peak then for children;
 * - each region has themes that grow towards the end (emerging) and some that fade;
 * - about 45 % go on to step 2; liked is skewed positive; age bands fit the audience;
 * - free text in Dutch mostly, some French and English, with the words of the
 *   emerging themes appearing only in the later months.
 */

export interface SeedOptions {
  /** The end of the period; answers lie before it. */
  now?: Date
  /** How many responses to create. */
  responses?: number
  days?: number
  seed?: number
}

export interface SeededPoster {
  code: string
  region: string
  activity: string
  location: string
  audience: Audience
  status: PosterStatus
}

export interface DemoSummary {
  regions: { id: number; slug: string; name: string }[]
  posters: SeededPoster[]
  responses: number
}

const dayMs = 24 * 60 * 60 * 1000

/** mulberry32: a tiny seeded generator, so the same seed gives the same demo. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number

function pickWeighted<T>(random: Random, entries: readonly (readonly [T, number])[]): T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
  let r = random() * total
  for (const [value, weight] of entries) {
    r -= weight
    if (r < 0) return value
  }
  return entries[entries.length - 1]![0]
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!
}

/** Belgian local time is UTC+1 in winter and UTC+2 from the last Sunday of March to that of October (roughly: April–October). */
function localOffsetHours(date: Date): number {
  const month = date.getUTCMonth() + 1
  return month >= 4 && month <= 10 ? 2 : 1
}

const triedNewByAudience: Record<Audience, [TriedNew, number][]> = {
  children: [['yes', 70], ['a_bit', 20], ['no', 10]],
  youth: [['yes', 50], ['a_bit', 32], ['no', 18]],
  adults: [['yes', 52], ['a_bit', 31], ['no', 17]],
  seniors: [['yes', 55], ['a_bit', 30], ['no', 15]],
  all: [['yes', 50], ['a_bit', 32], ['no', 18]],
}

/** A children's poster asks for the children's bands (each stored as 'under_12' in age_band, its own value beside it). */
const childAges: [ChildAgeBand, number][] = [['under_8', 25], ['8_9', 35], ['10_11', 40]]

const ageByAudience: Record<Exclude<Audience, 'children'>, [AgeBand, number][]> = {
  youth: [['12_17', 55], ['18_24', 45]],
  seniors: [['65_plus', 70], ['45_64', 30]],
  adults: [['18_24', 12], ['25_44', 45], ['45_64', 33], ['65_plus', 10]],
  all: [['under_12', 10], ['12_17', 8], ['18_24', 10], ['25_44', 30], ['45_64', 25], ['65_plus', 17]],
}

const stepTwoShare: Record<Audience, number> = { children: 0.4, youth: 0.35, adults: 0.47, seniors: 0.5, all: 0.45 }

/** Summer holidays: children's activities fill up, adult courses thin out. */
function season(audience: Audience, month: number): number {
  if (month !== 7 && month !== 8) return 1
  return audience === 'children' ? 1.3 : audience === 'youth' ? 0.8 : 0.45
}

/** Slowly growing use as the posters become known: 0.55 at the start, 1.3 at the end. */
const adoption = (t: number) => 0.55 + 0.75 * t

/** A trend factor that stays 1 for the first 55 % of the period and reaches `end` at the end. */
function trend(end: number, t: number): number {
  const late = Math.max(0, (t - 0.55) / 0.45)
  return 1 + (end - 1) * late * late
}

interface Session {
  start: number
  weight: number
  region: RegionIds
  activity: ActivityIds
}

interface RegionIds {
  id: number
  spec: DemoRegion
  /** theme slug → id: the general list */
  themes: Map<string, number>
  /** theme slug → id: the children's list, the only one children's posters offer */
  childThemes: Map<string, number>
}

interface ActivityIds {
  id: number
  partnerId: number
  spec: DemoActivity
  posters: { id: number; locationId: number }[]
}

interface PendingResponse {
  row: NewResponse
  themeIds: number[]
}

export async function seedDemo(db: Kysely<Database>, options: SeedOptions = {}): Promise<DemoSummary> {
  const now = options.now ?? new Date()
  const days = options.days ?? 182
  const target = options.responses ?? 4000
  const random = generator(options.seed ?? 20261128)
  const periodStart = now.getTime() - days * dayMs
  const createdAt = new Date(periodStart - 14 * dayMs).toISOString()

  const summary: DemoSummary = { regions: [], posters: [], responses: 0 }
  const regions: RegionIds[] = []
  const activities: ActivityIds[] = []

  for (const spec of demoRegions) {
    const regionId = await createRegion(db, { slug: spec.slug, name: spec.name, contactLine: spec.contactLine })
    summary.regions.push({ id: regionId, slug: spec.slug, name: spec.name })
    const themes = new Map((await listVisibleThemes(db, regionId, 'general')).map((theme) => [theme.slug, theme.id]))
    const childThemes = new Map((await listVisibleThemes(db, regionId, 'children')).map((theme) => [theme.slug, theme.id]))
    const region: RegionIds = { id: regionId, spec, themes, childThemes }
    regions.push(region)

    const partners = new Map<string, number>()
    for (const partner of spec.partners) partners.set(partner.name, await createPartner(db, regionId, partner.name, partner.kind))
    const locations = new Map<string, number>()
    for (const location of spec.locations) locations.set(location.name, await createLocation(db, regionId, location))

    for (const activity of spec.activities) {
      const partnerId = partners.get(activity.partner)!
      const activityId = await createActivity(db, {
        partnerId,
        title: activity.title,
        description: activity.description,
        audience: activity.audience,
        startsOn: new Date(periodStart).toISOString().slice(0, 10),
        endsOn: null,
      })
      const ids: ActivityIds = { id: activityId, partnerId, spec: activity, posters: [] }
      for (const locationName of activity.locations) {
        const locationId = locations.get(locationName)!
        const poster = await createPoster(db, { activityId, locationId })
        const status = activity.status ?? 'active'
        if (status !== 'active') await setPosterStatus(db, poster.id, status)
        ids.posters.push({ id: poster.id, locationId })
        summary.posters.push({ code: poster.code, region: spec.name, activity: activity.title, location: locationName, audience: activity.audience, status })
      }
      activities.push(ids)
    }
  }

  // The structure existed before the first answer came in.
  const regionIds = regions.map((r) => r.id)
  for (const table of ['partners', 'locations', 'activities'] as const) {
    await db.updateTable(table).set({ created_at: createdAt }).where('region_id', 'in', regionIds).execute()
  }
  await db.updateTable('regions').set({ created_at: createdAt }).where('id', 'in', regionIds).execute()
  await db.updateTable('posters').set({ created_at: createdAt }).where('region_id', 'in', regionIds).execute()
  // A paused poster keeps today's updated_at: that is when it was paused.
  await db.updateTable('posters').set({ updated_at: createdAt }).where('region_id', 'in', regionIds).where('status', '=', 'active').execute()

  const sessions = buildSessions(regions, activities, periodStart, now.getTime())
  const counts = spread(random, sessions, target)

  let pending: PendingResponse[] = []
  for (let index = 0; index < sessions.length; index++) {
    const session = sessions[index]!
    const made: PendingResponse[] = []
    for (let n = 0; n < counts[index]!; n++) made.push(makeResponse(random, session, periodStart, now.getTime()))
    made.sort((a, b) => (a.row.created_at < b.row.created_at ? -1 : 1))
    pending.push(...made)
    if (pending.length >= 5000) {
      summary.responses += await insertResponses(db, pending)
      pending = []
    }
  }
  summary.responses += await insertResponses(db, pending)

  // What the answer route does as each answer comes in: free text classified with the
  // region's keywords, and the dashboard rollups. Here once, for the seeded regions.
  // A child's text is matched against the children's keywords, everyone else's against the general ones.
  for (const regionId of regionIds) {
    const matchers = {
      general: compileThemes(await listVisibleThemes(db, regionId, 'general')),
      children: compileThemes(await listVisibleThemes(db, regionId, 'children')),
    }
    const texts = await db
      .selectFrom('responses')
      .innerJoin('activities', 'activities.id', 'responses.activity_id')
      .select(['responses.id', 'responses.free_text', 'activities.audience'])
      .where('responses.region_id', '=', regionId)
      .where('responses.free_text', 'is not', null)
      .execute()
    for (const text of texts) await storeTextThemes(db, text.id, classify(text.free_text!, matchers[themeAudienceOf(text.audience)]))
    await rebuildRollups(db, regionId)
  }
  return summary
}

/** Every weekly (or fortnightly, monthly) session of every activity within the period. */
function buildSessions(regions: RegionIds[], activities: ActivityIds[], periodStart: number, end: number): Session[] {
  const sessions: Session[] = []
  for (const region of regions) {
    for (const [index, activity] of activities.filter((a) => region.spec.activities.includes(a.spec)).entries()) {
      const spec = activity.spec
      const firstDay = new Date(periodStart)
      firstDay.setUTCHours(0, 0, 0, 0)
      for (let day = firstDay.getTime(); day < end; day += dayMs) {
        const date = new Date(day)
        if (date.getUTCDay() !== spec.weekday) continue
        const week = Math.floor((day - firstDay.getTime()) / (7 * dayMs))
        if (week % spec.every !== index % spec.every) continue
        const month = date.getUTCMonth() + 1
        if (spec.months && !spec.months.includes(month)) continue
        const start = day + (spec.hour - localOffsetHours(date)) * 60 * 60 * 1000
        if (start < periodStart || start > end - 3 * 60 * 60 * 1000) continue
        const t = (start - periodStart) / (end - periodStart)
        sessions.push({ start, weight: spec.perSession * adoption(t) * season(spec.audience, month), region, activity })
      }
    }
  }
  return sessions.sort((a, b) => a.start - b.start)
}

/** Hands out `total` answers over the sessions in proportion to their weight. */
function spread(random: Random, sessions: Session[], total: number): Int32Array {
  const counts = new Int32Array(sessions.length)
  if (sessions.length === 0) return counts
  const cumulative: number[] = []
  let sum = 0
  for (const session of sessions) cumulative.push((sum += session.weight))
  for (let n = 0; n < total; n++) {
    const r = random() * sum
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const mid = (low + high) >> 1
      if (cumulative[mid]! < r) low = mid + 1
      else high = mid
    }
    counts[low]!++
  }
  return counts
}

function makeResponse(random: Random, session: Session, periodStart: number, end: number): PendingResponse {
  const { region, activity } = session
  const spec = activity.spec
  const poster = pick(random, activity.posters)
  // People answer during the last part of the session or just after it.
  const created = Math.min(end - 60_000, session.start + (20 + random() * 130) * 60_000)
  const t = (created - periodStart) / (end - periodStart)
  const language = spec.audience === 'children' && random() < 0.9 ? 'nl' : pickWeighted(random, Object.entries(region.spec.languages) as ['nl' | 'fr' | 'en', number][])
  const triedNew = pickWeighted(random, triedNewByAudience[spec.audience])
  const row: NewResponse = {
    poster_id: poster.id,
    region_id: region.id,
    partner_id: activity.partnerId,
    location_id: poster.locationId,
    activity_id: activity.id,
    created_at: new Date(created).toISOString(),
    updated_at: null,
    language,
    tried_new: triedNew,
    liked: null,
    age_band: null,
    free_text: null,
    step: 1,
    record_key: newRecordKey(),
  }
  if (random() >= stepTwoShare[spec.audience]) return { row, themeIds: [] }

  row.step = 2
  row.updated_at = new Date(created + (40 + random() * 200) * 1000).toISOString()
  if (random() < 0.92) {
    const liked = triedNew === 'no' ? [4, 8, 22, 36, 30] : [2, 4, 12, 36, 46]
    row.liked = pickWeighted(random, liked.map((weight, i) => [i + 1, weight] as const))
  }
  if (random() < 0.75) {
    if (spec.audience === 'children') {
      row.child_age_band = pickWeighted(random, childAges)
      row.age_band = childBandRollup
    } else row.age_band = pickWeighted(random, ageByAudience[spec.audience])
  }

  const slugs = chooseThemes(random, region, spec, t)
  if (random() < (spec.audience === 'children' ? 0.25 : 0.35)) row.free_text = freeText(random, spec.audience, language, slugs, t)
  const list = spec.audience === 'children' ? region.childThemes : region.themes
  return { row, themeIds: slugs.map((slug) => list.get(slug)!).filter((id) => id !== undefined) }
}

/** 0–3 distinct themes, weighted by what fits the activity and by the region's trends. */
function chooseThemes(random: Random, region: RegionIds, spec: DemoActivity, t: number): string[] {
  const howMany = pickWeighted(random, [[0, 20], [1, 45], [2, 25], [3, 10]] as const)
  const list = spec.audience === 'children' ? region.childThemes : region.themes
  const weights: [string, number][] = [...list.keys()].map((slug) => {
    const factor = trend(region.spec.trends[slug] ?? 1, t)
    const base = (0.25 + (spec.themes[slug] ?? 0)) * factor
    // A growing need shows up at every activity, not only where it already was strong.
    return [slug, factor > 1 ? base + 1.5 * (factor - 1) : base]
  })
  const chosen: string[] = []
  while (chosen.length < howMany) {
    const slug = pickWeighted(random, weights.filter(([s]) => !chosen.includes(s)))
    chosen.push(slug)
  }
  return chosen
}

function usable(texts: DemoText[] | undefined, t: number): string[] {
  return (texts ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.after <= t ? [entry.text] : []))
}

function freeText(random: Random, audience: Audience, language: 'nl' | 'fr' | 'en', slugs: string[], t: number): string {
  if (audience === 'children' && language === 'nl' && random() < 0.7) return pick(random, generalTexts.children)
  // Emerging wishes get written down more often as they grow: prefer the newest texts late in the period.
  const themed = slugs.flatMap((slug) => usable(freeTexts[slug]?.[language], t))
  let text = themed.length > 0 && random() < 0.8 ? pick(random, themed) : pick(random, generalTexts[language])
  if (random() < 0.25) text = `${/[.!?]$/.test(text) ? text : `${text}.`}${pick(random, textTails[language])}`
  if (language === 'nl' && random() < 0.1) text = text.toLowerCase()
  return text
}

/**
 * Inserts in one transaction per call, 500 rows per statement. Ids come back from
 * `returning`, whose row order neither SQLite nor PostgreSQL promises; but ids are
 * handed out in insertion order within one statement, so sorting them restores the
 * pairing with the input rows.
 */
async function insertResponses(db: Kysely<Database>, pending: PendingResponse[]): Promise<number> {
  if (pending.length === 0) return 0
  await db.transaction().execute(async (trx) => {
    for (let offset = 0; offset < pending.length; offset += 500) {
      const chunk = pending.slice(offset, offset + 500)
      const returned = await trx
        .insertInto('responses')
        .values(chunk.map((p) => p.row))
        .returning('id')
        .execute()
      const ids = returned.map((r) => Number(r.id)).sort((a, b) => a - b)
      const links = chunk.flatMap((p, i) => p.themeIds.map((themeId) => ({ response_id: ids[i]!, theme_id: themeId, source: 'chosen' as const, matched: null })))
      for (let start = 0; start < links.length; start += 1000) {
        await trx.insertInto('response_themes').values(links.slice(start, start + 1000)).execute()
      }
    }
  })
  return pending.length
}
