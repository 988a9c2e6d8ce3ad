import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { type Language, type MessageKey, type Translate, translator } from '../i18n/i18n.ts'
import { documentBuffer } from '../pdf/document.ts'
import { posterFont, printable, type PosterFont } from '../pdf/fonts.ts'
import { a4, a4Sheet, accent, addSheetPage, type Face, ink, sheetWriter, type SheetWriter, soft } from '../pdf/sheet.ts'
import type { DashboardModel } from './dashboard.ts'
import type { ParsedFilters } from './filters.ts'
import type { DashboardView } from './presentation.ts'
import type { RegionDirectory } from './queries.ts'
import type { ReportBack } from './report-back.ts'

/**
 * The report as a PDF made on the server (one sheet, two sides), for partners and the local council
 * (people who get a file by e-mail, not a link). It draws the same `DashboardView` the
 * page shows — every count already formatted and suppressed ("< k", "•") by
 * presentation.ts — so the PDF cannot show a number the page does not. The only raw
 * numbers it reads from the model are the heights of the weekly bars, and only for
 * weeks the page shows too (a hidden week is a dashed stub of fixed height, as in the SVG).
 *
 * What it leaves out, on purpose: word lists and anything else from free text (a PDF is
 * forwarded further than a link), the number tables behind the charts (the bars carry
 * their numbers), and the age × location table (a second threshold and eight columns do
 * not fit a column of an A4 sheet; it stays on the page and in the CSV).
 *
 * Layout: A4 portrait, everything placed at absolute positions inside fixed bands, and
 * every list cut to the room it has ("and 4 more"), so the report is one sheet, two sides,
 * whatever the data: the dashboard on the front, "what we learned and what we did"
 * (report-back.ts) on the back. The text is set in Noto Sans (src/pdf/fonts.ts): Latin, Greek and
 * Cyrillic. A name in a script the font lacks (Arabic, Ge'ez…) loses those characters;
 * a name left empty by that is printed as a placeholder sentence instead of blank boxes.
 */

/** The slice of the page's view the report draws: what a share link may show, nothing more. */
export type ReportView = Pick<DashboardView, 'k' | 'periodText' | 'headline' | 'weeks' | 'themes' | 'emerging' | 'breakdowns'>

export interface ReportInput {
  model: DashboardModel
  view: ReportView
  lang: Language
  /** The page's own title ("Dashboard Regio Limburg", "Cijfers van Regio Limburg"). */
  title: string
  /** The period by name ("Laatste kwartaal"). */
  periodName: string
  /** The filters in words, one per item ("Partner: CVO Limburg"); empty for none. */
  filters: string[]
  /** For a partner member: whose answers these are. */
  scopeNote?: string
  generatedAt: Date
  /** The back side ("what we learned and what we did", report-back.ts); null when the grid has no complete period yet. */
  back?: ReportBack | null
  font?: PosterFont
}

const pageWidth = a4.width
const pageHeight = a4.height
const margin = 40
const contentWidth = pageWidth - 2 * margin
const gutter = 18
const columnWidth = (contentWidth - gutter) / 2
const rule = '#d8d4cc'

interface Writer extends SheetWriter {
  t: Translate
}

function writer(doc: PDFKit.PDFDocument, t: Translate, font: PosterFont): Writer {
  const clean = (text: string) => {
    // Noto Sans has no mathematical operators; the explanation of "emerging" uses one.
    const kept = printable(text.replace(/≥/g, '>=').replace(/≤/g, '<='), font)
    return kept === '' && text.trim() !== '' ? printable(t('dashboard.pdf.unprintable'), font) : kept
  }
  return { ...sheetWriter(doc, clean), t }
}

function heading(w: Writer, text: string, x: number, y: number, width: number): number {
  w.line(text, x, y, width, 10.5, { face: 'bold', color: accent })
  return 15
}

