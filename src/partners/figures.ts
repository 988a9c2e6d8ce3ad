import { createHmac } from 'node:crypto'
import type { Expression, Kysely, SqlBool } from 'kysely'
import { addDays, dayStartUtc } from '../answers/index.ts'
import { cellKey, KEY_RANGE, publish } from '../answers/cell-key.ts'
import { type GridPeriod, periodId, periodOf, periodRange, previousPeriod, dayNumber } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'

/**
 * A partner's own figures (issue 19): what its posters collected, its participants' themes
 * against the region, the referrals to its offers and what became of them, and its effect
 * over time.
 *
 * The disclosure rule of the whole product applies (docs/privacy.md §5): figures only for
 * complete periods of the fixed grid (months, quarters, years that ended by yesterday in
 * Brussels), and every count published through the cell-key table of answers/cell-key.ts.
 * A count of records with record keys (answers, path steps) gets the key sum of its
 * records, so the same answers publish the same number here, on the dashboard and in the
 * digest. Scans are day counters without records: their key is an HMAC of the partner and
 * the true count under an app secret, as the poster funnel does (posters/funnel.ts). Shares
 * are worked out from published counts only. Referrals are counts, never a list: a small
 * course knows who was referred to it.
 */

/** The grid kinds a partner page offers: complete months, quarters and years. */
const partnerPeriodKinds = ['month', 'quarter', 'year'] as const
type PartnerKind = (typeof partnerPeriodKinds)[number]
const shownPerKind: Record<PartnerKind, number> = { month: 12, quarter: 4, year: 2 }
/** "Themes against the region" is shown only when at least this many other partners contribute. */
const otherPartnersNeeded = 3

/** True when the period's last day is yesterday or earlier: its figures will not change any more. */
function complete(p: GridPeriod, today: string): boolean {
  const range = periodRange(p, today)
  return periodId(periodOf(p.kind, dayNumber(addDays(range.to, 1)))) !== periodId(p)
}

/** The complete periods a partner page offers on `today`, newest first per kind. */
export function completePeriods(today: string): GridPeriod[] {
  const yesterday = dayNumber(addDays(today, -1))
  const periods: GridPeriod[] = []
  for (const kind of partnerPeriodKinds) {
    let p: GridPeriod | null = periodOf(kind, yesterday)
    if (!complete(p, today)) p = previousPeriod(p)
    for (let i = 0; i < shownPerKind[kind] && p !== null; i++, p = previousPeriod(p)) periods.push(p)
  }
  return periods
}

/** A count as published: never 1 … K − 1, the same for the same records everywhere. */
function published(count: number | string | bigint | null, keySum: number | string | bigint | null): number {
  return publish(Number(count ?? 0), cellKey(keySum === null ? null : typeof keySum === 'bigint' ? keySum : (keySum as number | string)))
}

/** The cell key of a partner's scans in a period: see above (scans carry no record keys). */
function scanCellKey(secret: string, partnerId: number, trueCount: number): number {
  return createHmac('sha256', secret).update(`partner-scans|${partnerId}|${trueCount}`).digest()[0]! % KEY_RANGE
}

/** A share (0…1) of two published counts; null when the whole is 0. */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? Math.min(1, part / whole) : null
}

export interface CollectedFigures {
  scans: number
  answers: number
  triedNew: number
  /** Answers with a face (step 2), and of those 4 or 5. */
  withFace: number
  liked: number
  step2: number
}

export interface ThemeRow {
  themeId: number
  slug: string
  labels: string
  position: number
  partner: number
  region: number
}

export interface ReferralFigures {
  referred: number
  started: number
  completed: number
  stopped: number
  noNewsYet: number
}

export interface PartnerFigures {
  period: GridPeriod
  range: { from: string; to: string }
  collected: CollectedFigures
  /** null: fewer than `otherPartnersNeeded` other partners contribute, so no comparison is shown. */
  themes: { partnerAnswers: number; regionAnswers: number; rows: ThemeRow[] } | null
  referrals: ReferralFigures
  /** The partner has offers at all (otherwise the referral block says so). */
  hasOffers: boolean
  /** The four complete quarters up to the period's end: answers and tried something new. */
  overTime: { period: GridPeriod; answers: number; triedNew: number }[]
}

function utcBounds(range: { from: string; to: string }) {
  return { from: dayStartUtc(range.from), until: dayStartUtc(addDays(range.to, 1)) }
}

