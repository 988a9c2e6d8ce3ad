import type { z } from 'zod'
import type { BreakdownKey, DashboardModel } from '../dashboard/dashboard.ts'
import type { PeriodName } from '../dashboard/period.ts'
import type { DashboardFilters, RegionDirectory } from '../dashboard/queries.ts'
import type { Cell } from '../dashboard/suppression.ts'
import type { appliedFiltersSchema, breakdownSchema, breakdownsSchema, CellJson, regionSchema, summarySchema, themeRefSchema, themesSchema, weeklySchema } from './schemas.ts'
import { ageBandKeys, audiences } from '../dashboard/dashboard.ts'

/**
 * The protected dashboard model (src/dashboard/dashboard.ts) as API JSON. Only what a
 * share link shows leaves here: no word lists, no free text, no z-scores (with the shown
 * counts, a z-score would give away a hidden "previous" count). A hidden count is `null`
 * with the reason, never a number.
 *
 * Shares and averages are rounded exactly as the dashboard prints them (whole percent,
 * one decimal): an unrounded share of a shown total is a count in disguise.
 */

export function cellJson(cell: Cell, k: number): CellJson {
  if (cell.state === 'shown') return { count: cell.value, suppressed: false }
  if (cell.state === 'small') return { count: null, suppressed: true, reason: 'small', below: cell.k ?? k }
  return { count: null, suppressed: true, reason: 'complementary' }
}

const withheldCell: CellJson = { count: null, suppressed: true, reason: 'withheld' }

function roundShare(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100) / 100
}

function roundAverage(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10
}

/** The age band as the API names it ('' in the model: no age band given). */
function bandKey(band: string): string {
  return band === '' ? 'not_given' : band
}

export interface Slice {
  periodName: PeriodName
  filters: DashboardFilters
}

function envelope(model: DashboardModel, slice: Slice) {
  const filters: z.infer<typeof appliedFiltersSchema> = {}
  if (slice.filters.partnerId !== undefined) filters.partner = slice.filters.partnerId
  if (slice.filters.locationId !== undefined) filters.location = slice.filters.locationId
  if (slice.filters.activityId !== undefined) filters.activity = slice.filters.activityId
  if (slice.filters.audience !== undefined) filters.audience = slice.filters.audience
  if (slice.filters.ageBand !== undefined) filters.age = slice.filters.ageBand
  return {
    region: { id: model.directory.region.id, name: model.directory.region.name },
    period: { name: slice.periodName, from: model.period.from, to: model.period.to, previousFrom: model.previous.from, previousTo: model.previous.to },
    filters,
    threshold: model.k,
  }
}

export function summaryJson(model: DashboardModel, slice: Slice): z.infer<typeof summarySchema> {
  const h = model.headline
  return {
    ...envelope(model, slice),
    responses: cellJson(h.responses, model.k),
    triedNewShare: roundShare(h.triedNewShare),
    triedABitShare: roundShare(h.triedABitShare),
    likedAverage: roundAverage(h.likedAverage),
    step2Share: roundShare(h.step2Share),
  }
}

export function weeklyJson(model: DashboardModel, slice: Slice): z.infer<typeof weeklySchema> {
  return {
    ...envelope(model, slice),
    withheld: model.weeksWithheld,
    // A withheld chart shows no week on the dashboard: here no week's count either.
    weeks: model.weeks.map((week) => ({ week: week.week, monday: week.monday, responses: model.weeksWithheld ? withheldCell : cellJson(week.cell, model.k) })),
  }
}

function themeRefs(directory: RegionDirectory): (id: number) => z.infer<typeof themeRefSchema> {
  const themes = new Map(directory.themes.map((theme) => [theme.id, { id: theme.id, slug: theme.slug, labels: labelsOf(theme.labels) }]))
  return (id) => themes.get(id) ?? { id, slug: '', labels: {} }
}