/** Key figures in one row of five. */
function drawHeadline(w: Writer, view: ReportView, y: number): number {
  const count = view.headline.length
  const cell = contentWidth / count
  view.headline.forEach((figure, index) => {
    const x = margin + index * cell
    w.doc.rect(x, y, 2.5, 40).fill(accent)
    w.line(figure.value, x + 8, y, cell - 12, 18, { face: 'bold' })
    w.paragraph(figure.label, x + 8, y + 22, cell - 12, 7.5, 2, { color: soft })
  })
  return 48
}

/** A tidy upper bound for the axis: 1, 2 or 5 times a power of ten (as charts.ts). */
function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

/** Answers per week as vector bars, each its published count. */
function drawWeeks(w: Writer, model: DashboardModel, view: ReportView, x: number, y: number, width: number, height: number): number {
  const { doc } = w
  const k = view.k
  const axis = 26
  const top = 10
  const bottom = 14
  const plotX = x + axis
  const plotWidth = width - axis
  const plotHeight = height - top - bottom
  const base = y + top + plotHeight
  const shown = model.weeks.map((week) => week.cell.value)
  const max = niceMax(Math.max(k, ...shown))
  for (const fraction of [0, 0.5, 1]) {
    const lineY = base - fraction * plotHeight
    doc.moveTo(plotX, lineY).lineTo(x + width, lineY).lineWidth(0.5).strokeColor(fraction === 0 ? ink : rule).stroke()
    w.line(String(max * fraction), x, lineY - 3.5, axis - 4, 7, { color: soft, align: 'right' })
  }
  const bars = model.weeks.length
  const slot = plotWidth / Math.max(1, bars)
  const barWidth = Math.max(1, slot * 0.72)
  // Labels and values only where they have room (a year has 53 weeks).
  const labelEvery = Math.max(1, Math.ceil(22 / slot))
  const valuesFit = slot >= 16
  model.weeks.forEach((week, index) => {
    const barX = plotX + index * slot + (slot - barWidth) / 2
    const text = view.weeks.rows[index]!.value
    const h = (week.cell.value / max) * plotHeight
    if (h > 0) doc.rect(barX, base - h, barWidth, h).fill(accent)
    if (valuesFit) w.line(text, barX - 4, base - h - 9, barWidth + 8, 7, { align: 'center' })
    if (index % labelEvery === 0) w.line(week.week.slice(5), barX - 6, base + 3, barWidth + 12, 7, { align: 'center' })
  })
  return height
}

/** Themes ranked: label, a bar, the published count as text. */
function drawThemes(w: Writer, model: DashboardModel, view: ReportView, x: number, y: number, width: number, maxHeight: number): number {
  const { doc, t } = w
  if (view.themes.rows.length === 0) return w.paragraph(t('dashboard.themes.none'), x, y, width, 8.5, 3)
  const rowHeight = 13
  const labelWidth = width * 0.48
  const valueWidth = 52
  const barSpace = width - labelWidth - valueWidth - 8
  const shownMax = Math.max(view.k, ...model.themes.map((theme) => theme.cell.value))
  const room = Math.max(1, Math.floor(maxHeight / rowHeight))
  const rows = view.themes.rows
  const fits = rows.length <= room ? rows.length : room - 1
  for (let index = 0; index < fits; index++) {
    const row = rows[index]!
    const cell = model.themes[index]!.cell
    const rowY = y + index * rowHeight
    w.line(row.label, x, rowY + 1.5, labelWidth - 4, 8.5)
    const barX = x + labelWidth
    const barW = Math.max(0.5, (cell.value / shownMax) * barSpace)
    doc.rect(barX, rowY + 2, barW, rowHeight - 5).fill(accent)
    const end = barX + barW
    const share = row.share === '–' ? '' : ` (${row.share})`
    w.line(`${row.value}${share}`, end + 4, rowY + 1.5, valueWidth + barSpace - (end - barX), 8.5, { face: 'bold' })
  }
  if (fits < rows.length) w.line(t('dashboard.pdf.more', { count: String(rows.length - fits) }), x, y + fits * rowHeight + 1.5, width, 8, { color: soft })
  return Math.min(rows.length, room) * rowHeight
}

