import type { Language, MessageKey, Translate } from '../i18n/i18n.ts'
import { translator } from '../i18n/i18n.ts'
import { themeLabel } from '../themes/index.ts'
import { barChart, columnChart } from './charts.ts'
import { type CsvCell, csvDocument, csvNumber } from '../http/csv.ts'
import { type CsvLanguage, csvInLanguage } from './csv-labels.ts'
import type { BreakdownKey, DashboardModel } from './dashboard.ts'
import { addDays } from '../answers/index.ts'
import { periodId } from '../answers/period-grid.ts'
import type { Cell } from './cells.ts'

/**
 * The dashboard model in words: labels in the reader's language, published numbers
 * formatted for it. The page, the share page, the PDF and the CSV all start from here.
 */

/** Themes in the chart on paper (the themes are ordered by count): the general default list's twelve, with room to spare. */
const paperThemes = 12
/** Emerging themes on paper (the strongest growth first): each is a sentence of two lines, and seven pushed a crowded region's sheet onto a second page. */
const paperEmerging = 3

export interface Labels {
  theme: (id: number) => string
  breakdown: (key: BreakdownKey, value: string) => string
}

export function labelsFor(model: DashboardModel, lang: Language): Labels {
  const t = translator(lang)
  const themes = new Map(model.directory.themes.map((theme) => [theme.id, themeLabel(theme, lang)]))
  const partners = new Map(model.directory.partners.map((p) => [String(p.id), p.name]))
  const locations = new Map(model.directory.locations.map((l) => [String(l.id), l.name]))
  const activities = new Map(model.directory.activities.map((a) => [String(a.id), a.title]))
  return {
    theme: (id) => themes.get(id) ?? `#${id}`,
    breakdown: (key, value) => {
      if (key === 'partner') return partners.get(value) ?? value
      if (key === 'location') return locations.get(value) ?? value
      if (key === 'activity') return activities.get(value) ?? value
      if (key === 'audience') return t(`dashboard.audience.${value}` as MessageKey)
      return value === '' ? t('dashboard.age.none') : t(`step2.age.${value}` as MessageKey)
    },
  }
}

type Formatters = { integer: (n: number) => string; percent: (n: number | null) => string; decimal: (n: number | null) => string }

const formattersByLanguage = new Map<Language, Formatters>()

/**
 * Number formats of a language, made once per language: an Intl.NumberFormat costs more to
 * make than to use, and a large region's dashboard formats some 4,000 numbers (the age band
 * × location table alone is a cell per location and band), most of them the same few
 * small counts, so integers are also kept once formatted.
 */
export function formatters(lang: Language): Formatters {
  let found = formattersByLanguage.get(lang)
  if (found === undefined) {
    const locale = lang === 'en' ? 'en-GB' : `${lang}-BE`
    const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
    const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    const integers = new Map<number, string>()
    found = {
      integer: (n: number) => {
        let text = integers.get(n)
        if (text === undefined) {
          text = integer.format(n)
          if (integers.size >= 10_000) integers.clear()
          integers.set(n, text)
        }
        return text
      },
      percent: (n: number | null) => (n === null ? '–' : percent.format(n)),
      decimal: (n: number | null) => (n === null ? '–' : decimal.format(n)),
    }
    formattersByLanguage.set(lang, found)
  }
  return found
}

export interface DashboardView {
  t: Translate
  k: number
  periodText: string
  /** "up to and including <date>": the last day the figures count. */
  throughText: string
  headline: { label: string; value: string }[]
  weeks: { chart: string; rows: { week: string; monday: string; value: string }[] }
  themes: { chart: string; paper: { chart: string; more: string } | undefined; rows: { label: string; value: string; share: string }[] }
  emerging: string[]
  /** How many of `emerging` the paper shows, and what it says of the rest; undefined: all of them. */
  emergingPaper: { count: number; more: string } | undefined
  words: DashboardModel['text']
  breakdowns: { key: BreakdownKey; title: string; rows: { label: string; group?: string; value: string; triedNew: string; liked: string }[]; total: string }[]
  ageByLocation: { columns: string[]; rows: { label: string; cells: string[]; total: string }[]; columnTotals: string[]; total: string }
}

