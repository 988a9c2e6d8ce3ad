import type { Language, MessageKey, Translate } from '../i18n/i18n.ts'
import { translator } from '../i18n/i18n.ts'
import { themeLabel } from '../themes/queries.ts'
import { barChart, columnChart } from './charts.ts'
import type { BreakdownKey, DashboardModel } from './dashboard.ts'
import { addDays } from './period.ts'
import { type Cell, cellText } from './suppression.ts'

/**
 * The dashboard model in words: labels in the reader's language, numbers formatted for
 * it, hidden cells as "< k" or "•". The page and the CSV both start from here.
 */

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

export function formatters(lang: Language) {
  const locale = lang === 'en' ? 'en-GB' : `${lang}-BE`
  const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
  const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
  return {
    integer: (n: number) => integer.format(n),
    percent: (n: number | null) => (n === null ? '–' : percent.format(n)),
    decimal: (n: number | null) => (n === null ? '–' : decimal.format(n)),
  }
}

export interface DashboardView {
  t: Translate
  k: number
  periodText: string
  headline: { label: string; value: string }[]
  weeks: { chart: string; rows: { week: string; monday: string; value: string }[]; withheld: boolean }
  themes: { chart: string; rows: { label: string; value: string; share: string }[] }
  emerging: string[]
  words: DashboardModel['text']
  breakdowns: { key: BreakdownKey; title: string; rows: { label: string; group?: string; value: string; triedNew: string; liked: string }[]; total: string; withheld: boolean }[]
  ageByLocation: { k: number; columns: string[]; rows: { label: string; cells: string[]; total: string }[]; columnTotals: string[]; total: string; withheld: boolean }
}

export function presentDashboard(model: DashboardModel, lang: Language): DashboardView {
  const t = translator(lang)
  const f = formatters(lang)
  const labels = labelsFor(model, lang)
  const k = model.k
  const show = (cell: Cell, kk = k) => cellText(cell, kk, f.integer)

  const headline = [
    { label: t('dashboard.headline.responses'), value: show(model.headline.responses) },
    { label: t('dashboard.headline.tried_new'), value: f.percent(model.headline.triedNewShare) },
    { label: t('dashboard.headline.tried_a_bit'), value: f.percent(model.headline.triedABitShare) },
    { label: t('dashboard.headline.liked'), value: f.decimal(model.headline.likedAverage) },
    { label: t('dashboard.headline.step2'), value: f.percent(model.headline.step2Share) },
  ]

  const weekBars = model.weeks.map((week) => ({ label: week.week.slice(5), cell: week.cell }))
  const weeks = {
    chart: model.weeksWithheld
      ? ''
      : columnChart('chart-weeks', weekBars, { title: t('dashboard.weeks.title'), description: t('dashboard.chart.numbers'), k, format: f.integer }),
    rows: model.weeks.map((week) => ({ week: week.week, monday: week.monday, value: show(week.cell) })),
    withheld: model.weeksWithheld,
  }

  const themeRows = model.themes.map((theme) => ({ label: labels.theme(theme.themeId), value: show(theme.cell), share: f.percent(theme.share) }))
  const themes = {
    chart: barChart(
      'chart-themes',
      model.themes.map((theme) => ({ label: labels.theme(theme.themeId), cell: theme.cell })),
      { title: t('dashboard.themes.title'), description: t('dashboard.chart.numbers'), k, format: f.integer },
    ),
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
    withheld: breakdown.withheld,
  }))

  const detail = model.ageByLocation
  const ageByLocation = {
    k: detail.k,
    columns: detail.columns.map((band) => labels.breakdown('age_band', band)),
    rows: detail.rows.map((row) => ({
      label: labels.breakdown('location', String(row.locationId)),
      cells: row.cells.map((cell) => show(cell, cell.k ?? detail.k)),
      total: show(row.total, row.total.k ?? detail.k),
    })),
    columnTotals: detail.columnTotals.map((cell) => show(cell, cell.k ?? detail.k)),
    total: show(detail.total, detail.total.k ?? detail.k),
    withheld: detail.withheld,
  }

  return {
    t,
    k,
    periodText: t('dashboard.period.range', { from: model.period.from, to: model.period.to, previousFrom: model.previous.from, previousTo: model.previous.to }),
    headline,
    weeks,
    themes,
    emerging,
    words: model.text,
    breakdowns,
    ageByLocation,
  }
}

/**
 * CSV for spreadsheets as Belgian offices use them: UTF-8 with a byte order mark (or
 * Excel guesses the encoding wrong), `;` between fields (the comma is the decimal sign
 * here), ISO dates, decimals with a comma. One row per figure:
 * section;item;from;to;count;share_percent;previous_count — hidden counts stay hidden.
 */
export function dashboardCsv(model: DashboardModel, lang: Language, separator = ';'): string {
  const labels = labelsFor(model, lang)
  const k = model.k
  const decimal = (n: number | null) => (n === null ? '' : (Math.round(n * 1000) / 10).toFixed(1).replace('.', separator === ';' ? ',' : '.'))
  const rows: string[][] = [['section', 'item', 'from', 'to', 'count', 'share_percent', 'previous_count']]
  const { from, to } = model.period
  rows.push(['headline', 'responses', from, to, cellText(model.headline.responses, k), '', ''])
  rows.push(['headline', 'tried_new', from, to, '', decimal(model.headline.triedNewShare), ''])
  rows.push(['headline', 'tried_a_bit', from, to, '', decimal(model.headline.triedABitShare), ''])
  rows.push(['headline', 'step2', from, to, '', decimal(model.headline.step2Share), ''])
  rows.push(['headline', 'liked_average', from, to, model.headline.likedAverage === null ? '' : model.headline.likedAverage.toFixed(2).replace('.', separator === ';' ? ',' : '.'), '', ''])
  for (const week of model.weeks) {
    rows.push(['week', week.week, week.monday, addDays(week.monday, 6), model.weeksWithheld ? '•' : cellText(week.cell, k), '', ''])
  }
  for (const theme of model.themes) rows.push(['theme', labels.theme(theme.themeId), from, to, cellText(theme.cell, k), decimal(theme.share), ''])
  for (const row of model.emerging) {
    rows.push(['emerging', labels.theme(row.themeId), from, to, cellText(row.current, k), '', cellText(row.previous, k)])
  }
  for (const breakdown of model.breakdowns) {
    for (const row of breakdown.rows) {
      rows.push([breakdown.key, labels.breakdown(breakdown.key, row.key), from, to, breakdown.withheld ? '•' : cellText(row.cell, k), decimal(row.triedNewShare), ''])
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
        detail.withheld ? '•' : cellText(cell, cell.k ?? detail.k),
        '',
        '',
      ])
    })
  })
  return `\uFEFF${rows.map((row) => row.map((field) => csvField(field, separator)).join(separator)).join('\r\n')}\r\n`
}

/**
 * Quotes a field when it needs it, and defuses text a spreadsheet would run as a
 * formula (a location called "=HYPERLINK(…)").
 */
function csvField(value: string, separator: string): string {
  let text = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value
  if (text.includes(separator) || /["\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`
  return text
}
