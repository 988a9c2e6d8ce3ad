import { type Cell, cellText } from './suppression.ts'

/**
 * Hand-written SVG charts, rendered on the server. No chart library: a bar chart is a few
 * rectangles, and writing them here keeps the page free of JavaScript and the numbers in
 * our hands — a hidden count is never drawn at its true height (that would reveal it),
 * only marked with its "< k" text. Every chart is paired with a table of its numbers in
 * the page, and carries a title and a description for screen readers.
 */

export function escapeXml(text: string): string {
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

/** Vertical bars over time (answers per week); every `labelEvery`-th bar is labelled. */
export function columnChart(id: string, bars: readonly Bar[], text: ChartText): string {
  const width = 720
  const height = 240
  const left = 48
  const right = 8
  const top = 12
  const bottom = 36
  const plotWidth = width - left - right
  const plotHeight = height - top - bottom
  const shownMax = Math.max(0, ...bars.filter((b) => b.cell.state === 'shown').map((b) => b.cell.value))
  const max = niceMax(Math.max(shownMax, text.k))
  const slot = bars.length > 0 ? plotWidth / bars.length : plotWidth
  const barWidth = Math.max(1, slot * 0.75)
  const labelEvery = Math.max(1, Math.ceil(bars.length / 12))
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">`,
    `<title id="${id}-title">${escapeXml(text.title)}</title><desc id="${id}-desc">${escapeXml(text.description)}</desc>`,
  )
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight - fraction * plotHeight
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#d8d4cc" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="${muted}">${escapeXml(text.format(max * fraction))}</text>`,
    )
  }
  bars.forEach((item, index) => {
    const x = left + index * slot + (slot - barWidth) / 2
    if (item.cell.state === 'shown') {
      const h = (item.cell.value / max) * plotHeight
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(top + plotHeight - h).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${bar}"><title>${escapeXml(`${item.label}: ${text.format(item.cell.value)}`)}</title></rect>`,
      )
    } else {
      // Hidden: a hatched stub of fixed height, never the real value.
      const label = cellText(item.cell, text.k)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${(top + plotHeight - 6).toFixed(1)}" width="${barWidth.toFixed(1)}" height="6" fill="none" stroke="${muted}" stroke-dasharray="2 2"><title>${escapeXml(`${item.label}: ${label}`)}</title></rect>`,
      )
    }
    if (index % labelEvery === 0) {
      parts.push(
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11" fill="${ink}">${escapeXml(item.label)}</text>`,
      )
    }
  })
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="${ink}" stroke-width="1"/>`, '</svg>')
  return parts.join('')
}

/** Horizontal bars with their labels (themes ranked). */
export function barChart(id: string, bars: readonly Bar[], text: ChartText): string {
  const width = 720
  const rowHeight = 26
  const labelWidth = 240
  const valueWidth = 64
  const height = Math.max(1, bars.length) * rowHeight + 8
  const plotWidth = width - labelWidth - valueWidth
  const shownMax = Math.max(0, ...bars.filter((b) => b.cell.state === 'shown').map((b) => b.cell.value))
  const max = Math.max(shownMax, text.k, 1)
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" class="chart">`,
    `<title id="${id}-title">${escapeXml(text.title)}</title><desc id="${id}-desc">${escapeXml(text.description)}</desc>`,
  ]
  bars.forEach((item, index) => {
    const y = 4 + index * rowHeight
    const label = item.label.length > 34 ? `${item.label.slice(0, 33)}…` : item.label
    parts.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" font-size="13" fill="${ink}">${escapeXml(label)}</text>`)
    const shown = item.cell.state === 'shown'
    const w = shown ? (item.cell.value / max) * plotWidth : 6
    parts.push(
      shown
        ? `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${bar}"/>`
        : `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="${rowHeight - 8}" fill="none" stroke="${muted}" stroke-dasharray="2 2"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 17}" font-size="13" fill="${ink}">${escapeXml(cellText(item.cell, text.k, text.format))}</text>`,
    )
  })
  parts.push('</svg>')
  return parts.join('')
}
