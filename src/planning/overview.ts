import type { Kysely } from 'kysely'
import { type DayRange, type GridPeriod, periodId, periodRange } from '../answers/period-grid.ts'
import type { Database } from '../db/types.ts'
import { defaultThemeKeys, themeLabel } from '../themes/index.ts'
import { type Cell, published, sumCells } from './plan.ts'
import { type Grain, listRegionThemes, regionThemeCells, regionTotal } from './queries.ts'

/**
 * One overview over several regions (issue 18), for a coordinator of more than one region:
 * per default theme, the demand in each region and over all of them; each region's own
 * themes listed apart. Themes are matched by their key, the default themes' slugs
 * (src/themes/default-themes.json): a region may have renamed "Talen", it is still the
 * same theme; a theme a region made itself has no counterpart elsewhere, whatever its name.
 *
 * Every figure is a published count (the cell-key table, as the planning page): a region's
 * figure is exactly its planning page's and dashboard's for the same period, because it is
 * the same cell (the same answers, so the same key sum).
 *
 * The total over the regions is a figure of its own, published through the cell key of
 * the union of the regions' records — never the sum of the published per-region figures,
 * and never the true sum. Printed beside the per-region figures it is one more equation a
 * reader can combine with them: a true total minus the other regions' figures would pin a
 * small region's count down, and a sum of published figures would teach nothing new but
 * would differ from the same answers' figure wherever else it appears. The union's cell
 * key makes it one more perturbed count of those answers, the same wherever those answers
 * are counted together, and leaves the reader with intervals (docs/privacy.md).
 */

export interface OverviewRegion {
  id: number
  name: string
  /** Published answers in the period. */
  total: number
}

export interface OverviewTheme {
  slug: string
  label: string
  /** Published demand per region, in the order of `regions`; null where the region's list lacks this default theme. */
  perRegion: (number | null)[]
  /** Published demand over the regions that have the theme: the union of their records (see above). */
  total: number
}

export interface OverviewModel {
  period: GridPeriod
  periodId: string
  range: DayRange
  regions: OverviewRegion[]
  /** Published answers over all the regions (the union's cell). */
  total: number
  themes: OverviewTheme[]
  /** Each region's own themes (not a default theme), with their published demand, largest first. */
  own: { regionId: number; regionName: string; themes: { label: string; demand: number }[] }[]
}

const defaultSlugs = new Set(defaultThemeKeys.map((theme) => theme.slug))

export async function loadOverview(
  db: Kysely<Database>,
  input: { regions: readonly { id: number; name: string }[]; period: GridPeriod; today: string; language: string },
): Promise<OverviewModel> {
  const range = periodRange(input.period, input.today)
  // As the planning page: whole months from the month rollups, days for an ISO week.
  const grain: Grain = input.period.kind === 'week' ? 'day' : 'month'
  const read = await Promise.all(
    input.regions.map(async (region) => {
      const [themes, cells, total] = await Promise.all([listRegionThemes(db, region.id), regionThemeCells(db, region.id, range, grain), regionTotal(db, region.id, range)])
      return { region, themes, cells, total }
    }),
  )
  const collator = new Intl.Collator(input.language)

  const themes: OverviewTheme[] = defaultThemeKeys.map((key) => {
    const parts: Cell[] = []
    const perRegion = read.map(({ themes, cells }) => {
      const theme = themes.find((candidate) => candidate.slug === key.slug)
      if (theme === undefined) return null
      const cell = cells.get(theme.id) ?? { count: 0, keySum: 0 }
      parts.push(cell)
      return published(cell)
    })
    return { slug: key.slug, label: themeLabel(key, input.language), perRegion, total: published(sumCells(parts)) }
  })
  themes.sort((a, b) => b.total - a.total || collator.compare(a.label, b.label))

  const own = read.map(({ region, themes, cells }) => ({
    regionId: region.id,
    regionName: region.name,
    themes: themes
      .filter((theme) => !defaultSlugs.has(theme.slug))
      .map((theme) => ({ label: themeLabel(theme, input.language), demand: published(cells.get(theme.id)), hidden: theme.hidden === 1 }))
      // A hidden theme (no longer on the form) is listed only while something still counts for it.
      .filter((theme) => !theme.hidden || theme.demand > 0)
      .map(({ label, demand }) => ({ label, demand }))
      .sort((a, b) => b.demand - a.demand || collator.compare(a.label, b.label)),
  }))

  return {
    period: input.period,
    periodId: periodId(input.period),
    range,
    regions: read.map(({ region, total }) => ({ id: region.id, name: region.name, total: published(total) })),
    total: published(sumCells(read.map(({ total }) => total))),
    themes,
    own,
  }
}
