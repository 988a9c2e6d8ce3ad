import type { FastifyBaseLogger } from 'fastify'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { Config } from '../config.ts'
import { escapeHtml } from '../http/html.ts'
import { type Language, translator } from '../i18n/i18n.ts'
import { deliver, smtpTarget } from '../ops/smtp.ts'

/**
 * The person's private link by e-mail (issue 19, "the person's own view"): when a mail server
 * is configured and the person chose to be contacted by e-mail, one message with the link to
 * their own path page, in the language they answered in. It is the only copy of the link a
 * person at a kiosk gets (the kiosk's thank-you page never shows it, for the next person).
 *
 * Sent once, after the answer and the request are committed, beside the response rather than
 * before it: the person does not wait for a mail server. It is not retried, on purpose: a
 * retry would need the token kept somewhere in clear until it succeeds, and the token exists
 * nowhere but in this message and, on a phone, the thank-you page. The log says that a link
 * was mailed or not, never to whom, and never the link.
 */

export interface PathLinkMail {
  to: string
  language: Language
  regionName: string
  /** The path page's address, with the token. */
  link: string
}

export async function composePathLinkMail(mail: PathLinkMail, from: Config['smtpFrom'], now = new Date()): Promise<Buffer> {
  const t = translator(mail.language)
  const subject = t('mail.path.subject')
  const lines = [t('mail.path.intro', { region: mail.regionName }), t('mail.path.link'), mail.link, t('mail.path.stop'), t('mail.path.why')]
  const text = [lines[0], '', lines[1], lines[2], '', lines[3], '', lines[4], ''].join('\n')
  const dir = mail.language === 'ar' ? 'rtl' : 'ltr'
  const html = `<!doctype html><html lang="${mail.language}" dir="${dir}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif;line-height:1.5;max-width:40rem">
<p>${escapeHtml(lines[0]!)}</p><p><a href="${escapeHtml(mail.link)}">${escapeHtml(lines[1]!)}</a></p><p>${escapeHtml(lines[3]!)}</p><p style="font-size:.9rem;color:#444">${escapeHtml(lines[4]!)}</p></body></html>`
  const composer = new MailComposer({
    from: from.name === undefined ? from.address : { name: from.name, address: from.address },
    to: mail.to,
    subject,
    text,
    html,
    date: now,
    // RFC 3834: no out-of-office replies to it.
    headers: { 'Auto-Submitted': 'auto-generated' },
  })
  return composer.compile().build()
}

/** Sends it; resolves when the server answered (or not), never rejects. */
export async function mailPathLink(config: Pick<Config, 'smtpUrl' | 'smtpFrom'>, mail: PathLinkMail, log: FastifyBaseLogger, options: { timeoutMs?: number } = {}): Promise<void> {
  if (config.smtpUrl === undefined) return
  try {
    const raw = await composePathLinkMail(mail, config.smtpFrom)
    const result = await deliver(smtpTarget(config.smtpUrl), { from: config.smtpFrom.address, to: mail.to }, raw, options)
    if (result.outcome === 'sent') log.info('path link mailed')
    else log.warn({ outcome: result.outcome }, 'path link not mailed')
  } catch (error) {
    log.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'path link not mailed')
  }
}
