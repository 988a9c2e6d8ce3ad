import { parseArgs } from 'node:util'
import type { Kysely } from 'kysely'
import { createRegion } from '../src/admin/queries.ts'
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { AgeBand, Audience, Database, TriedNew } from '../src/db/types.ts'
import { newRecordKey, RollupAccumulator } from '../src/answers/index.ts'

/**
 * A large, plausible data set for benchmarks: `--responses` answers (default 1,000,000)
 * over the two years up to today in six regions of different sizes, at posters that are
 * answered on their activity's weekdays, with themes, ages and a share of free text.
 *
 * Fast by writing in bulk: responses with explicit ids in large transactions (prepared
 * statements on SQLite, multi-row inserts on PostgreSQL), and the rollups computed in
 * memory with the same accumulator the live code and the rebuild use, then inserted
 * directly — not one upsert per answer.
 *
 *   tsx scripts/seed-large.ts --database sqlite:data/large.db --responses 1000000
 */

const regionWeights = [0.35, 0.2, 0.15, 0.12, 0.1, 0.08]
const audiences: Audience[] = ['all', 'all', 'children', 'youth', 'adults', 'adults', 'seniors']
const bands: AgeBand[] = ['under_12', '12_17', '18_24', '25_44', '25_44', '45_64', '45_64', '65_plus']
const texts = [
  'Ik wil leren werken met de computer',
  'beter Nederlands spreken',
  'naaien en kleren herstellen',
  'fietsherstelling',
  'gezond koken met weinig geld',
  'mijn smartphone beter gebruiken',
  'programmeren voor kinderen',
  'tuinieren op mijn balkon',
  'online formulieren invullen',
  'Frans opfrissen voor het werk',
  'schilderen met aquarel',
  'energie besparen thuis',
  'solliciteren en een cv maken',
  'eerste hulp bij kinderen',
  'samen muziek maken',
  'fotograferen met de gsm',
  'apprendre le néerlandais',
  'learn to code websites',
  'houtbewerking en meubels maken',
  'digitale fotos ordenen',
]

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface SeedPoster {
  id: number
  regionId: number
  partnerId: number
  locationId: number
  activityId: number
  weekdays: number[]
  weight: number
}

/**
 * Data shapes of the same size (issue 17): the dashboard must be fast whatever the data
 * look like, not only for the plausible mix.
 * - `no-quotes`: the plausible mix, and no text approved for quoting (the default);
 * - `many-quotes`: the same with half of the free texts approved;
 * - `one-week`: every answer in the last seven days;
 * - `one-poster`: seven answers in ten at one poster of the largest region;
 * - `languages`: free texts in all nine form languages, with many distinct words, and four
 *   times as many texts;
 * - `wide-region`: the largest region with 400 locations and 300 activities.
 */
export const seedShapes = ['no-quotes', 'many-quotes', 'one-week', 'one-poster', 'languages', 'wide-region'] as const
export type SeedShape = (typeof seedShapes)[number]

/** Words of texts in every language of the form, mixed into new texts per answer (the `languages` shape). */
const wordsByLanguage: Record<string, readonly string[]> = {
  nl: ['leren', 'computer', 'naaien', 'koken', 'fietsen', 'tuinieren', 'solliciteren', 'schilderen', 'muziek', 'Nederlands'],
  fr: ['apprendre', 'ordinateur', 'couture', 'cuisine', 'vélo', 'jardinage', 'néerlandais', 'peinture', 'musique', 'emploi'],
  en: ['learn', 'coding', 'sewing', 'cooking', 'cycling', 'gardening', 'English', 'painting', 'music', 'websites'],
  ar: ['تعلم', 'الحاسوب', 'الخياطة', 'الطبخ', 'الدراجة', 'الحديقة', 'الهولندية', 'الرسم', 'الموسيقى', 'العمل'],
  tr: ['öğrenmek', 'bilgisayar', 'dikiş', 'yemek', 'bisiklet', 'bahçe', 'Hollandaca', 'resim', 'müzik', 'iş'],
  pl: ['uczyć', 'komputer', 'szycie', 'gotowanie', 'rower', 'ogród', 'niderlandzki', 'malarstwo', 'muzyka', 'praca'],
  ro: ['învăța', 'calculator', 'cusut', 'gătit', 'bicicletă', 'grădină', 'olandeză', 'pictură', 'muzică', 'muncă'],
  uk: ['вчитися', "комп'ютер", 'шиття', 'кулінарія', 'велосипед', 'садівництво', 'нідерландська', 'малювання', 'музика', 'робота'],
  ti: ['ምምሃር', 'ኮምፒተር', 'ምስፋይ', 'ምብሳል', 'ብሽክለታ', 'ጀርዲን', 'ሆላንድኛ', 'ስእሊ', 'ሙዚቃ', 'ስራሕ'],
}
const textLanguages = Object.keys(wordsByLanguage)

