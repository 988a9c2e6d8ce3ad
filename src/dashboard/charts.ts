import type { Cell } from './cells.ts'

/**
 * Hand-written SVG charts, rendered on the server. No chart library: a bar chart is a few
 * rectangles, and writing them here keeps the page free of JavaScript and the numbers in
 * our hands — a hidden count is never drawn at its true height (that would reveal it),
 * only marked with its "< k" text. Every chart is paired with a table of its numbers in
 * the page, and carries a title and a description for screen readers.
 *
 * Each chart is drawn twice, in two sizes, and CSS shows one (views/dashboard/layout.eta).
 * An SVG scales its text with its width: the wide one (720 units) is right on a laptop,
 * but squeezed into a phone or into a printed column of 92 mm its labels shrank to about
 * 5 pt. The compact one is drawn in points for that column (260 units ≈ 92 mm, labels
 * 8.5 units ≈ 8.5 pt on paper, about 10 px on a 390 px phone). The hidden copy is
 * `display: none`, so a screen reader meets one chart, not two.
 */

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export interface Bar {
  label: string
  cell: Cell
}

interface ChartText {
  title: string
  description: string
  k: number
  format: (n: number) => string
}

/** A tidy upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(max: number): number {
  if (max <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(max))
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power
  return 10 * power
}

const ink = '#1b1b1b'
const bar = '#0b5a4a'
const muted = '#6b6b6b'

interface Size {
  width: number
  height: number
  left: number
  right: number
  top: number
  bottom: number
  /** Axis and bar labels, in SVG units. */
  font: number
  /** Room a week label needs. */
  labelRoom: number
}

const columnSizes: Record<'wide' | 'compact', Size> = {
  wide: { width: 720, height: 240, left: 48, right: 8, top: 12, bottom: 36, font: 12, labelRoom: 56 },
  compact: { width: 260, height: 118, left: 24, right: 2, top: 8, bottom: 16, font: 8.5, labelRoom: 24 },
}

function svgOpen(id: string, width: number, height: number, text: ChartText, size: 'wide' | 'compact'): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart chart-${size}">` +
    `<title id="${id}-title">${escapeXml(text.title)}</title><desc id="${id}-desc">${escapeXml(text.description)}</desc>`
  )
}

function drawColumns(id: string, bars: readonly Bar[], text: ChartText, name: 'wide' | 'compact'): string {
  const size = columnSizes[name]
  const { width, height, left, right, top, bottom } = size
  const plotWidth = width - left - right
  const plotHeight = height - top - bottom
  const shownMax = Math.max(0, ...bars.map((b) => b.cell.value))
  const max = niceMax(Math.max(shownMax, text.k))
  const slot = bars.length > 0 ? plotWidth / bars.length : plotWidth
  const barWidth = Math.max(1, slot * 0.75)
  const labelEvery = Math.max(1, Math.ceil(size.labelRoom / slot), Math.ceil(bars.length / 12))
  const parts: string[] = [svgOpen(id, width, height, text, name)]
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight - fraction * plotHeight
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#d8d4cc" stroke-width="1"/>`,
      `<text x="${left - size.font / 2}" y="${(y + size.font / 3).toFixed(1)}" text-anchor="end" font-size="${size.font}" fill="${muted}">${escapeXml(text.format(max * fraction))}</text>`,
    )
  }
  bars.forEach((item, index) => {
    const x = left + index * slot + (slot - barWidth) / 2
    const h = (item.cell.value / max) * plotHeight
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${bar}"><title>${escapeXml(`${item.label}: ${text.format(item.cell.value)}`)}</title></rect>`,
    )
    if (index % labelEvery === 0) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(height - bottom + size.font * 1.3).toFixed(1)}" text-anchor="middle" font-size="${size.font}" fill="${ink}">${escapeXml(item.label)}</text>`,
      )
    }
  })
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="${ink}" stroke-width="1"/>`, '</svg>')
  return parts.join('')
}

/** Vertical bars over time (answers per week), wide and compact; labels only where they fit. */
export function columnChart(id: string, bars: readonly Bar[], text: ChartText): string {
  return drawColumns(id, bars, text, 'wide') + drawColumns(`${id}-compact`, bars, text, 'compact')
}

const barSizes = {
  wide: { width: 720, rowHeight: 26, labelWidth: 240, valueWidth: 64, font: 13, chars: 34 },
  compact: { width: 260, rowHeight: 13, labelWidth: 136, valueWidth: 34, font: 8.5, chars: 25 },
} as const

function drawBars(id: string, bars: readonly Bar[], text: ChartText, name: 'wide' | 'compact'): string {
  const { width, rowHeight, labelWidth, valueWidth, font, chars } = barSizes[name]
  const height = Math.max(1, bars.length) * rowHeight + rowHeight / 3
  const plotWidth = width - labelWidth - valueWidth
  const shownMax = Math.max(0, ...bars.map((b) => b.cell.value))
  const max = Math.max(shownMax, text.k, 1)
  const gap = rowHeight / 6
  const parts: string[] = [svgOpen(id, width, height, text, name)]
  bars.forEach((item, index) => {
    const y = rowHeight / 6 + index * rowHeight
    const baseline = (y + rowHeight * 0.65).toFixed(1)
    const label = item.label.length > chars ? `${item.label.slice(0, chars - 1)}…` : item.label
    parts.push(`<text x="${labelWidth - font / 2}" y="${baseline}" text-anchor="end" font-size="${font}" fill="${ink}">${escapeXml(label)}</text>`)
    const w = (item.cell.value / max) * plotWidth
    parts.push(
      `<rect x="${labelWidth}" y="${(y + gap).toFixed(1)}" width="${w.toFixed(1)}" height="${(rowHeight - 2 * gap).toFixed(1)}" fill="${bar}"/>`,
      `<text x="${(labelWidth + w + font / 2).toFixed(1)}" y="${baseline}" font-size="${font}" fill="${ink}">${escapeXml(text.format(item.cell.value))}</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('')
}

/** Horizontal bars with their labels (themes ranked), wide and compact. */
export function barChart(id: string, bars: readonly Bar[], text: ChartText): string {
  return drawBars(id, bars, text, 'wide') + drawBars(`${id}-compact`, bars, text, 'compact')
}