function labelsOf(json: string): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const [code, label] of Object.entries(JSON.parse(json) as Record<string, unknown>)) {
    if (typeof label === 'string' && label.trim() !== '') labels[code] = label
  }
  return labels
}

export function themesJson(model: DashboardModel, slice: Slice): z.infer<typeof themesSchema> {
  const theme = themeRefs(model.directory)
  const k = model.k
  return {
    ...envelope(model, slice),
    ranked: model.themes.map((row) => ({ theme: theme(row.themeId), chosen: cellJson(row.cell, k), share: roundShare(row.share) })),
    emerging: model.emerging.map((row) => ({
      theme: theme(row.themeId),
      current: cellJson(row.current, k),
      currentTotal: cellJson(row.currentTotal, k),
      previous: cellJson(row.previous, k),
      previousTotal: cellJson(row.previousTotal, k),
    })),
  }
}

type BreakdownJson = z.infer<typeof breakdownSchema>

function breakdownJson(model: DashboardModel, key: BreakdownKey): BreakdownJson {
  const breakdown = model.breakdowns.find((b) => b.key === key)!
  const names = new Map<string, string>(
    key === 'location'
      ? model.directory.locations.map((l) => [String(l.id), l.name])
      : key === 'partner'
        ? model.directory.partners.map((p) => [String(p.id), p.name])
        : key === 'activity'
          ? model.directory.activities.map((a) => [String(a.id), a.title])
          : [],
  )
  return {
    withheld: breakdown.withheld,
    total: cellJson(breakdown.total, model.k),
    rows: breakdown.rows.map((row) => ({
      key: key === 'age_band' ? bandKey(row.key) : row.key,
      name: names.get(row.key) ?? null,
      ...(row.groupKey ? { partner: Number(row.groupKey) } : {}),
      // A withheld breakdown is not shown on the dashboard at all: no count, no share.
      responses: breakdown.withheld ? withheldCell : cellJson(row.cell, model.k),
      triedNewShare: breakdown.withheld ? null : roundShare(row.triedNewShare),
      likedAverage: breakdown.withheld ? null : roundAverage(row.likedAverage),
    })),
  }
}

export function breakdownsJson(model: DashboardModel, slice: Slice): z.infer<typeof breakdownsSchema> {
  const detail = model.ageByLocation
  const locationNames = new Map(model.directory.locations.map((l) => [l.id, l.name]))
  const show = (cell: Cell) => (detail.withheld ? withheldCell : cellJson(cell, detail.k))
  return {
    ...envelope(model, slice),
    location: breakdownJson(model, 'location'),
    partner: breakdownJson(model, 'partner'),
    activity: breakdownJson(model, 'activity'),
    audience: breakdownJson(model, 'audience'),
    ageBand: breakdownJson(model, 'age_band'),
    ageBandByLocation: {
      threshold: detail.k,
      withheld: detail.withheld,
      columns: detail.columns.map(bandKey),
      rows: detail.rows.map((row) => ({ location: row.locationId, name: locationNames.get(row.locationId) ?? '', cells: row.cells.map(show), total: show(row.total) })),
      columnTotals: detail.columnTotals.map(show),
      // The grand total is the headline count, published anyway.
      total: cellJson(detail.total, detail.total.k ?? detail.k),
    },
  }
}

export function regionJson(directory: RegionDirectory): z.infer<typeof regionSchema> {
  const theme = themeRefs(directory)
  return {
    region: { id: directory.region.id, name: directory.region.name },
    threshold: directory.region.k,
    partners: directory.partners.map((p) => ({ id: p.id, name: p.name })),
    locations: directory.locations.map((l) => ({ id: l.id, name: l.name })),
    activities: directory.activities.map((a) => ({ id: a.id, name: a.title, partner: a.partnerId, audience: a.audience })),
    themes: directory.themes.map((t) => theme(t.id)),
    audiences: [...audiences],
    ageBands: ageBandKeys.filter((band) => band !== ''),
  }
}
