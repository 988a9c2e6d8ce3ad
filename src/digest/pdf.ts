import { disclosureTerms } from '../answers/index.ts'
import type { Language, Translate } from '../i18n/i18n.ts'
import { documentBuffer } from '../pdf/document.ts'
import { posterFont, printable, type PosterFont } from '../pdf/fonts.ts'
import { a4, a4Sheet, accent, type Face, sheetWriter, soft } from '../pdf/sheet.ts'
import { type Digest, outcomeKinds } from './digest.ts'

/**
 * The digest as a one-page PDF, for a partner who forwards it or prints it for a meeting.
 * It draws the same `Digest` the page shows and nothing else (no figure of its own), at
 * absolute positions in fixed bands (src/pdf/sheet.ts), with each list cut to the room it
 * has, so it is one A4 page whatever the data. Text in Noto Sans (src/pdf/fonts.ts), as the
 * dashboard report.
 */

const margin = 48
const contentWidth = a4.width - 2 * margin

export interface DigestPdfInput {
  digest: Digest
  title: string
  lang: Language
  t: Translate
  generatedAt: Date
  font?: PosterFont
}

export async function digestPdf(input: DigestPdfInput): Promise<Buffer> {
  const font = input.font ?? posterFont
  const { digest: d, t } = input
  const w = sheetWriter(a4Sheet({ title: input.title, lang: input.lang, generatedAt: input.generatedAt, font }), (text) => printable(text, font))
  let y = margin
  // One line, never wrapped: wrapping is what would start a second page.
  const line = (text: string, size: number, options: { face?: Face; color?: string; x?: number; width?: number } = {}) =>
    w.line(text, options.x ?? margin, y, options.width ?? contentWidth, size, options)
  const paragraph = (text: string, size: number, maxLines: number) => {
    y += w.paragraph(text, margin, y, contentWidth, size, maxLines, { color: soft }) + 8
  }
  const figure = (label: string, value: number) => {
    line(label, 10, { width: contentWidth - 80 })
    line(String(value), 10, { face: 'bold', x: margin + contentWidth - 70, width: 70 })
    y += 15
  }
  const heading = (text: string) => {
    y += 8
    line(text, 12.5, { face: 'bold', color: accent })
    y += 20
  }

  line(input.title, 17, { face: 'bold' })
  y += 26
  paragraph(t('digest.intro', { from: d.range.from, to: d.range.to }), 9.5, 2)
  paragraph(t('digest.rule', disclosureTerms), 8, 3)

  heading(t('digest.asked'))
  if (d.answers === null) paragraph(t('digest.asked.withheld'), 9.5, 2)
  else {
    figure(t('digest.answers'), d.answers)
    y += 4
    line(t('digest.themes.top'), 10, { face: 'bold' })
    y += 15
    if (d.topThemes.length === 0) paragraph(t('digest.themes.none'), 9.5, 1)
    for (const theme of d.topThemes) figure(theme.label, theme.count)
    y += 4
    line(t('digest.emerging'), 10, { face: 'bold' })
    y += 15
    if (d.emerging.length === 0) paragraph(t('digest.emerging.none'), 9.5, 1)
    // At most eight: the list has the room of eight lines.
    for (const theme of d.emerging.slice(0, 8)) figure(theme.label, theme.count)
  }

  heading(t('digest.did'))
  figure(t('digest.did.updates'), d.ecosystem.updates)
  figure(t('digest.did.offers'), d.ecosystem.offers)
  for (const kind of outcomeKinds) figure(t(`digest.outcome.${kind}`), d.ecosystem.outcomes[kind])
  if (d.paths.scope === 'region') figure(t('digest.did.paths'), d.paths.nextStep)

  if (d.partner !== null && d.scope.partnerName !== null) {
    const c = d.partner.collected
    heading(t('digest.own', { partner: d.scope.partnerName }))
    figure(t('digest.own.scans'), c.scans)
    figure(t('digest.own.answers'), c.answers)
    figure(t('digest.own.tried'), c.triedNew)
    figure(t('digest.own.liked'), c.liked)
    figure(t('digest.own.step2'), c.step2)
    figure(t('digest.own.referred'), d.partner.referrals.referred)
    figure(t('digest.own.started'), d.partner.referrals.started)
    figure(t('digest.own.paths'), d.paths.nextStep)
  }
  // The footer sits at a fixed place, below the longest possible content.
  y = a4.height - margin - 10
  line(`Leervraag · ${input.generatedAt.toISOString().slice(0, 10)}`, 7.5, { color: soft })
  return documentBuffer(w.doc)
}