async function collected(db: Kysely<Database>, regionId: number, partnerId: number, range: { from: string; to: string }, secret: string): Promise<CollectedFigures> {
  const { from, until } = utcBounds(range)
  const row = await db
    .selectFrom('responses')
    .select((eb) => {
      const when = (condition: Expression<SqlBool>, value: 'one' | 'key') =>
        eb.fn.sum<number | string>(eb.case().when(condition).then(value === 'one' ? eb.lit(1) : eb.ref('responses.record_key')).else(eb.lit(0)).end())
      return [
        eb.fn.countAll<number | string>().as('answers'),
        eb.fn.sum<number | string>('responses.record_key').as('answersKey'),
        when(eb('responses.tried_new', '=', 'yes'), 'one').as('tried'),
        when(eb('responses.tried_new', '=', 'yes'), 'key').as('triedKey'),
        when(eb('responses.liked', 'is not', null), 'one').as('face'),
        when(eb('responses.liked', 'is not', null), 'key').as('faceKey'),
        when(eb('responses.liked', '>=', 4), 'one').as('liked'),
        when(eb('responses.liked', '>=', 4), 'key').as('likedKey'),
        when(eb('responses.step', '>=', 2), 'one').as('step2'),
        when(eb('responses.step', '>=', 2), 'key').as('step2Key'),
      ]
    })
    .where('responses.region_id', '=', regionId)
    .where('responses.partner_id', '=', partnerId)
    .where('responses.created_at', '>=', from)
    .where('responses.created_at', '<', until)
    .executeTakeFirstOrThrow()
  const scans = await db
    .selectFrom('poster_scans')
    .innerJoin('posters', 'posters.id', 'poster_scans.poster_id')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .select((eb) => eb.fn.sum<number | string>('poster_scans.scans').as('n'))
    .where('activities.partner_id', '=', partnerId)
    .where('activities.region_id', '=', regionId)
    .where('poster_scans.day', '>=', range.from)
    .where('poster_scans.day', '<=', range.to)
    .executeTakeFirst()
  const scanCount = Number(scans?.n ?? 0)
  return {
    scans: publish(scanCount, scanCellKey(secret, partnerId, scanCount)),
    answers: published(row.answers, row.answersKey),
    triedNew: published(row.tried, row.triedKey),
    withFace: published(row.face, row.faceKey),
    liked: published(row.liked, row.likedKey),
    step2: published(row.step2, row.step2Key),
  }
}

async function themes(db: Kysely<Database>, regionId: number, partnerId: number, range: { from: string; to: string }): Promise<PartnerFigures['themes']> {
  const { from, until } = utcBounds(range)
  const inPeriod = db
    .selectFrom('responses')
    .where('responses.region_id', '=', regionId)
    .where('responses.created_at', '>=', from)
    .where('responses.created_at', '<', until)
  // "Contribute": another partner whose participants chose or were classified under at least one theme in the period.
  const others = await inPeriod
    .innerJoin('response_themes', 'response_themes.response_id', 'responses.id')
    .select('responses.partner_id')
    .distinct()
    .where('responses.partner_id', '!=', partnerId)
    .execute()
  if (others.length < otherPartnersNeeded) return null
  const totals = await inPeriod
    .select((eb) => [
      eb.fn.countAll<number | string>().as('region'),
      eb.fn.sum<number | string>('responses.record_key').as('regionKey'),
      eb.fn.sum<number | string>(eb.case().when('responses.partner_id', '=', partnerId).then(eb.lit(1)).else(eb.lit(0)).end()).as('partner'),
      eb.fn.sum<number | string>(eb.case().when('responses.partner_id', '=', partnerId).then(eb.ref('responses.record_key')).else(eb.lit(0)).end()).as('partnerKey'),
    ])
    .executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('themes')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('response_themes')
          .innerJoin('responses', 'responses.id', 'response_themes.response_id')
          .select((x) => [
            'response_themes.theme_id',
            x.fn.countAll<number | string>().as('region'),
            x.fn.sum<number | string>('responses.record_key').as('regionKey'),
            x.fn.sum<number | string>(x.case().when('responses.partner_id', '=', partnerId).then(x.lit(1)).else(x.lit(0)).end()).as('partner'),
            x.fn.sum<number | string>(x.case().when('responses.partner_id', '=', partnerId).then(x.ref('responses.record_key')).else(x.lit(0)).end()).as('partnerKey'),
          ])
          .where('responses.region_id', '=', regionId)
          .where('responses.created_at', '>=', from)
          .where('responses.created_at', '<', until)
          .groupBy('response_themes.theme_id')
          .as('counts'),
      (join) => join.onRef('counts.theme_id', '=', 'themes.id'),
    )
    .select(['themes.id', 'themes.slug', 'themes.labels', 'themes.position', 'counts.region', 'counts.regionKey', 'counts.partner', 'counts.partnerKey'])
    .where('themes.region_id', '=', regionId)
    .where('themes.hidden', '=', 0)
    .orderBy('themes.position')
    .execute()
  return {
    partnerAnswers: published(totals.partner, totals.partnerKey),
    regionAnswers: published(totals.region, totals.regionKey),
    rows: rows.map((row) => ({
      themeId: row.id,
      slug: row.slug,
      labels: row.labels,
      position: row.position,
      partner: published(row.partner, row.partnerKey),
      region: published(row.region, row.regionKey),
    })),
  }
}