function drawEmerging(w: Writer, view: ReportView, x: number, y: number, width: number, maxHeight: number): number {
  const { t } = w
  let used = 0
  if (view.emerging.length === 0) {
    used += w.paragraph(t('dashboard.emerging.none'), x, y, width, 8.5, 3) + 4
  } else {
    for (const sentence of view.emerging) {
      if (used + 24 > maxHeight) break
      w.doc.circle(x + 2, y + used + 5.5, 1.4).fill(ink)
      used += w.paragraph(sentence, x + 8, y + used, width - 8, 8.5, 3) + 4
    }
  }
  if (used + 28 <= maxHeight) used += w.paragraph(t('dashboard.emerging.how', { k: String(view.k) }), x, y + used, width, 7, 4, { color: soft }) + 2
  return used
}

type Breakdown = ReportView['breakdowns'][number]

const breakdownRowHeight = 11

/** The height a breakdown table needs for `rows` rows (heading, column names, rows, total, gap). */
function breakdownHeight(rows: number): number {
  return 15 + breakdownRowHeight * (rows + 2) + 6
}

function drawBreakdown(w: Writer, breakdown: Breakdown, x: number, y: number, width: number, maxHeight: number): number {
  const { doc, t } = w
  let used = heading(w, breakdown.title, x, y, width)
  const numbers = [46, 46, 42]
  const nameWidth = width - numbers.reduce((a, b) => a + b, 0)
  const columns = (cells: string[], rowY: number, options: { face?: Face; color?: string; size?: number } = {}) => {
    const size = options.size ?? 8
    w.line(cells[0]!, x, rowY, nameWidth - 4, size, options)
    let at = x + nameWidth
    numbers.forEach((cw, index) => {
      w.line(cells[index + 1]!, at + 2, rowY, cw - 2, size, { ...options, align: 'right' })
      at += cw
    })
  }
  columns([t('dashboard.breakdown.name'), t('dashboard.breakdown.responses'), t('dashboard.breakdown.tried_new'), t('dashboard.pdf.liked_short')], y + used + 1, { color: soft, size: 7 })
  used += breakdownRowHeight
  doc.moveTo(x, y + used - 0.5).lineTo(x + width, y + used - 0.5).lineWidth(0.5).strokeColor(rule).stroke()
  used += 1.5
  const room = Math.max(1, Math.floor((maxHeight - used - breakdownRowHeight - 4.5 + 0.01) / breakdownRowHeight))
  // When not every row fits, rows with no answers give way first; the page has them all.
  const rows = breakdown.rows.length <= room ? breakdown.rows : [...breakdown.rows.filter((row) => row.value !== '0'), ...breakdown.rows.filter((row) => row.value === '0')]
  const fits = rows.length <= room ? rows.length : room - 1
  for (let index = 0; index < fits; index++) {
    const row = rows[index]!
    columns([row.group ? `${row.label} (${row.group})` : row.label, row.value, row.triedNew, row.liked], y + used)
    used += breakdownRowHeight
  }
  if (fits < rows.length) {
    w.line(t('dashboard.pdf.more', { count: String(rows.length - fits) }), x, y + used, width, 8, { color: soft })
    used += breakdownRowHeight
  }
  doc.moveTo(x, y + used + 0.5).lineTo(x + width, y + used + 0.5).lineWidth(0.5).strokeColor(rule).stroke()
  used += 2
  columns([t('dashboard.breakdown.total'), breakdown.total, '', ''], y + used, { face: 'bold' })
  return used + breakdownRowHeight + 2.5
}

