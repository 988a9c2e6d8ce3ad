import type { Kysely } from 'kysely'
import type { AgeBand, Database, TriedNew } from '../../src/db/types.ts'
import { rebuildRollups } from '../../src/answers/index.ts'
import { publish } from '../../src/answers/cell-key.ts'
import { random, type World } from './world.ts'

/**
 * A data set with answers known in advance: eight weeks of answers up to 2026-11-27, in
 * which the theme "digitaal" clearly rises in the last four weeks and "talen" stays flat.
 * Stored in bulk, then the rollups are rebuilt (which the rollup tests show to equal the
 * rollups kept answer by answer).
 */

export const today = '2026-11-27'
export const now = new Date('2026-11-27T15:00:00.000Z')

export interface RawAnswer {
  createdAt: string
  posterIndex: number
  triedNew: TriedNew
  liked: number | null
  ageBand: AgeBand | null
  themeSlugs: string[]
  freeText: string | null
  step2: boolean
}

export function makeAnswers(seed = 11): RawAnswer[] {
  const next = random(seed)
  const answers: RawAnswer[] = []
  const start = Date.parse('2026-10-03T00:00:00Z')
  for (let day = 0; day < 56; day++) {
    const recent = day >= 28
    const perDay = 6 + Math.floor(next() * 6)
    for (let i = 0; i < perDay; i++) {
      const createdAt = new Date(start + day * 86_400_000 + (7 + Math.floor(next() * 13)) * 3_600_000 + Math.floor(next() * 3_600_000)).toISOString()
      const step2 = next() < 0.7
      const themeSlugs: string[] = []
      if (step2) {
        if (next() < (recent ? 0.35 : 0.08)) themeSlugs.push('digitaal')
        if (next() < 0.2) themeSlugs.push('talen')
        if (next() < 0.1) themeSlugs.push('koken-voeding')
      }
      const texts = recent
        ? ['Ik wil leren werken met de computer', 'computer cursus voor beginners', 'smartphone en computer leren', null, null]
        : ['Nederlands oefenen', 'beter koken', null, null, null]
      answers.push({
        createdAt,
        posterIndex: Math.floor(next() * 4),
        triedNew: (['yes', 'a_bit', 'no'] as const)[Math.floor(next() * 3)]!,
        liked: step2 ? 1 + Math.floor(next() * 5) : null,
        ageBand: step2 && next() < 0.8 ? (['18_24', '25_44', '45_64', '65_plus'] as const)[Math.floor(next() * 4)]! : null,
        themeSlugs,
        freeText: step2 ? texts[Math.floor(next() * texts.length)]! : null,
        step2,
      })
    }
  }
  return answers
}

export async function storeDataset(db: Kysely<Database>, world: World, answers: readonly RawAnswer[]): Promise<void> {
  const themeId = new Map(world.themes.map((theme) => [theme.slug, theme.id]))
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < answers.length; start += 200) {
      const chunk = answers.slice(start, start + 200)
      const rows = await trx
        .insertInto('responses')
        .values(
          chunk.map((answer, index) => {
            const poster = world.posters[answer.posterIndex]!
            return {
              poster_id: poster.id,
              region_id: world.regionId,
              partner_id: poster.partnerId,
              location_id: poster.locationId,
              activity_id: poster.activityId,
              created_at: answer.createdAt,
              language: 'nl',
              tried_new: answer.triedNew,
              liked: answer.liked,
              age_band: answer.ageBand,
              free_text: answer.freeText,
              step: answer.step2 ? 2 : 1,
              // Spread and repeatable (the data set is the same on every run).
              record_key: recordKeyOf(start + index),
            }
          }),
        )
        .returning('id')
        .execute()
      const links = chunk.flatMap((answer, index) =>
        answer.themeSlugs.map((slug) => ({ response_id: rows[index]!.id, theme_id: themeId.get(slug)!, source: 'chosen' as const, matched: null })),
      )
      if (links.length > 0) await trx.insertInto('response_themes').values(links).execute()
    }
  })
  await rebuildRollups(db, world.regionId)
}

/** The record key storeDataset gives the answer at `index` of its list. */
function recordKeyOf(index: number): number {
  return (index * 157) % 256
}

/**
 * The published count of the answers `pick` selects: their true count and cell key (the
 * sum of their record keys modulo 256) through publish(), worked out here from the data
 * set, without the dashboard's queries.
 */
export function publishedCount(answers: readonly RawAnswer[], pick: (answer: RawAnswer, index: number) => boolean): number {
  let count = 0
  let keys = 0
  answers.forEach((answer, index) => {
    if (!pick(answer, index)) return
    count++
    keys += recordKeyOf(index)
  })
  return publish(count, keys % 256)
}

/** The local (Brussels) day of an instant, with a fresh formatter. */
export function localDayOf(iso: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}