/**
 * Referral steps to the partner's offers in the period, and what the path did after each:
 * a later "started" or "completed" (started; completed also counts as completed), a later
 * "stopped" without a start, or nothing yet. Each group is published over the key sum of
 * its referral steps. Notes, people and requests never leave this function.
 */
async function referrals(db: Kysely<Database>, regionId: number, partnerId: number, range: { from: string; to: string }): Promise<{ figures: ReferralFigures; hasOffers: boolean }> {
  const offers = await db.selectFrom('offers').select('id').where('region_id', '=', regionId).where('partner_id', '=', partnerId).execute()
  const empty = { referred: 0, started: 0, completed: 0, stopped: 0, noNewsYet: 0 }
  if (offers.length === 0) return { figures: empty, hasOffers: false }
  const steps = await db
    .selectFrom('path_steps as referral')
    .innerJoin('contact_requests', 'contact_requests.id', 'referral.contact_request_id')
    .select(['referral.id', 'referral.contact_request_id', 'referral.record_key'])
    .where('contact_requests.region_id', '=', regionId)
    .where('referral.kind', '=', 'referral')
    .where(
      'referral.offer_id',
      'in',
      offers.map((offer) => offer.id),
    )
    .where('referral.on_day', '>=', range.from)
    .where('referral.on_day', '<=', range.to)
    .execute()
  if (steps.length === 0) return { figures: empty, hasOffers: true }
  const later = await db
    .selectFrom('path_steps')
    .select(['id', 'contact_request_id', 'kind'])
    .where('contact_request_id', 'in', [...new Set(steps.map((step) => step.contact_request_id))])
    .where('kind', 'in', ['started', 'completed', 'stopped', 'referral'])
    .orderBy('id')
    .execute()
  const groups = { referred: [] as number[], started: [] as number[], completed: [] as number[], stopped: [] as number[], noNewsYet: [] as number[] }
  for (const step of steps) {
    // What followed this referral, up to the next referral of the same path (which has its own fate).
    const after = later.filter((row) => row.contact_request_id === step.contact_request_id && row.id > step.id)
    const next = after.findIndex((row) => row.kind === 'referral')
    const own = next === -1 ? after : after.slice(0, next)
    groups.referred.push(step.record_key)
    if (own.some((row) => row.kind === 'started' || row.kind === 'completed')) groups.started.push(step.record_key)
    else if (own.some((row) => row.kind === 'stopped')) groups.stopped.push(step.record_key)
    else groups.noNewsYet.push(step.record_key)
    if (own.some((row) => row.kind === 'completed')) groups.completed.push(step.record_key)
  }
  const publishGroup = (keys: number[]) => published(keys.length, keys.reduce((a, b) => a + b, 0))
  return {
    figures: {
      referred: publishGroup(groups.referred),
      started: publishGroup(groups.started),
      completed: publishGroup(groups.completed),
      stopped: publishGroup(groups.stopped),
      noNewsYet: publishGroup(groups.noNewsYet),
    },
    hasOffers: true,
  }
}

/** Everything a partner page shows for one complete grid period. `today` is the Brussels day. */
export async function partnerFigures(
  db: Kysely<Database>,
  input: { regionId: number; partnerId: number; period: GridPeriod; today: string; secret: string },
): Promise<PartnerFigures> {
  const range = periodRange(input.period, input.today)
  const [collectedFigures, themeFigures, referralFigures] = await Promise.all([
    collected(db, input.regionId, input.partnerId, range, input.secret),
    themes(db, input.regionId, input.partnerId, range),
    referrals(db, input.regionId, input.partnerId, range),
  ])
  // Effect over time: the four complete quarters up to the end of the period.
  const quarters: GridPeriod[] = []
  for (let q: GridPeriod | null = periodOf('quarter', dayNumber(range.to)); q !== null && quarters.length < 4; q = previousPeriod(q)) {
    if (complete(q, input.today)) quarters.unshift(q)
  }
  const overTime = []
  for (const quarter of quarters) {
    const figures = await collected(db, input.regionId, input.partnerId, periodRange(quarter, input.today), input.secret)
    overTime.push({ period: quarter, answers: figures.answers, triedNew: figures.triedNew })
  }
  return { period: input.period, range, collected: collectedFigures, themes: themeFigures, referrals: referralFigures.figures, hasOffers: referralFigures.hasOffers, overTime }
}
