import type { Kysely } from 'kysely'
import { dayStartUtc } from '../answers/index.ts'
import {
  dayNumber,
  dayString,
  type DayRange,
  type GridKind,
  type GridPeriod,
  GridPeriodError,
  parseGridPeriod,
  periodId,
  periodOf,
  periodRange,
  previousPeriod,
} from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'
import { municipalitiesOf, municipalityName } from '../municipalities/index.ts'
import { themeLabel } from '../themes/index.ts'
import { type Cell, comparePlanRows, emptyCell, minOtherPartners, type PlanRow, published, type Series, seriesOf, sumCells, type SupplyItem, verdictOf } from './plan.ts'
import { type Grain, listRegionPartners, listRegionThemes, openRequestCells, partnerThemeCells, partnerTotals, regionThemeCells, regionTotal, supplyByTheme } from './queries.ts'

/**
 * The planning model: for one complete grid period, per theme, demand beside supply
 * (issue 18). Only complete periods are offered: a figure of a period that is still
 * running would change every day and a reader comparing the days would learn each day's
 * answers; a complete period ending by yesterday (Brussels) never changes again.
 */

/** The kinds a planning period can have: the complete ones (no quarter- or year-to-date). */
const planningKinds = ['quarter', 'month', 'year', 'week'] as const satisfies readonly GridKind[]
export type PlanningKind = (typeof planningKinds)[number]

/** How many complete periods of each kind the period list offers (any complete one can be asked for by its id). */
const offered: Record<PlanningKind, number> = { quarter: 8, month: 12, year: 5, week: 13 }

/** The period holding `today`, which is not complete yet. */
function running(kind: PlanningKind, today: string): GridPeriod {
  return periodOf(kind, dayNumber(today))
}

/** A complete planning period by id, or the reason it is refused. */
export function parsePlanningPeriod(id: string, today: string): GridPeriod | 'invalid' | 'not_complete' {
  let period: GridPeriod
  try {
    period = parseGridPeriod(id, today)
  } catch (error) {
    if (error instanceof GridPeriodError) return error.code === 'not_yet' ? 'not_complete' : 'invalid'
    throw error
  }
  if (!(planningKinds as readonly string[]).includes(period.kind)) return 'invalid'
  const kind = period.kind as PlanningKind
  // A period is complete when it ends before today: it is not the one holding today, nor after it.
  if (periodId(period) === periodId(running(kind, today))) return 'not_complete'
  try {
    periodRange(period, today)
  } catch (error) {
    if (error instanceof GridPeriodError) return 'not_complete'
    throw error
  }
  return period
}

/** The default: the last complete quarter (the rhythm of the partners' meeting). */
export function defaultPlanningPeriod(today: string): GridPeriod {
  return previousPeriod(running('quarter', today))!
}

/** The complete periods offered in the list, newest first within each kind. */
export function offeredPeriods(today: string): { kind: PlanningKind; periods: string[] }[] {
  return planningKinds.map((kind) => {
    const periods: string[] = []
    for (let p = previousPeriod(running(kind, today)); p !== null && periods.length < offered[kind]; p = previousPeriod(p)) periods.push(periodId(p))
    return { kind, periods }
  })
}

/** `day` plus `months` calendar months, clamped to the month's length (31 March + 1 month is 30 April). */
function addMonths(day: string, months: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number]
  const target = new Date(Date.UTC(year, month - 1 + months, 1))
  const length = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate()
  target.setUTCDate(Math.min(date, length))
  return target.toISOString().slice(0, 10)
}

/** Supply counts what runs from the period's start to three months after it (the day before, inclusive). */
function supplyWindow(range: DayRange): DayRange {
  return { from: range.from, to: dayString(dayNumber(addMonths(range.from, 3)) - 1) }
}

