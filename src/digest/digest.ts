import type { Kysely } from 'kysely'
import { addDays, dayStartUtc } from '../answers/index.ts'
import { type GridPeriod, periodId, periodOf, dayNumber, periodRange, previousPeriod } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'
import { type OutcomeKind, pathsNextStep, pathStepCounts } from '../followup/index.ts'
import { partnerFigures, type PartnerFigures } from '../partners/index.ts'
import { loadPlanning, parsePlanningPeriod } from '../planning/index.ts'

/**
 * The monthly digest of a region or of one partner (issue 19): a short page for the last
 * complete calendar month. It computes no figure of its own from answers: what people
 * asked (themes, emerging) is the planning model's, a partner's own figures are the partner
 * page's, both already published through the cell-key table on the month grid period, so the
 * same answers publish the same numbers here as there. What the ecosystem did is counted
 * here: updates posted and offers added are public things a coordinator made (the updates
 * page and the offers list show them one by one), so their counts are plain; follow-up
 * outcomes are about people, so each kind of path step is published over its steps' record
 * keys, like the partner page's referrals, and "paths that reached a next step" over the keys
of the answers behind the paths (both counted in src/followup/outcomes.ts, which the report's
back side reads too). Nothing names a person, and no free text
is quoted.
 */

/** How many themes "what people asked" lists. */
export const topThemeCount = 5

export type DigestMonth = GridPeriod & { kind: 'month' }

/** The last complete calendar month on `today` (a Brussels day). */
export function lastCompleteMonth(today: string): DigestMonth {
  return previousPeriod(periodOf('month', dayNumber(today))) as DigestMonth
}

/** A `YYYY-MM` month that is complete on `today`, or why not. */
export function parseDigestMonth(id: string, today: string): DigestMonth | 'invalid' | 'not_complete' {
  if (!/^\d{4}-\d{2}$/.test(id)) return 'invalid'
  const parsed = parsePlanningPeriod(id, today)
  if (typeof parsed === 'string') return parsed
  return parsed as DigestMonth
}

/** The complete months a digest is offered for, newest first. */
export function digestMonths(today: string, count = 12): DigestMonth[] {
  const months: DigestMonth[] = []
  for (let p: GridPeriod | null = lastCompleteMonth(today); p !== null && months.length < count; p = previousPeriod(p)) months.push(p as DigestMonth)
  return months
}

export interface DigestTheme {
  themeId: number
  label: string
  /** Published answers that asked for the theme in the month. */
  count: number
  /** Published count the month before (null: none on the grid). */
  previous: number | null
}

// Follow-up outcomes are counted and published by src/followup (the report's second page publishes them too).
export { type OutcomeKind, outcomeKinds } from '../followup/index.ts'

export interface Digest {
  scope: { regionId: number; regionName: string; partnerId: number | null; partnerName: string | null }
  month: DigestMonth
  monthId: string
  range: { from: string; to: string }
  /** The region's published answers in the month; null when it is withheld (a partner's digest with fewer than three other partners). */
  answers: number | null
  topThemes: DigestTheme[]
  emerging: DigestTheme[]
  ecosystem: { updates: number; offers: number; outcomes: Record<OutcomeKind, number> }
  /**
   * Paths that reached a next step in the month (`pathsNextStep`), published. The region's
   * digest counts the region's paths; a partner's digest counts only the paths that began
   * with an answer at that partner's posters, and shows it with the partner's own figures.
   */
  paths: { nextStep: number; scope: 'region' | 'partner' }
  /** A partner's digest: its own figures, as on its partner page. */
  partner: PartnerFigures | null
}

async function ecosystem(db: Kysely<Database>, regionId: number, range: { from: string; to: string }): Promise<Digest['ecosystem']> {
  const from = dayStartUtc(range.from)
  const until = dayStartUtc(addDays(range.to, 1))
  const [updates, offers, outcomes] = await Promise.all([
    db
      .selectFrom('region_updates')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('region_id', '=', regionId)
      .where('hidden_at', 'is', null)
      .where('created_at', '>=', from)
      .where('created_at', '<', until)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('offers')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('region_id', '=', regionId)
      .where('created_at', '>=', from)
      .where('created_at', '<', until)
      .executeTakeFirstOrThrow(),
    pathStepCounts(db, regionId, range),
  ])
  return { updates: Number(updates.n), offers: Number(offers.n), outcomes }
}

/**
 * The digest of a region (`partnerId` undefined) or of one of its partners for one complete
 * month. `viewerIsPartner`: the region's figures are then shown as the planning page shows
 * them to a partner member (only where three other partners contribute).
 */
export async function loadDigest(
  db: Kysely<Database>,
  input: { regionId: number; partnerId?: number; month: DigestMonth; today: string; language: string; partnerSecret: string },
): Promise<Digest> {
  const region = await db.selectFrom('regions').select(['id', 'name']).where('id', '=', input.regionId).executeTakeFirstOrThrow()
  const partner =
    input.partnerId === undefined
      ? null
      : await db.selectFrom('partners').select(['id', 'name']).where('id', '=', input.partnerId).where('region_id', '=', input.regionId).executeTakeFirstOrThrow()
  const viewerIsPartner = partner !== null
  const range = periodRange(input.month, input.today)
  const [planning, did, own, paths] = await Promise.all([
    loadPlanning(db, { regionId: input.regionId, period: input.month, today: input.today, language: input.language, viewerIsPartner, ...(partner ? { partnerId: partner.id } : {}) }),
    ecosystem(db, input.regionId, range),
    partner === null ? Promise.resolve(null) : partnerFigures(db, { regionId: input.regionId, partnerId: partner.id, period: input.month, today: input.today, secret: input.partnerSecret }),
    pathsNextStep(db, { regionId: input.regionId, range, ...(partner ? { partnerId: partner.id } : {}) }),
  ])
  // The region's series where the planning model shows it (withheld rows have none).
  const themes: (DigestTheme & { emerging: boolean })[] = planning.rows
    .filter((row) => row.region !== null && row.region.demand > 0)
    .map((row) => ({ themeId: row.themeId, label: row.label, count: row.region!.demand, previous: row.region!.previous, emerging: row.region!.emerging }))
  const collator = new Intl.Collator(input.language)
  const ranked = [...themes].sort((a, b) => b.count - a.count || collator.compare(a.label, b.label))
  const strip = ({ emerging: _emerging, ...theme }: DigestTheme & { emerging: boolean }): DigestTheme => theme
  return {
    scope: { regionId: region.id, regionName: region.name, partnerId: partner?.id ?? null, partnerName: partner?.name ?? null },
    month: input.month,
    monthId: periodId(input.month),
    range: planning.range,
    answers: planning.regionTotal,
    topThemes: ranked.slice(0, topThemeCount).map(strip),
    emerging: ranked.filter((theme) => theme.emerging).map(strip),
    ecosystem: did,
    paths: { nextStep: paths, scope: partner === null ? 'region' : 'partner' },
    partner: own,
  }
}
