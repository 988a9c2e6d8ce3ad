import type { z } from 'zod'
import { ageBandKeys, audiences, type BreakdownKey, type Cell, type DashboardFilters, type DashboardModel, type RegionDirectory } from '../dashboard/index.ts'
import { periodId } from '../answers/period-grid.ts'
import { K } from '../answers/cell-key.ts'
import type { appliedFiltersSchema, breakdownSchema, breakdownsSchema, CellJson, regionSchema, summarySchema, themeRefSchema, themesSchema, weeklySchema } from './schemas.ts'

/**
 * The published dashboard model (src/dashboard/dashboard.ts) as API JSON. Only what a
 * share link shows leaves here: no word lists, no free text, no z-scores. Every count is
 * the published one, the same number the page, the CSV, the PDF and a share link print.
 *
 * Shares and averages are rounded exactly as the dashboard prints them (whole percent,
 * one decimal).
 */

function cellJson(cell: Cell): CellJson {
  return { count: cell.value }
}

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
  filters: DashboardFilters
}

function envelope(model: DashboardModel, slice: Slice) {
  const filters: z.infer<typeof appliedFiltersSchema> = {}
  if (slice.filters.partnerId !== undefined) filters.partner = slice.filters.partnerId
  if (slice.filters.locationId !== undefined) filters.location = slice.filters.locationId
  if (slice.filters.municipality !== undefined) filters.municipality = slice.filters.municipality
  if (slice.filters.activityId !== undefined) filters.activity = slice.filters.activityId
  if (slice.filters.audience !== undefined) filters.audience = slice.filters.audience
  if (slice.filters.ageBand !== undefined) filters.age = slice.filters.ageBand
  if (slice.filters.assisted !== undefined) filters.assisted = slice.filters.assisted
  return {
    region: { id: model.directory.region.id, name: model.directory.region.name },
    period: {
      id: periodId(model.grid),
      from: model.period.from,
      to: model.period.to,
      previousId: model.previousGrid ? periodId(model.previousGrid) : null,
      previousFrom: model.previous.from,
      previousTo: model.previous.to,
    },
    filters,
    threshold: model.k,
  }
}

export function summaryJson(model: DashboardModel, slice: Slice): z.infer<typeof summarySchema> {
  const h = model.headline
  return {
    ...envelope(model, slice),
    responses: cellJson(h.responses),
    triedNewShare: roundShare(h.triedNewShare),
    triedABitShare: roundShare(h.triedABitShare),
    likedAverage: roundAverage(h.likedAverage),
    step2Share: roundShare(h.step2Share),
  }
}

export function weeklyJson(model: DashboardModel, slice: Slice): z.infer<typeof weeklySchema> {
  return {
    ...envelope(model, slice),
    weeks: model.weeks.map((week) => ({ week: week.week, monday: week.monday, responses: cellJson(week.cell) })),
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
  return {
    ...envelope(model, slice),
    ranked: model.themes.map((row) => ({ theme: theme(row.themeId), chosen: cellJson(row.cell), share: roundShare(row.share) })),
    emerging: model.emerging.map((row) => ({
      theme: theme(row.themeId),
      current: cellJson(row.current),
      currentTotal: cellJson(row.currentTotal),
      previous: cellJson(row.previous),
      previousTotal: cellJson(row.previousTotal),
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
    total: cellJson(breakdown.total),
    rows: breakdown.rows.map((row) => ({
      key: key === 'age_band' ? bandKey(row.key) : row.key,
      name: names.get(row.key) ?? null,
      ...(row.groupKey ? { partner: Number(row.groupKey) } : {}),
      responses: cellJson(row.cell),
      triedNewShare: roundShare(row.triedNewShare),
      likedAverage: roundAverage(row.likedAverage),
    })),
  }
}

export function breakdownsJson(model: DashboardModel, slice: Slice): z.infer<typeof breakdownsSchema> {
  const detail = model.ageByLocation
  const locationNames = new Map(model.directory.locations.map((l) => [l.id, l.name]))
  const show = cellJson
  return {
    ...envelope(model, slice),
    location: breakdownJson(model, 'location'),
    partner: breakdownJson(model, 'partner'),
    activity: breakdownJson(model, 'activity'),
    audience: breakdownJson(model, 'audience'),
    ageBand: breakdownJson(model, 'age_band'),
    ageBandByLocation: {
      columns: detail.columns.map(bandKey),
      rows: detail.rows.map((row) => ({ location: row.locationId, name: locationNames.get(row.locationId) ?? '', cells: row.cells.map(show), total: show(row.total) })),
      columnTotals: detail.columnTotals.map(show),
      // The grand total is the headline count.
      total: cellJson(detail.total),
    },
  }
}

export function regionJson(directory: RegionDirectory): z.infer<typeof regionSchema> {
  const theme = themeRefs(directory)
  return {
    region: { id: directory.region.id, name: directory.region.name },
    // The perturbation's k, the same for every region (a region's own min_cell_size no longer changes what is published).
    threshold: K,
    partners: directory.partners.map((p) => ({ id: p.id, name: p.name })),
    locations: directory.locations.map((l) => ({ id: l.id, name: l.name })),
    activities: directory.activities.map((a) => ({ id: a.id, name: a.title, partner: a.partnerId, audience: a.audience })),
    themes: directory.themes.map((t) => theme(t.id)),
    audiences: [...audiences],
    ageBands: ageBandKeys.filter((band) => band !== ''),
  }
}