export interface PlanningOptions {
  regionId: number
  period: GridPeriod
  today: string
  language: string
  /** The partner compared with the rest of the region: a partner member's own, or one a coordinator picked. */
  partnerId?: number
  /**
   * A partner member: the region's figures (and so the rest) are shown only where at least
   * three other partners contribute, and other partners' activities are named by partner only.
   */
  viewerIsPartner: boolean
  /** A municipality's current code (validated by the caller): every figure then counts its locations only. */
  municipality?: string
}

export interface PlanningModel {
  period: GridPeriod
  periodId: string
  range: DayRange
  previousId: string | null
  window: DayRange
  /** The region's published answers in the period; null when withheld from a partner member. */
  regionTotal: number | null
  partner: { id: number; name: string; total: number } | null
  /** Whether the rest of the region has at least three other partners with answers in the period. */
  restShown: boolean
  rows: PlanRow[]
  partners: { id: number; name: string }[]
  /** The municipality every figure is narrowed to, if one was picked. */
  municipality: { nis: string; name: string } | null
  /** The municipalities of the region's locations, for the filter. */
  municipalities: { nis: string; name: string }[]
}

/** The cells of every partner but one, added up, and how many of them have any records. */
function others(byPartner: ReadonlyMap<number, Cell> | undefined, partnerId: number): { cell: Cell; contributors: number } {
  const rest = [...(byPartner ?? new Map<number, Cell>())].filter(([id, cell]) => id !== partnerId && cell.count > 0).map(([, cell]) => cell)
  return { cell: sumCells(rest), contributors: rest.length }
}

function pick(byTheme: ReadonlyMap<number, ReadonlyMap<number, Cell>>, partnerId: number): Map<number, Cell> {
  return new Map([...byTheme].map(([themeId, byPartner]) => [themeId, byPartner.get(partnerId) ?? emptyCell]))
}

function restOf(byTheme: ReadonlyMap<number, ReadonlyMap<number, Cell>>, partnerId: number): Map<number, Cell> {
  return new Map([...byTheme].map(([themeId, byPartner]) => [themeId, others(byPartner, partnerId).cell]))
}

