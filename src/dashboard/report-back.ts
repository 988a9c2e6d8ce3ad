import type { Kysely } from 'kysely'
import { brusselsDay } from '../answers/index.ts'
import { type DayRange, type GridPeriod, periodId, previousPeriod } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'
import { type OutcomeKind, pathsNextStep, pathStepCounts } from '../followup/index.ts'
import type { Language, Translate } from '../i18n/i18n.ts'
import { loadPlanning, parsePlanningPeriod, type PlanningModel } from '../planning/index.ts'
import { listRegionUpdates } from '../updates/index.ts'
import { type DashboardModel, loadDashboard } from './dashboard.ts'
import { formatters } from './presentation.ts'
import type { DashboardScope, RegionDirectory } from './queries.ts'

/**
 * The report's second side, "what we learned and what we did" (issue 18): the top needs,
 * the needs without an offer, what changed against the same period a year before, what
 * the follow-up reached, and the region's published updates.
 *
 * It computes no figure of its own. Needs and gaps are the planning model's (src/planning),
 * the year-on-year figures are the dashboard's own headline for the two periods, the
 * follow-up counts are src/followup's (the digest's): each is published through the
 * cell-key table where it is made, so the same answers and steps print the same numbers
 * here as on the planning page, the dashboard and the digest. Updates are texts a
 * coordinator posted on the public page; nothing from a citizen's free text is printed.
 *
 * The side covers a *complete* grid period: the planning model offers no other (a figure
 * of a running period changes every day, and comparing the days would publish each day's
 * answers). When the front covers a complete week, month, quarter or year, the back covers
 * the same; when it covers a running one (this month, quarter to date…), the back covers
 * the last complete period of that kind, and says so.
 */

export interface ReportBack {
  period: GridPeriod
  periodId: string
  range: DayRange
  /** Whether the front's own period was running and the back shows the one before. */
  earlier: boolean
  yearBeforeId: string | null
  /** Published demand per theme, largest first (at most `topNeedCount`), beside the same period a year before. */
  needs: { label: string; demand: number; share: string; yearBefore: string }[]
  /** Themes with demand and no offer or activity in the supply window, in the planning page's order. */
  gaps: { label: string; demand: number; pressure: string }[]
  supplyWindow: DayRange
  /** The dashboard's key figures of the period and of the same period a year before, formatted. */
  change: { label: string; now: string; yearBefore: string }[]
  outcomes: { kind: OutcomeKind; count: number }[]
  pathsNextStep: number
  /** The region's visible updates, newest first. */
  updates: { day: string; theme: string | null; body: string }[]
}

export const topNeedCount = 6

/** The complete period the back covers for the front's `grid` (see above), or null before the grid has one. */
export function backPeriod(grid: GridPeriod, today: string): { period: GridPeriod; earlier: boolean } | null {
  const whole: GridPeriod = grid.kind === 'qtd' ? { ...grid, kind: 'quarter' } : grid.kind === 'ytd' ? { ...grid, kind: 'year' } : grid
  const same = parsePlanningPeriod(periodId(whole), today)
  if (typeof same !== 'string') return { period: same, earlier: false }
  const before = previousPeriod(whole)
  if (before === null) return null
  const parsed = parsePlanningPeriod(periodId(before), today)
  return typeof parsed === 'string' ? null : { period: parsed, earlier: true }
}

/** The same period one year earlier (an ISO week 53 has none), when it is on the grid. */
export function yearBefore(period: GridPeriod, today: string): GridPeriod | null {
  const id = periodId(period)
  const parsed = parsePlanningPeriod(`${Number(id.slice(0, 4)) - 1}${id.slice(4)}`, today)
  return typeof parsed === 'string' ? null : parsed
}

export interface ReportBackInput {
  scope: DashboardScope
  directory: RegionDirectory
  grid: GridPeriod
  today: string
  language: Language
  t: Translate
}