export function presentDashboard(model: DashboardModel, lang: Language): DashboardView {
  const t = translator(lang)
  const f = formatters(lang)
  const labels = labelsFor(model, lang)
  const k = model.k
  const show = (cell: Cell) => f.integer(cell.value)

  const headline = [
    { label: t('dashboard.headline.responses'), value: show(model.headline.responses) },
    { label: t('dashboard.headline.tried_new'), value: f.percent(model.headline.triedNewShare) },
    { label: t('dashboard.headline.tried_a_bit'), value: f.percent(model.headline.triedABitShare) },
    { label: t('dashboard.headline.liked'), value: f.decimal(model.headline.likedAverage) },
    { label: t('dashboard.headline.step2'), value: f.percent(model.headline.step2Share) },
  ]

  const weekBars = model.weeks.map((week) => ({ label: week.week.slice(5), cell: week.cell }))
  const weeks = {
    chart: columnChart('chart-weeks', weekBars, { title: t('dashboard.weeks.title'), description: t('dashboard.chart.numbers'), k, format: f.integer }),
    rows: model.weeks.map((week) => ({ week: week.week, monday: week.monday, value: show(week.cell) })),
  }

  const themeRows = model.themes.map((theme) => ({ label: labels.theme(theme.themeId), value: show(theme.cell), share: f.percent(theme.share) }))
  const themeBars = model.themes.map((theme) => ({ label: labels.theme(theme.themeId), cell: theme.cell }))
  const themeText = { title: t('dashboard.themes.title'), description: t('dashboard.chart.numbers'), k, format: f.integer }
  const themes = {
    chart: barChart('chart-themes', themeBars, themeText),
    // On paper the most asked themes only, as the breakdowns keep their top rows: a region
    // with the children's list beside the general one has some twenty themes, and their
    // chart alone pushed the sheet onto a second page.
    paper:
      themeBars.length > paperThemes
        ? { chart: barChart('chart-themes-paper', themeBars.slice(0, paperThemes), themeText), more: t('dashboard.print.more', { count: themeBars.length - paperThemes }) }
        : undefined,
    rows: themeRows,
  }

  const emerging = model.emerging.map((row) =>
    t('dashboard.emerging.because', {
      theme: labels.theme(row.themeId),
      current: show(row.current),
      currentTotal: show(row.currentTotal),
      previous: show(row.previous),
      previousTotal: show(row.previousTotal),
    }),
  )

  const breakdowns = model.breakdowns.map((breakdown) => ({
    key: breakdown.key,
    title: t(`dashboard.breakdown.${breakdown.key}` as MessageKey),
    rows: breakdown.rows.map((row) => ({
      label: labels.breakdown(breakdown.key, row.key),
      ...(row.groupKey ? { group: labels.breakdown('partner', row.groupKey) } : {}),
      value: show(row.cell),
      triedNew: f.percent(row.triedNewShare),
      liked: f.decimal(row.likedAverage),
    })),
    total: show(breakdown.total),
  }))

  const detail = model.ageByLocation
  const ageByLocation = {
    columns: detail.columns.map((band) => labels.breakdown('age_band', band)),
    rows: detail.rows.map((row) => ({
      label: labels.breakdown('location', String(row.locationId)),
      cells: row.cells.map(show),
      total: show(row.total),
    })),
    columnTotals: detail.columnTotals.map(show),
    total: show(detail.total),
  }

  return {
    t,
    k,
    periodText: t('dashboard.period.grid', {
      period: periodId(model.grid),
      from: model.period.from,
      to: model.period.to,
      previous: model.previousGrid ? periodId(model.previousGrid) : '–',
      previousFrom: model.previous.from,
      previousTo: model.previous.to,
    }),
    throughText: t('dashboard.period.through', { date: model.period.to }),
    headline,
    weeks,
    themes,
    emerging,
    emergingPaper: emerging.length > paperEmerging ? { count: paperEmerging, more: t('dashboard.print.more', { count: emerging.length - paperEmerging }) } : undefined,
    words: model.text,
    breakdowns,
    ageByLocation,
  }
}

/**
 * The dashboard as CSV (see src/http/csv.ts for the format), one row per figure:
 * section;item;from;to;count;share_percent;previous_count — ISO dates, published counts
 * (the same as on the page). The rows are built with these codes; the header, the
 * sections and the key figures' items are put in the export's language at the end
 * (csv-labels.ts).
 */
export function dashboardCsv(model: DashboardModel, lang: CsvLanguage, separator = ';'): string {
  const labels = labelsFor(model, lang)
  const count = (cell: Cell): CsvCell => csvNumber(cell.value)
  // Shares are whole percents already (cells.ts): the CSV says the same number as the page.
  const percent = (n: number | null): CsvCell => (n === null ? '' : csvNumber(Math.round(n * 100)))
  const rows: CsvCell[][] = [['section', 'item', 'from', 'to', 'count', 'share_percent', 'previous_count']]
  const { from, to } = model.period
  rows.push(['headline', 'responses', from, to, count(model.headline.responses), '', ''])
  rows.push(['headline', 'tried_new', from, to, '', percent(model.headline.triedNewShare), ''])
  rows.push(['headline', 'tried_a_bit', from, to, '', percent(model.headline.triedABitShare), ''])
  rows.push(['headline', 'step2', from, to, '', percent(model.headline.step2Share), ''])
  rows.push(['headline', 'liked_average', from, to, model.headline.likedAverage === null ? '' : csvNumber(model.headline.likedAverage, 2), '', ''])
  for (const week of model.weeks) {
    rows.push(['week', week.week, week.monday, addDays(week.monday, 6), count(week.cell), '', ''])
  }
  for (const theme of model.themes) rows.push(['theme', labels.theme(theme.themeId), from, to, count(theme.cell), percent(theme.share), ''])
  for (const row of model.emerging) {
    rows.push(['emerging', labels.theme(row.themeId), from, to, count(row.current), '', count(row.previous)])
  }
  for (const breakdown of model.breakdowns) {
    for (const row of breakdown.rows) {
      rows.push([breakdown.key, labels.breakdown(breakdown.key, row.key), from, to, count(row.cell), percent(row.triedNewShare), ''])
    }
  }
  const detail = model.ageByLocation
  detail.rows.forEach((row) => {
    detail.columns.forEach((band, index) => {
      const cell = row.cells[index]!
      rows.push([
        'age_band_by_location',
        `${labels.breakdown('location', String(row.locationId))} / ${labels.breakdown('age_band', band)}`,
        from,
        to,
        count(cell),
        '',
        '',
      ])
    })
  })
  return csvDocument(csvInLanguage(rows, lang), separator)
}
