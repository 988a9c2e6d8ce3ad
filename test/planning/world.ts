import type { Kysely } from 'kysely'
import { createActivity, createLocation, createPartner, createRegion, setActivityThemes } from '../../src/admin/queries.ts'
import { cellKey, publish } from '../../src/answers/cell-key.ts'
import type { Database } from '../../src/db/types.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { createPoster } from '../../src/posters/queries.ts'
import { random, storeAnswer, type World } from '../dashboard/world.ts'

/**
 * A region whose demand and supply are known, for the planning page (issue 18). Five
 * partners, each with a poster; answers in 2026-Q2 and 2026-Q3 with chosen themes and
 * record keys drawn from a fixed seed; offers and activities with themes and dates; open
 * and closed contact requests. The clock is 2 December 2026, so the default period is
 * 2026-Q3 and the one before it 2026-Q2.
 *
 * Everything the test expects is computed here from the list of answers itself (counts and
 * key sums added up in JavaScript), never read back from the rollups the page reads.
 */

export const now = new Date('2026-12-02T10:00:00Z')

export interface StoredAnswer {
  partner: number
  createdAt: string
  themes: string[]
  recordKey: number
  id: number
}

export interface PlanningWorld {
  regionId: number
  partners: number[]
  partnerNames: string[]
  themes: Record<string, number>
  answers: StoredAnswer[]
  /** Answer ids with an open request at the end of 1 December, and their record keys. */
  openRequests: { answerId: number; themes: string[]; partner: number; recordKey: number }[]
  activities: Record<string, number>
}

/** [slug, Q3 answers per partner index, Q2 answers per partner index] */
const plan: [string, number[], number[]][] = [
  // A clear need, rising, from four partners: no offer, no activity.
  ['talen', [9, 8, 7, 6, 0], [1, 1, 1, 0, 0]],
  // Asked everywhere, and there is an offer.
  ['koken-voeding', [5, 4, 4, 4, 3], [4, 4, 4, 4, 4]],
  // Asked at two partners only (no comparison with the rest), and P2 has an activity in August.
  ['digitaal', [7, 6, 0, 0, 0], [3, 3, 0, 0, 0]],
  // Two answers: published as 0 or one of 5 … 9, whichever the cell key says.
  ['ambacht-maken', [1, 1, 0, 0, 0], [0, 0, 0, 0, 0]],
]