/** Draws the report on one A4 sheet (the back side when `back` is given) and returns the PDF. */
export function reportPdf(input: ReportInput): Promise<Buffer> {
  const font = input.font ?? posterFont
  const t = translator(input.lang)
  const doc = a4Sheet({ title: input.title, lang: input.lang, generatedAt: input.generatedAt, font })
  const w = writer(doc, t, font)
  const { view, model } = input

  // Band 1: who, when, which slice.
  let y = margin
  w.line(t('app.name'), margin, y, contentWidth, 9, { face: 'bold', color: accent })
  y += 13
  w.line(input.title, margin, y, contentWidth, 17, { face: 'bold' })
  y += 24
  y += w.paragraph(`${input.periodName}: ${view.periodText}`, margin, y, contentWidth, 9, 2, { color: soft }) + 2
  const filters = input.filters.length === 0 ? t('dashboard.pdf.no_filters') : t('dashboard.pdf.filters', { filters: input.filters.join(' · ') })
  y += w.paragraph(filters, margin, y, contentWidth, 9, 2, { color: soft }) + 2
  if (input.scopeNote) y += w.paragraph(input.scopeNote, margin, y, contentWidth, 9, 2, { color: soft }) + 2
  y += 8

  // Band 2: key figures.
  y += drawHeadline(w, view, y) + 10

  // Band 3: weeks and emerging themes on the left, themes ranked on the right.
  const footerTop = pageHeight - margin - 30
  const leftX = margin
  const rightX = margin + columnWidth + gutter
  let left = y
  left += heading(w, t('dashboard.weeks.title'), leftX, left, columnWidth)
  left += drawWeeks(w, model, view, leftX, left, columnWidth, 118) + 10
  left += heading(w, t('dashboard.emerging.title'), leftX, left, columnWidth)
  left += drawEmerging(w, view, leftX, left, columnWidth, 130) + 8
  let right = y
  right += heading(w, t('dashboard.themes.title'), rightX, right, columnWidth)
  right += drawThemes(w, model, view, rightX, right, columnWidth, 16 * 13) + 10

  // Band 4: breakdowns, each into the column with more room left, cut to what fits.
  for (const breakdown of view.breakdowns) {
    const useLeft = left <= right
    const top = useLeft ? left : right
    const room = footerTop - 6 - top
    const wanted = breakdownHeight(breakdown.rows.length)
    if (room < Math.min(wanted, breakdownHeight(1))) continue
    const used = drawBreakdown(w, breakdown, useLeft ? leftX : rightX, top, columnWidth, Math.min(wanted, room))
    if (useLeft) left += used
    else right += used
  }

  drawFooter(w, input, footerTop)
  if (input.back !== undefined) {
    addSheetPage(doc)
    drawBack(w, input, input.back)
    drawFooter(w, input, footerTop)
  }
  return documentBuffer(doc)
}

/** Footer: when, and what "< k" means. */
function drawFooter(w: Writer, input: ReportInput, footerTop: number): void {
  const { doc, t } = w
  const k = String(input.view.k)
  doc.moveTo(margin, footerTop).lineTo(margin + contentWidth, footerTop).lineWidth(0.5).strokeColor(rule).stroke()
  const generated = input.generatedAt.toISOString().slice(0, 16).replace('T', ' ')
  w.line(t('dashboard.pdf.footer', { date: `${generated} UTC`, k }), margin, footerTop + 5, contentWidth, 7.5, { color: soft })
  w.paragraph(t('dashboard.legend', { k }), margin, footerTop + 15, contentWidth, 7, 2, { color: soft })
}