export async function loadReportBack(db: Kysely<Database>, input: ReportBackInput): Promise<ReportBack | null> {
  const chosen = backPeriod(input.grid, input.today)
  if (chosen === null) return null
  const { period } = chosen
  const before = yearBefore(period, input.today)
  const { regionId, partnerId } = input.scope
  // A partner member's report: the planning model as the planning page shows it to them
  // (their own figures; the region's only where three other partners contribute).
  const planningOf = (p: GridPeriod) =>
    loadPlanning(db, { regionId, period: p, today: input.today, language: input.language, viewerIsPartner: partnerId !== undefined, ...(partnerId === undefined ? {} : { partnerId }) })
  const dashboardOf = (p: GridPeriod) => loadDashboard(db, input.scope, {}, p, input.today, { directory: input.directory, textWindow: 0 })
  const [planning, planningBefore, front, frontBefore, updates] = await Promise.all([
    planningOf(period),
    before === null ? Promise.resolve(null) : planningOf(before),
    dashboardOf(period),
    before === null ? Promise.resolve(undefined) : dashboardOf(before),
    listRegionUpdates(db, regionId, input.language),
  ])
  const range = planning.range
  const [outcomes, paths] = await Promise.all([
    pathStepCounts(db, regionId, range),
    pathsNextStep(db, { regionId, range, ...(partnerId === undefined ? {} : { partnerId }) }),
  ])
  const f = formatters(input.language)
  const series = (row: PlanningModel['rows'][number]) => (partnerId === undefined ? row.region : row.partner)
  const beforeOf = new Map((planningBefore?.rows ?? []).map((row) => [row.themeId, series(row)?.demand ?? 0]))
  const collator = new Intl.Collator(input.language)
  const needs = planning.rows
    .map((row) => ({ row, s: series(row) }))
    .filter(({ s }) => s !== null && s.demand > 0)
    .sort((a, b) => b.s!.demand - a.s!.demand || collator.compare(a.row.label, b.row.label))
    .slice(0, topNeedCount)
    .map(({ row, s }) => ({
      label: row.label,
      demand: s!.demand,
      share: f.percent(s!.share === null ? null : Math.round(s!.share) / 100),
      yearBefore: planningBefore === null ? '–' : f.integer(beforeOf.get(row.themeId) ?? 0),
    }))
  const gaps = planning.rows
    .filter((row) => row.verdict === 'need_without_offer')
    .map((row) => ({ label: row.label, demand: (row.basis === 'region' ? row.region : row.partner)?.demand ?? 0, pressure: row.pressure === null ? '–' : f.integer(row.pressure) }))
  return {
    period,
    periodId: planning.periodId,
    range,
    earlier: chosen.earlier,
    yearBeforeId: before === null ? null : periodId(before),
    needs,
    gaps,
    supplyWindow: planning.window,
    change: front ? headlineChange(front, frontBefore ?? null, input.t, f) : [],
    outcomes: (Object.entries(outcomes) as [OutcomeKind, number][]).map(([kind, count]) => ({ kind, count })),
    pathsNextStep: paths,
    updates: updates.map((update) => ({ day: brusselsDay(update.createdAt), theme: update.theme, body: update.body })),
  }
}

/** The dashboard's key figures, now and a year before: the same published values the dashboard shows for each period. */
function headlineChange(now: DashboardModel, before: DashboardModel | null, t: Translate, f: ReturnType<typeof formatters>): ReportBack['change'] {
  const rows: [string, (m: DashboardModel) => string][] = [
    [t('dashboard.headline.responses'), (m) => f.integer(m.headline.responses.value)],
    [t('dashboard.headline.tried_new'), (m) => f.percent(m.headline.triedNewShare)],
    [t('dashboard.headline.tried_a_bit'), (m) => f.percent(m.headline.triedABitShare)],
    [t('dashboard.headline.liked'), (m) => f.decimal(m.headline.likedAverage)],
  ]
  return rows.map(([label, value]) => ({ label, now: value(now), yearBefore: before === null ? '–' : value(before) }))
}