export async function loadPlanning(db: Kysely<Database>, options: PlanningOptions): Promise<PlanningModel> {
  const { regionId, period, today } = options
  const range = periodRange(period, today)
  const before = previousPeriod(period)
  const previousRange = before === null ? null : periodRange(before, today)
  const grain: Grain = period.kind === 'week' ? 'day' : 'month'
  const window = supplyWindow(range)
  const endOfYesterday = dayStartUtc(today)
  const municipality = options.municipality

  const [themes, partners, current, currentTotal, previous, previousTotal, supply, requests, municipalities] = await Promise.all([
    listRegionThemes(db, regionId),
    listRegionPartners(db, regionId),
    regionThemeCells(db, regionId, range, grain, municipality),
    regionTotal(db, regionId, range, municipality),
    previousRange === null ? Promise.resolve(null) : regionThemeCells(db, regionId, previousRange, grain, municipality),
    previousRange === null ? Promise.resolve(null) : regionTotal(db, regionId, previousRange, municipality),
    supplyByTheme(db, regionId, window, municipality),
    openRequestCells(db, regionId, endOfYesterday, municipality),
    regionMunicipalities(db, regionId),
  ])
  const themeIds = themes.map((theme) => theme.id)
  const region = seriesOf(themeIds, { current, previous, currentTotal, previousTotal })

  let partnerSeries: Map<number, Series> | null = null
  let restSeries: Map<number, Series> | null = null
  let contributors = new Map<number, number>()
  let partnerInfo: PlanningModel['partner'] = null
  let restShown = false
  const partnerId = options.partnerId
  if (partnerId !== undefined) {
    const [cells, totals, previousCells, previousTotals] = await Promise.all([
      partnerThemeCells(db, regionId, range, grain, municipality),
      partnerTotals(db, regionId, range, grain, municipality),
      previousRange === null ? Promise.resolve(null) : partnerThemeCells(db, regionId, previousRange, grain, municipality),
      previousRange === null ? Promise.resolve(null) : partnerTotals(db, regionId, previousRange, grain, municipality),
    ])
    partnerSeries = seriesOf(themeIds, {
      current: pick(cells, partnerId),
      previous: previousCells && pick(previousCells, partnerId),
      currentTotal: totals.get(partnerId) ?? emptyCell,
      previousTotal: previousTotals && (previousTotals.get(partnerId) ?? emptyCell),
    })
    restSeries = seriesOf(themeIds, {
      current: restOf(cells, partnerId),
      previous: previousCells && restOf(previousCells, partnerId),
      currentTotal: others(totals, partnerId).cell,
      previousTotal: previousTotals && others(previousTotals, partnerId).cell,
    })
    contributors = new Map(themeIds.map((themeId) => [themeId, others(cells.get(themeId), partnerId).contributors]))
    restShown = others(totals, partnerId).contributors >= minOtherPartners
    const name = partners.find((partner) => partner.id === partnerId)?.name ?? ''
    partnerInfo = { id: partnerId, name, total: published(totals.get(partnerId)) }
  }

  const rows: PlanRow[] = []
  for (const theme of themes) {
    // A comparison with "the rest" needs three other partners in the theme's own cell too.
    const restVisible = partnerId !== undefined && restShown && (contributors.get(theme.id) ?? 0) >= minOtherPartners
    // For a partner member the region's figure is their own plus the rest: withheld with it.
    const regionVisible = !options.viewerIsPartner || restVisible
    const items: SupplyItem[] = (supply.get(theme.id) ?? []).map((item) =>
      options.viewerIsPartner && item.kind === 'activity' && item.partnerId !== partnerId ? { ...item, title: '', place: null, when: null } : item,
    )
    const regionRow = regionVisible ? region.get(theme.id)! : null
    const partnerRow = partnerSeries?.get(theme.id) ?? null
    const basis = regionRow !== null ? 'region' : 'partner'
    const demand = (basis === 'region' ? regionRow : partnerRow)?.demand ?? 0
    const requestCells = requests.get(theme.id)
    const pressureVisible = !options.viewerIsPartner || (partnerId !== undefined && others(requestCells, partnerId).contributors >= minOtherPartners)
    const row: PlanRow = {
      themeId: theme.id,
      label: themeLabel(theme, options.language),
      verdict: verdictOf(demand, items.length),
      basis,
      region: regionRow,
      partner: partnerRow,
      rest: restVisible ? restSeries!.get(theme.id)! : null,
      supply: items,
      supplyCount: items.length,
      pressure: pressureVisible ? published(sumCells(requestCells?.values() ?? [])) : null,
    }
    // Hidden themes (no longer on the form) are listed only while something still counts for them.
    if (theme.hidden === 1 && demand === 0 && items.length === 0) continue
    rows.push(row)
  }
  const collator = new Intl.Collator(options.language)
  rows.sort((a, b) => comparePlanRows(a, b, collator))
  return {
    period,
    periodId: periodId(period),
    range,
    previousId: before === null ? null : periodId(before),
    window,
    regionTotal: options.viewerIsPartner && !restShown ? null : published(currentTotal),
    partner: partnerInfo,
    restShown,
    rows,
    partners,
    municipality: municipality === undefined ? null : { nis: municipality, name: municipalityName(municipality) ?? municipality },
    municipalities,
  }
}

/** The municipalities of the region's locations (current codes, each once), by name. */
async function regionMunicipalities(db: Kysely<Database>, regionId: number): Promise<{ nis: string; name: string }[]> {
  const rows = await db.selectFrom('locations').select('municipality_nis').distinct().where('region_id', '=', regionId).where('municipality_nis', 'is not', null).execute()
  return municipalitiesOf(rows.map((row) => row.municipality_nis))
}