/** A small table: a name column and right-aligned number columns, with column names; cut to `rows` rows. */
function drawTable(w: Writer, header: string[], rows: string[][], x: number, y: number, width: number, numberWidths: number[], room: number): number {
  const { doc, t } = w
  const nameWidth = width - numberWidths.reduce((a, b) => a + b, 0)
  const columns = (cells: string[], rowY: number, options: { face?: Face; color?: string; size?: number } = {}) => {
    const size = options.size ?? 8.5
    w.line(cells[0]!, x, rowY, nameWidth - 4, size, options)
    let at = x + nameWidth
    numberWidths.forEach((cw, index) => {
      w.line(cells[index + 1]!, at + 2, rowY, cw - 2, size, { ...options, align: 'right' })
      at += cw
    })
  }
  const rowHeight = 12.5
  columns(header, y + 1, { color: soft, size: 7 })
  let used = breakdownRowHeight
  doc.moveTo(x, y + used - 0.5).lineTo(x + width, y + used - 0.5).lineWidth(0.5).strokeColor(rule).stroke()
  used += 2
  const fits = rows.length <= room ? rows.length : room - 1
  for (let index = 0; index < fits; index++) {
    columns(rows[index]!, y + used)
    used += rowHeight
  }
  if (fits < rows.length) {
    w.line(t('dashboard.pdf.more', { count: String(rows.length - fits) }), x, y + used, width, 8, { color: soft })
    used += rowHeight
  }
  return used
}

/**
 * The back side: the period it covers, then the top needs and the gaps (left), what changed
 * against a year before and what the follow-up reached (right), and across the foot the
 * region's updates, newest first, as many as fit.
 */
function drawBack(w: Writer, input: ReportInput, back: ReportBack | null): void {
  const { t } = w
  const k = String(input.view.k)
  let y = margin
  w.line(t('app.name'), margin, y, contentWidth, 9, { face: 'bold', color: accent })
  y += 13
  w.line(t('dashboard.pdf.back.title'), margin, y, contentWidth, 17, { face: 'bold' })
  y += 24
  if (back === null) {
    w.paragraph(t('dashboard.pdf.back.no_period'), margin, y, contentWidth, 9, 3)
    return
  }
  const periodText = t(back.earlier ? 'dashboard.pdf.back.period_earlier' : 'dashboard.pdf.back.period', { period: back.periodId, from: back.range.from, to: back.range.to })
  const compared = back.yearBeforeId === null ? t('dashboard.pdf.back.no_year_before') : t('dashboard.pdf.back.year_before', { period: back.yearBeforeId })
  y += w.paragraph(`${periodText} ${compared}`, margin, y, contentWidth, 9, 3, { color: soft }) + 2
  if (input.scopeNote) y += w.paragraph(input.scopeNote, margin, y, contentWidth, 9, 2, { color: soft }) + 2
  y += 10

  const leftX = margin
  const rightX = margin + columnWidth + gutter
  let left = y
  left += heading(w, t('dashboard.pdf.back.needs'), leftX, left, columnWidth)
  if (back.needs.length === 0) left += w.paragraph(t('dashboard.pdf.back.needs_none'), leftX, left, columnWidth, 8.5, 3) + 6
  else {
    const rows = back.needs.map((need) => [need.label, String(need.demand), need.share, need.yearBefore])
    left += drawTable(w, [t('dashboard.pdf.back.col.theme'), t('dashboard.pdf.back.col.answers'), t('dashboard.pdf.back.col.share'), t('dashboard.pdf.back.col.year_before')], rows, leftX, left, columnWidth, [44, 44, 50], 8) + 10
  }
  left += heading(w, t('dashboard.pdf.back.gaps'), leftX, left, columnWidth)
  left += w.paragraph(t('dashboard.pdf.back.gaps_how', { k, from: back.supplyWindow.from, to: back.supplyWindow.to }), leftX, left, columnWidth, 7, 3, { color: soft }) + 4
  if (back.gaps.length === 0) left += w.paragraph(t('dashboard.pdf.back.gaps_none'), leftX, left, columnWidth, 8.5, 3) + 6
  else {
    const rows = back.gaps.map((gap) => [gap.label, String(gap.demand), gap.pressure])
    left += drawTable(w, [t('dashboard.pdf.back.col.theme'), t('dashboard.pdf.back.col.answers'), t('dashboard.pdf.back.col.requests')], rows, leftX, left, columnWidth, [44, 70], 8) + 10
  }

  let right = y
  right += heading(w, t('dashboard.pdf.back.change'), rightX, right, columnWidth)
  const changeRows = back.change.map((row) => [row.label, row.now, row.yearBefore])
  right += drawTable(w, ['', back.periodId, back.yearBeforeId ?? t('dashboard.pdf.back.col.year_before')], changeRows, rightX, right, columnWidth, [56, 56], 6) + 10
  right += heading(w, t('dashboard.pdf.back.followup'), rightX, right, columnWidth)
  const followRows = [...back.outcomes.map((outcome) => [t(`digest.outcome.${outcome.kind}`), String(outcome.count)]), [t('digest.did.paths'), String(back.pathsNextStep)]]
  right += drawTable(w, ['', t('dashboard.pdf.back.col.count')], followRows, rightX, right, columnWidth, [56], 8)
  right += w.paragraph(t('dashboard.pdf.back.followup_how'), rightX, right + 2, columnWidth, 7, 3, { color: soft }) + 12

  // The updates, across the page, below the taller column.
  const footerTop = pageHeight - margin - 30
  let top = Math.max(left, right) + 4
  heading(w, t('dashboard.pdf.back.updates'), margin, top, contentWidth)
  top += 15
  if (back.updates.length === 0) {
    w.paragraph(t('dashboard.pdf.back.updates_none'), margin, top, contentWidth, 8.5, 2)
    return
  }
  let shown = 0
  for (const update of back.updates) {
    // Each update needs its date line and at least one line of text, and room for "and N more" below.
    if (top + 32 > footerTop - 14) break
    w.line(update.theme === null ? update.day : `${update.day} · ${update.theme}`, margin, top, contentWidth, 8, { face: 'bold', color: soft })
    top += 11
    const lines = Math.max(1, Math.min(3, Math.floor((footerTop - 14 - top) / 11)))
    top += w.paragraph(update.body, margin, top, contentWidth, 8.5, lines) + 6
    shown++
  }
  if (shown < back.updates.length) w.line(t('dashboard.pdf.more', { count: String(back.updates.length - shown) }), margin, top, contentWidth, 8, { color: soft })
}

