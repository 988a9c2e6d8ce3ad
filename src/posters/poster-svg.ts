import { newPosterDocument, measureWith } from './poster-pdf.ts'
import { colors, type PageLayout, type PosterContent, posterPage, type PrintOptions, type Shape } from './poster-layout.ts'
import { quietZone, withQuietZone } from './qr-vector.ts'

/**
 * The SVG renderer: the same layout as the PDF (poster-layout.ts), drawn as an SVG for the
 * preview on the print page. Every text in it comes from people (activity and location
 * names are typed by partners) or catalogs: all of it goes through `escapeXml`, and the
 * document has no script, no link and no external reference.
 */

/** Text and attribute values for XML: `& < > " '` become entities. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!)
}

/** A number as an attribute: two decimals are a hundredth of a point, far below a printer dot. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100)
}

// The browser draws with whatever sans-serif it has; `textLength` stretches or squeezes each
// line to the width the poster font gives it, so the preview breaks and fits like the PDF.
const fontFamily = "'Noto Sans', 'DejaVu Sans', Arial, sans-serif"

function qrPath(shape: Extract<Shape, { kind: 'qr' }>): string {
  const module = shape.side / withQuietZone(shape.symbol)
  const left = shape.x + quietZone * module
  const top = shape.y + quietZone * module
  const d = shape.symbol.runs.map((run) => `M${n(left + run.column * module)} ${n(top + run.row * module)}h${n(run.length * module)}v${n(module)}h${n(-run.length * module)}z`).join('')
  // The quiet zone is painted white, so the code scans on a tinted background too.
  return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.side)}" height="${n(shape.side)}" fill="#fff"/><path fill="${colors.qr}" d="${d}"/>`
}

function render(shapes: readonly Shape[]): string {
  let out = ''
  for (const shape of shapes) {
    switch (shape.kind) {
      case 'rect':
        out += `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" fill="${escapeXml(shape.fill)}"/>`
        break
      case 'line':
        out += `<line x1="${n(shape.x1)}" y1="${n(shape.y1)}" x2="${n(shape.x2)}" y2="${n(shape.y2)}" stroke="${escapeXml(shape.color)}" stroke-width="${n(shape.width)}"${shape.dash !== undefined ? ` stroke-dasharray="${n(shape.dash)}"` : ''}/>`
        break
      case 'qr':
        out += qrPath(shape)
        break
      case 'text':
        out +=
          `<text x="${n(shape.x)}" y="${n(shape.baseline)}" font-size="${n(shape.size)}"${shape.weight === 'bold' ? ' font-weight="700"' : ''} fill="${escapeXml(shape.color)}"` +
          ` textLength="${n(shape.width)}" lengthAdjust="spacingAndGlyphs">${escapeXml(shape.text)}</text>`
        break
      case 'group': {
        const transforms = [shape.translate && `translate(${n(shape.translate.x)} ${n(shape.translate.y)})`, shape.turn && `rotate(180 ${n(shape.turn.x)} ${n(shape.turn.y)})`].filter(Boolean)
        out += `<g${transforms.length > 0 ? ` transform="${transforms.join(' ')}"` : ''}>${render(shape.shapes)}</g>`
        break
      }
    }
  }
  return out
}

/** A page layout as a stand-alone SVG document, in points, `title` as its accessible name. */
function pageSvg(page: PageLayout, title: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${n(page.width)}pt" height="${n(page.height)}pt" viewBox="0 0 ${n(page.width)} ${n(page.height)}" role="img" font-family="${escapeXml(fontFamily)}">` +
    `<title>${escapeXml(title)}</title>` +
    `<rect width="${n(page.width)}" height="${n(page.height)}" fill="#fff"/>` +
    render(page.shapes) +
    `</svg>\n`
  )
}

/** The first page of a poster as an SVG document: what the PDF's first page shows. */
export function posterSvg(poster: PosterContent, options: PrintOptions, title: string): string {
  // Measured with a PDF document's fonts, as the PDF is; the document is never written.
  const page = posterPage(poster, options, measureWith(newPosterDocument('')))
  return pageSvg(page, title)
}