export interface SeedResult {
  responses: number
  largestRegionId: number
  seconds: number
}

export async function seedLarge(
  handle: DatabaseHandle,
  total: number,
  options: { seed?: number; log?: (line: string) => void; shape?: SeedShape } = {},
): Promise<SeedResult> {
  const shape = options.shape ?? 'no-quotes'
  const started = Date.now()
  const log = options.log ?? (() => {})
  const db = handle.db
  const next = random(options.seed ?? 42)
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!
  const now = new Date().toISOString()
  const stamp = Date.now().toString(36)
  // A seed can be redone: no need to wait for the disk on each of its many small commits.
  handle.sqlite?.pragma('synchronous = OFF')

  // The world: regions, partners, locations, activities, posters.
  const posters: SeedPoster[] = []
  const audienceOf = new Map<number, Audience>()
  const themesOf = new Map<number, number[]>()
  const regionIds: number[] = []
  for (const [index, weight] of regionWeights.entries()) {
    const regionId = await createRegion(db, { slug: `groot-${stamp}-${index + 1}`, name: `Grote regio ${index + 1}` })
    regionIds.push(regionId)
    const themeIds = (await db.selectFrom('themes').select('id').where('region_id', '=', regionId).orderBy('position').execute()).map((row) => row.id)
    themesOf.set(regionId, themeIds)
    const wide = shape === 'wide-region' && index === 0
    // 300 activities at one to three per partner: 150 partners.
    const partnerCount = wide ? 150 : Math.round(8 + 60 * weight)
    const locationCount = wide ? 400 : Math.round(6 + 50 * weight)
    const locations = await insertReturningIds(
      db,
      'locations',
      Array.from({ length: locationCount }, (_, i) => ({ region_id: regionId, name: `Locatie ${i + 1}`, municipality: `Gemeente ${1 + (i % 9)}`, created_at: now })),
    )
    const partners = await insertReturningIds(
      db,
      'partners',
      Array.from({ length: partnerCount }, (_, i) => ({ region_id: regionId, name: `Partner ${index + 1}.${i + 1}`, kind: 'other', created_at: now })),
    )
    for (const partnerId of partners) {
      const activityCount = wide ? 2 : 1 + Math.floor(next() * 3)
      const activityRows = Array.from({ length: activityCount }, (_, i) => ({
        region_id: regionId,
        partner_id: partnerId,
        title: `Activiteit ${partnerId}.${i + 1}`,
        audience: pick(audiences),
        created_at: now,
      }))
      const activities = await insertReturningIds(db, 'activities', activityRows)
      for (const [activityIndex, activityId] of activities.entries()) {
        audienceOf.set(activityId, activityRows[activityIndex]!.audience)
        const at = new Set(Array.from({ length: 1 + Math.floor(next() * 2.5) }, () => pick(locations)))
        for (const locationId of at) {
          const poster = await db
            .insertInto('posters')
            .values({ code: uniqueCode(posters.length), region_id: regionId, partner_id: partnerId, activity_id: activityId, location_id: locationId, status: 'active', language: null, created_at: now, updated_at: now })
            .returning('id')
            .executeTakeFirstOrThrow()
          const weekdays = [...new Set([Math.floor(next() * 7), Math.floor(next() * 7)])].slice(0, 1 + Math.floor(next() * 2))
          posters.push({ id: poster.id, regionId, partnerId, activityId, locationId, weekdays, weight: weight * (0.3 + next()) })
        }
      }
    }
  }
  log(`world: ${regionIds.length} regions, ${posters.length} posters`)

  // Posters by cumulative weight, for drawing the poster of each answer.
  const cumulative: number[] = []
  let sum = 0
  for (const poster of posters) cumulative.push((sum += poster.weight))
  const drawPoster = () => {
    const x = next() * sum
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cumulative[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return posters[lo]!
  }

  const end = Date.now()
  const span = shape === 'one-week' ? 7 * 86_400_000 : 2 * 365 * 86_400_000
  const start = end - span
  // `one-poster`: the largest region's first poster takes seven answers in ten.
  const hugePoster = posters.find((poster) => poster.regionId === regionIds[0])!
  const languageWords = textLanguages.map((language) => wordsByLanguage[language]!)
  const firstId = Number((await db.selectFrom('responses').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst())?.max ?? 0) + 1
  const accumulator = new RollupAccumulator()
  const tried: TriedNew[] = ['yes', 'yes', 'a_bit', 'no']
  const batchSize = 50_000
  let written = 0
  while (written < total) {
    const count = Math.min(batchSize, total - written)
    const responses: unknown[][] = []
    const links: [number, number, string][] = []
    for (let i = 0; i < count; i++) {
      const id = firstId + written + i
      const poster = shape === 'one-poster' && next() < 0.7 ? hugePoster : drawPoster()
      // A moment on one of the poster's weekdays, during the day (08:00–21:00 UTC).
      let when = start + Math.floor(next() * span)
      const dayStart = when - (when % 86_400_000)
      const weekday = new Date(dayStart).getUTCDay()
      const target = poster.weekdays[Math.floor(next() * poster.weekdays.length)]!
      when = dayStart + ((target - weekday + 7) % 7) * 86_400_000 + (8 + Math.floor(next() * 13)) * 3_600_000 + Math.floor(next() * 3_600_000)
      if (when > end) when -= 7 * 86_400_000
      const createdAt = new Date(when).toISOString()
      const triedNew = pick(tried)
      const step2 = next() < 0.4
      const liked = step2 && next() < 0.9 ? 1 + Math.min(4, Math.floor(next() * 5.5)) : null
      const ageBand = step2 && next() < 0.8 ? pick(bands) : null
      const languageIndex = shape === 'languages' ? Math.floor(next() * textLanguages.length) : 0
      const freeText = shape === 'languages' ? (step2 && next() < 0.88 ? mixedText(languageWords[languageIndex]!, next) : null) : step2 && next() < 0.22 ? pick(texts) : null
      const themeIds: number[] = []
      if (step2) {
        const regionThemes = themesOf.get(poster.regionId)!
        // Themes by popularity; "digitaal" (index 2) grows over the two years.
        const growth = (when - start) / span
        for (let n = 1 + Math.floor(next() * 2.2); n > 0; n--) {
          const index = next() < 0.1 + 0.15 * growth ? 2 : Math.min(regionThemes.length - 1, Math.floor(Math.pow(next(), 1.6) * regionThemes.length))
          if (!themeIds.includes(regionThemes[index]!)) themeIds.push(regionThemes[index]!)
        }
      }
      // Drawn outside the seeded sequence (as in production), so the answers stay the same.
      const recordKey = newRecordKey()
      responses.push([id, poster.id, poster.regionId, poster.partnerId, poster.locationId, poster.activityId, createdAt, textLanguages[languageIndex]!, triedNew, liked, ageBand, freeText, step2 ? 2 : 1, recordKey])
      for (const themeId of themeIds) links.push([id, themeId, 'chosen'])
      accumulator.add({
        region_id: poster.regionId,
        poster_id: poster.id,
        partner_id: poster.partnerId,
        location_id: poster.locationId,
        activity_id: poster.activityId,
        created_at: createdAt,
        record_key: recordKey,
        tried_new: triedNew,
        liked,
        age_band: ageBand,
        step: step2 ? 2 : 1,
        themeIds,
      })
    }
    await insertRaw(handle, responses, links)
    written += count
    log(`responses: ${written}`)
  }
  if (handle.dialect === 'postgres') {
    await sqlRaw(handle, `select setval(pg_get_serial_sequence('responses', 'id'), (select max(id) from responses))`)
  }
  await db.transaction().execute((trx) => accumulator.insertInto(trx, audienceOf, 1000))
  if (shape === 'many-quotes') await approveHalfOfTexts(handle)
  log(`rollups: ${accumulator.size('rollup_poster_days')} poster-day rows, ${accumulator.size('rollup_poster_months')} poster-month rows, ${accumulator.size('rollup_poster_theme_days')} poster-theme-day rows`)
  handle.sqlite?.pragma('synchronous = FULL')
  await sqlRaw(handle, handle.dialect === 'postgres' ? 'analyze' : 'analyze')
  return { responses: written, largestRegionId: regionIds[0]!, seconds: (Date.now() - started) / 1000 }
}

/** Four to nine words of one language with a number, so that texts are many and distinct (word statistics). */
function mixedText(words: readonly string[], next: () => number): string {
  const count = 4 + Math.floor(next() * 6)
  return Array.from({ length: count }, () => words[Math.floor(next() * words.length)]!).join(' ') + ` ${Math.floor(next() * 1000)}`
}

/** `many-quotes`: every other free text approved, in one statement (region and time copied as moderation.ts does). */
async function approveHalfOfTexts(handle: DatabaseHandle): Promise<void> {
  const at = new Date().toISOString()
  const { sql } = await import('kysely')
  await sql`
    insert into response_moderation (response_id, status, redacted_text, moderated_by, moderated_at, region_id, created_at)
    select id, 'approved', null, null, ${at}, region_id, created_at from responses where free_text is not null and id % 2 = 0
  `.execute(handle.db)
}

function uniqueCode(n: number): string {
  // Codes of the seed are sequential in base 36 behind a fixed letter, distinct from the
  // random codes real posters get (which never start with "Z9").
  return `Z9${n.toString(36).toUpperCase().padStart(4, '0')}`
}

async function insertReturningIds(db: Kysely<Database>, table: 'locations' | 'partners' | 'activities', rows: object[]): Promise<number[]> {
  const result = await db.insertInto(table).values(rows as never).returning('id').execute()
  return result.map((row) => row.id)
}

async function sqlRaw(handle: DatabaseHandle, statement: string): Promise<void> {
  const { sql } = await import('kysely')
  await sql.raw(statement).execute(handle.db)
}

const responseColumns = ['id', 'poster_id', 'region_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'language', 'tried_new', 'liked', 'age_band', 'free_text', 'step', 'record_key']

/** One transaction per batch; SQLite through one prepared statement, PostgreSQL through multi-row inserts. */
async function insertRaw(handle: DatabaseHandle, responses: unknown[][], links: [number, number, string][]): Promise<void> {
  if (handle.sqlite) {
    const sqlite = handle.sqlite
    const insertResponse = sqlite.prepare(`insert into responses (${responseColumns.join(', ')}) values (${responseColumns.map(() => '?').join(', ')})`)
    const insertLink = sqlite.prepare('insert into response_themes (response_id, theme_id, source) values (?, ?, ?)')
    sqlite.transaction(() => {
      for (const row of responses) insertResponse.run(row)
      for (const link of links) insertLink.run(link)
    })()
    return
  }
  await handle.db.transaction().execute(async (trx) => {
    for (let i = 0; i < responses.length; i += 2000) {
      const chunk = responses.slice(i, i + 2000).map((row) => Object.fromEntries(responseColumns.map((column, c) => [column, row[c]])))
      await trx.insertInto('responses').values(chunk as never).execute()
    }
    for (let i = 0; i < links.length; i += 5000) {
      await trx
        .insertInto('response_themes')
        .values(links.slice(i, i + 5000).map(([response_id, theme_id, source]) => ({ response_id, theme_id, source: source as 'chosen', matched: null })))
        .execute()
    }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { database: { type: 'string' }, responses: { type: 'string', default: '1000000' }, shape: { type: 'string', default: 'no-quotes' } } })
  if (!(seedShapes as readonly string[]).includes(values.shape)) throw new Error(`--shape takes one of ${seedShapes.join(', ')}`)
  const url = values.database ?? process.env.DATABASE_URL ?? 'sqlite:data/large.db'
  const handle = openDatabase(url)
  try {
    await migrateToLatest(handle.db)
    const result = await seedLarge(handle, Number(values.responses), { shape: values.shape as SeedShape, log: (line) => console.log(line) })
    console.log(`seeded ${result.responses} responses in ${result.seconds.toFixed(1)} s; largest region id ${result.largestRegionId}`)
  } finally {
    await handle.close()
  }
}