/** The filters of a dashboard URL in words, for the report's heading. */
export function filtersInWords(parsed: ParsedFilters, directory: RegionDirectory, t: Translate): string[] {
  const words: string[] = []
  const name = (key: 'partner' | 'location' | 'activity' | 'audience' | 'age' | 'assisted', value: string) =>
    words.push(`${t(`dashboard.filter.${key}` as MessageKey)}: ${value}`)
  const { filters } = parsed
  if (filters.partnerId !== undefined) name('partner', directory.partners.find((p) => p.id === filters.partnerId)?.name ?? '')
  if (filters.locationId !== undefined) name('location', directory.locations.find((l) => l.id === filters.locationId)?.name ?? '')
  if (filters.activityId !== undefined) name('activity', directory.activities.find((a) => a.id === filters.activityId)?.title ?? '')
  if (filters.audience !== undefined) name('audience', t(`dashboard.audience.${filters.audience}` as MessageKey))
  if (filters.ageBand !== undefined) name('age', t(`step2.age.${filters.ageBand}` as MessageKey))
  if (filters.assisted !== undefined) name('assisted', t(`dashboard.assisted.${filters.assisted}`))
  return words
}

/** The region's slug, for the file name (the directory does not carry it). */
export async function regionSlug(db: Kysely<Database>, regionId: number): Promise<string> {
  const row = await db.selectFrom('regions').select('slug').where('id', '=', regionId).executeTakeFirst()
  return row?.slug ?? String(regionId)
}

/** `leervraag-<region-slug>-<from>-<to>.pdf`; the slug is checked again so the header cannot break. */
export function reportFileName(slug: string, model: DashboardModel): string {
  const safe = slug.replace(/[^a-z0-9-]/gi, '') || 'regio'
  return `leervraag-${safe}-${model.period.from}-${model.period.to}.pdf`
}