/** `seed` and `name` make a second region of the same shape with other record keys (the multi-region overview). */
export async function buildPlanningWorld(db: Kysely<Database>, options: { seed?: number; name?: string } = {}): Promise<PlanningWorld> {
  const next = random(options.seed ?? 18)
  const regionId = await createRegion(db, { slug: `plan-${Math.floor(next() * 1e9)}`, name: options.name ?? 'Regio Planning' })
  const themeRows = await db.selectFrom('themes').select(['id', 'slug']).where('region_id', '=', regionId).execute()
  const themes = Object.fromEntries(themeRows.map((row) => [row.slug, row.id])) as Record<string, number>
  const partnerNames = ['Bib Borgloon', 'CVO Haspengouw', 'Buurthuis Tongeren', 'Jeugdhuis Bilzen', 'OCMW Riemst']
  const partners: number[] = []
  const posters: World['posters'] = []
  const activities: Record<string, number> = {}
  for (const [index, name] of partnerNames.entries()) {
    const partnerId = await createPartner(db, regionId, name, 'other')
    partners.push(partnerId)
    const locationId = await createLocation(db, regionId, { name: `Locatie ${index + 1}`, municipality: 'Borgloon' })
    const activityId = await createActivity(db, { partnerId, title: `Ontmoeting ${index + 1}`, audience: 'all' })
    const poster = await createPoster(db, { activityId, locationId })
    posters.push({ id: poster.id, partnerId, locationId, activityId })
  }
  const world: World = { regionId, partners: { a: partners[0]!, b: partners[1]! }, locations: [], activities: [], posters, themes: [] }

  const answers: StoredAnswer[] = []
  async function answer(partnerIndex: number, createdAt: string, slugs: string[]) {
    const recordKey = Math.floor(next() * 256)
    const id = await storeAnswer(db, world, {
      poster: posters[partnerIndex]!,
      createdAt,
      triedNew: 'yes',
      recordKey,
      ...(slugs.length > 0 ? { step2: { themeIds: slugs.map((slug) => themes[slug]!) } } : {}),
    })
    answers.push({ partner: partners[partnerIndex]!, createdAt, themes: slugs, recordKey, id })
    return id
  }
  // Days inside each quarter, at noon UTC (the same Brussels day).
  const q3Days = ['2026-07-03', '2026-07-21', '2026-08-09', '2026-08-27', '2026-09-14']
  const q2Days = ['2026-04-02', '2026-04-28', '2026-05-15', '2026-06-06', '2026-06-29']
  for (const [slug, q3, q2] of plan) {
    for (const [counts, days] of [
      [q3, q3Days],
      [q2, q2Days],
    ] as const) {
      for (const [partnerIndex, count] of counts.entries()) {
        for (let i = 0; i < count; i++) await answer(partnerIndex, `${days[i % days.length]}T12:00:00.000Z`, [slug])
      }
    }
  }
  // Answers without a theme: they count in the share's denominator only.
  for (let i = 0; i < 25; i++) await answer(i % 5, `${q3Days[i % 5]}T09:00:00.000Z`, [])
  for (let i = 0; i < 30; i++) await answer(i % 5, `${q2Days[i % 5]}T09:00:00.000Z`, [])
  // The last evening of September in Brussels is still Q3; half an hour later it is Q4.
  await answer(3, '2026-09-30T21:30:00.000Z', ['talen'])
  await answer(3, '2026-09-30T22:30:00.000Z', ['talen'])
  // October answers are outside 2026-Q3 altogether.
  await answer(4, '2026-10-12T12:00:00.000Z', ['natuur-tuin'])

  // Contact requests on some of the Q3 language answers: at P1, P2, P3, P4 (four partners).
  const openRequests: PlanningWorld['openRequests'] = []
  const languageAnswers = answers.filter((a) => a.themes.includes('talen') && a.createdAt < '2026-10')
  const byPartner = new Map<number, StoredAnswer[]>()
  for (const a of languageAnswers) byPartner.set(a.partner, [...(byPartner.get(a.partner) ?? []), a])
  let request = 0
  async function contact(a: StoredAnswer, createdAt: string, closedAt: string | null) {
    await db
      .insertInto('contact_requests')
      .values({
        response_id: a.id,
        region_id: regionId,
        name: `Persoon ${++request}`,
        channel: 'phone',
        contact_value: `+3247${String(request).padStart(7, '0')}`,
        preferred_language: 'nl',
        good_moment: 'any',
        consent_version: 'test',
        language: 'nl',
        created_at: createdAt,
        status: closedAt === null ? 'new' : 'closed',
        closed_at: closedAt,
        ...(closedAt === null ? {} : { outcome: 'not_needed' as const }),
      })
      .execute()
  }
  for (const partnerIndex of [0, 1, 2, 3]) {
    const list = byPartner.get(partners[partnerIndex]!)!
    for (const a of list.slice(0, 2)) {
      await contact(a, '2026-10-01T10:00:00.000Z', null)
      openRequests.push({ answerId: a.id, themes: a.themes, partner: a.partner, recordKey: a.recordKey })
    }
    // Closed before the end of yesterday: not open.
    await contact(list[2]!, '2026-10-01T10:00:00.000Z', '2026-11-20T10:00:00.000Z')
  }
  // Closed today: still open at the end of yesterday, which is what the page shows.
  const closedToday = byPartner.get(partners[0]!)![3]!
  await contact(closedToday, '2026-10-02T10:00:00.000Z', '2026-12-02T08:00:00.000Z')
  openRequests.push({ answerId: closedToday.id, themes: closedToday.themes, partner: closedToday.partner, recordKey: closedToday.recordKey })
  // Made today: not yet counted.
  await contact(byPartner.get(partners[1]!)![3]!, '2026-12-02T08:00:00.000Z', null)

  // Supply.
  const base = { place: 'Bib Borgloon', schedule: 'dinsdag 19u', cost: null, languages: ['nl'], textLanguage: 'nl', audience: 'all' as const, link: null, contact: null }
  await createOffer(db, regionId, { ...base, title: 'Kookles voor beginners', provider: 'CVO Haspengouw', themeIds: [themes['koken-voeding']!], archived: false })
  await createOffer(db, regionId, { ...base, title: 'Moestuinploeg', provider: 'Natuurpunt', themeIds: [themes['natuur-tuin']!], archived: false })
  await createOffer(db, regionId, { ...base, title: 'Oude sportclub', provider: 'Sportdienst', themeIds: [themes['sport-bewegen']!], archived: true })
  activities.digital = await createActivity(db, { partnerId: partners[1]!, title: 'Computerclub CVO', audience: 'adults', startsOn: '2026-08-01', endsOn: '2026-08-30' })
  await setActivityThemes(db, regionId, activities.digital, [themes['digitaal']!])
  const place = await createLocation(db, regionId, { name: 'Campus Borgloon' })
  await createPoster(db, { activityId: activities.digital, locationId: place })
  await createPoster(db, { activityId: activities.digital, locationId: posters[1]!.locationId })
  // Starts after the window (2026-07-01 … 2026-09-30): not supply for Q3.
  activities.later = await createActivity(db, { partnerId: partners[2]!, title: 'Sportkamp', audience: 'youth', startsOn: '2027-03-01', endsOn: '2027-03-05' })
  await setActivityThemes(db, regionId, activities.later, [themes['sport-bewegen']!])
  // Without dates: runs, so it counts (languages are also offered at P5… no: this one is crafts).
  activities.ongoing = await createActivity(db, { partnerId: partners[0]!, title: 'Naaicafé', audience: 'all' })
  await setActivityThemes(db, regionId, activities.ongoing, [themes['ambacht-maken']!])
  return { regionId, partners, partnerNames, themes, answers, openRequests, activities }
}

/** The Brussels day of an instant (test-side: summer and winter time by the rule, not by a library). */
export function brusselsDayOf(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

/** Published count of a set of answers, as the cell-key table publishes it. */
export function publishedOf(list: readonly { recordKey: number }[]): number {
  if (list.length === 0) return 0
  return publish(list.length, cellKey(list.reduce((sum, a) => sum + a.recordKey, 0)))
}
