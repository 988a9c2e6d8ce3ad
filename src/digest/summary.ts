import type { translator } from '../i18n/i18n.ts'
import { type Digest, outcomeKinds } from './digest.ts'
import { escapeHtml } from '../http/html.ts'

/**
 * One month's digest as a short summary, the same figures in the same order as the page:
 * HTML for the Atom feed's entries and the e-mail, plain text for the e-mail's text part.
 * Every figure is the digest's (published counts); nothing here counts anything.
 */

type Translate = ReturnType<typeof translator>

interface Section {
  heading: string
  lines: [label: string, value: number][]
  /** A sentence instead of (or before) the figures. */
  note?: string
  /** Lists under the section; `none`: the sentence shown when a list is empty. */
  sub?: { heading: string; lines: [string, number][]; none: string }[]
}

function sections(d: Digest, t: Translate): Section[] {
  const asked: Section =
    d.answers === null
      ? { heading: t('digest.asked'), lines: [], note: t('digest.asked.withheld') }
      : {
          heading: t('digest.asked'),
          lines: [[t('digest.answers'), d.answers]],
          sub: [
            { heading: t('digest.themes.top'), lines: d.topThemes.map((x) => [x.label, x.count]), none: t('digest.themes.none') },
            { heading: t('digest.emerging'), lines: d.emerging.map((x) => [x.label, x.count]), none: t('digest.emerging.none') },
          ],
        }
  const did: Section = {
    heading: t('digest.did'),
    lines: [[t('digest.did.updates'), d.ecosystem.updates], [t('digest.did.offers'), d.ecosystem.offers], ...outcomeKinds.map((k): [string, number] => [t(`digest.outcome.${k}`), d.ecosystem.outcomes[k]]),
      ...(d.paths.scope === 'region' ? [[t('digest.did.paths'), d.paths.nextStep] as [string, number]] : []),
    ],
  }
  const result = [asked, did]
  if (d.partner !== null && d.scope.partnerName !== null) {
    const c = d.partner.collected
    result.push({
      heading: t('digest.own', { partner: d.scope.partnerName }),
      lines: [
        [t('digest.own.scans'), c.scans],
        [t('digest.own.answers'), c.answers],
        [t('digest.own.tried'), c.triedNew],
        [t('digest.own.liked'), c.liked],
        [t('digest.own.step2'), c.step2],
        [t('digest.own.referred'), d.partner.referrals.referred],
        [t('digest.own.started'), d.partner.referrals.started],
        [t('digest.own.paths'), d.paths.nextStep],
      ],
    })
  }
  return result
}

/** The summary as HTML (headings h2/h3 and lists; the caller escapes it further where it is embedded). */
export function digestHtml(d: Digest, t: Translate): string {
  const li = ([label, value]: [string, number]) => `<li>${escapeHtml(label)}: <b>${value}</b></li>`
  return sections(d, t)
    .map((s) => {
      const parts = [`<h2>${escapeHtml(s.heading)}</h2>`]
      if (s.note) parts.push(`<p>${escapeHtml(s.note)}</p>`)
      if (s.lines.length > 0) parts.push(`<ul>${s.lines.map(li).join('')}</ul>`)
      for (const sub of s.sub ?? []) parts.push(`<h3>${escapeHtml(sub.heading)}</h3>${sub.lines.length === 0 ? `<p>${escapeHtml(sub.none)}</p>` : `<ul>${sub.lines.map(li).join('')}</ul>`}`)
      return parts.join('')
    })
    .join('')
}

/** The summary as plain text, for the e-mail's text part. */
export function digestText(d: Digest, t: Translate): string {
  const line = ([label, value]: [string, number]) => `- ${label}: ${value}`
  return sections(d, t)
    .map((s) => {
      const parts = [s.heading, '='.repeat(Math.min(s.heading.length, 60))]
      if (s.note) parts.push(s.note)
      parts.push(...s.lines.map(line))
      for (const sub of s.sub ?? []) parts.push('', sub.heading, ...(sub.lines.length === 0 ? [sub.none] : sub.lines.map(line)))
      return parts.join('\n')
    })
    .join('\n\n')
}
