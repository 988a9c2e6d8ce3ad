import type { Kysely } from 'kysely'
import MailComposer from 'nodemailer/lib/mail-composer'
import { periodId } from '../answers/period-grid.ts'
import { disclosureTerms, localDay } from '../answers/index.ts'
import { can } from '../auth/permissions.ts'
import { randomToken, tokenHash } from '../auth/tokens.ts'
import type { Database, DigestOutboxStatus } from '../db/types.ts'
import { type Language, translator } from '../i18n/i18n.ts'
import type { Lease } from '../ops/job-lease.ts'
import { periodName } from '../partners/index.ts'
import { type Digest, type DigestMonth, lastCompleteMonth, loadDigest } from './digest.ts'
import { staffMember } from './feeds.ts'
import { deliver, type SmtpTarget } from '../ops/smtp.ts'
import { escapeHtml } from '../http/html.ts'
import { digestHtml, digestText } from './summary.ts'
import { mailLanguages, scopeKey } from './subscriptions.ts'

/**
 * The digest by e-mail: once a month, one message per subscriber per digest, at most once.
 *
 * A run (the scheduled job 'digest-mailing', on one instance at a time) does two things for
 * the last complete month:
 *
 * 1. **Enqueue.** Every subscription of an active account gets an outbox row for the month,
 *    inserted with "on conflict do nothing" on (user, digest, month): a second run, a second
 *    instance, a restart all find the row and add none. Only the last complete month is
 *    enqueued: a server that was down for a month does not send a backlog.
 * 2. **Send** the month's rows that are pending, or due for a retry. Each row is claimed by a
 *    conditional update (pending|retry → sending) before a single byte goes out, so even two
 *    instances whose leases overlapped (one lease expired mid-run) cannot both send it. What
 *    happens next depends only on `deliver()`'s outcome (src/ops/smtp.ts):
 *    - sent → 'sent';
 *    - retry (refused, timed out or dropped before the message was handed over: the server
 *      does not have it) → 'retry', tried again `retryAfterMs × attempts` later, at most
 *      `maxAttempts` times, then 'failed';
 *    - unknown (dropped after the message was handed over: it may well have been delivered)
 *      → 'unknown', never sent again. A crash between the claim and the outcome leaves the
 *      row 'sending', which is never picked up again either: the same uncertainty.
 *    A subscriber who unsubscribed, or may no longer read the digest, is 'cancelled' instead.
 *
 * Nothing in the application depends on a run: the mail server refusing or timing out
 * changes outbox rows only. Logs and `last_error` carry no address (SMTP replies often
 * quote the recipient; it is cut out).
 */

export interface MailingSettings {
  smtp: SmtpTarget
  from: { name: string | undefined; address: string }
  publicBaseUrl: string
  partnerSecret: () => Promise<string>
  now?: () => Date
  /** One SMTP phase's timeout (connect, greeting, each reply); 30 s by default. */
  timeoutMs?: number
  /** Sends tried per message before it is 'failed'. */
  maxAttempts?: number
  /** The wait before the first retry; the n-th waits n times as long. */
  retryAfterMs?: number
}

export interface MailingReport {
  month: string
  enqueued: number
  sent: number
  retry: number
  unknown: number
  failed: number
  cancelled: number
}

/** An SMTP reply or error without any e-mail address in it, short enough for a column and a log line. */
export function withoutAddresses(reason: string): string {
  return reason.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '…').slice(0, 300)
}

/** The e-mail's language: the subscription's, if the digest catalogs have it. */
function mailLanguage(language: string): Language {
  return (mailLanguages as readonly string[]).includes(language) ? (language as Language) : 'nl'
}

export interface DigestMessage {
  subject: string
  raw: Buffer
}

/** One digest e-mail: text and HTML parts, the link to the page, and the RFC 8058 one-click unsubscribe headers. */
export async function composeDigestMail(input: {
  digest: Digest
  language: Language
  from: MailingSettings['from']
  to: string
  publicBaseUrl: string
  unsubscribeToken: string
  messageId: string
  date: Date
}): Promise<DigestMessage> {
  const { digest: d, language } = input
  const t = translator(language)
  const base = input.publicBaseUrl.replace(/\/$/, '')
  const monthText = periodName(d.month, language, t)
  const subject = d.scope.partnerName === null ? t('digest.title.region', { region: d.scope.regionName, month: monthText }) : t('digest.title.partner', { partner: d.scope.partnerName, month: monthText })
  const page = `${base}/admin/regions/${d.scope.regionId}${d.scope.partnerId === null ? '' : `/partners/${d.scope.partnerId}`}/digest?month=${d.monthId}`
  const unsubscribeUrl = `${base}/digest/unsubscribe/${input.unsubscribeToken}`
  const intro = t('digest.intro', { from: d.range.from, to: d.range.to })
  // As on the page: the figures are protected counts, and the reader is told so.
  const rule = t('digest.rule', disclosureTerms)
  const text = [subject, '', intro, '', rule, '', digestText(d, t), '', `${t('digest.mail.page')}: ${page}`, '', t('digest.mail.why'), `${t('digest.mail.unsubscribe')}: ${unsubscribeUrl}`, ''].join('\n')
  const html = `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title><style>h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}h3{font-size:1rem}</style></head><body style="font-family:sans-serif;line-height:1.5;max-width:40rem">
<h1>${escapeHtml(subject)}</h1><p>${escapeHtml(intro)}</p><p style="font-size:.9rem;color:#444">${escapeHtml(rule)}</p>${digestHtml(d, t)}
<p><a href="${escapeHtml(page)}">${escapeHtml(t('digest.mail.page'))}</a></p>
<hr><p style="font-size:.9rem">${escapeHtml(t('digest.mail.why'))} <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(t('digest.mail.unsubscribe'))}</a></p></body></html>`
  const composer = new MailComposer({
    from: input.from.name === undefined ? input.from.address : { name: input.from.name, address: input.from.address },
    to: input.to,
    subject,
    text,
    html,
    messageId: input.messageId,
    date: input.date,
    headers: {
      // RFC 8058: a mail client's "unsubscribe" button POSTs List-Unsubscribe=One-Click to this URL.
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // RFC 3834: no out-of-office replies to a digest.
      'Auto-Submitted': 'auto-generated',
    },
  })
  return { subject, raw: await composer.compile().build() }
}

async function enqueue(db: Kysely<Database>, monthId: string, now: Date): Promise<number> {
  const subscriptions = await db
    .selectFrom('digest_subscriptions')
    .innerJoin('users', 'users.id', 'digest_subscriptions.user_id')
    .select(['digest_subscriptions.user_id', 'digest_subscriptions.region_id', 'digest_subscriptions.partner_id', 'digest_subscriptions.scope_key', 'digest_subscriptions.language'])
    .where('users.disabled_at', 'is', null)
    .execute()
  let enqueued = 0
  for (const s of subscriptions) {
    const result = await db
      .insertInto('digest_outbox')
      .values({ ...s, month: monthId, status: 'pending', next_attempt_at: now.toISOString(), created_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['user_id', 'scope_key', 'month']).doNothing())
      .executeTakeFirst()
    enqueued += Number(result.numInsertedOrUpdatedRows ?? 0n)
  }
  return enqueued
}

/** Moves a claimed row on; `from` guards against a row someone else moved meanwhile. */
async function settle(db: Kysely<Database>, id: number, from: DigestOutboxStatus[], values: { status: DigestOutboxStatus; last_error?: string | null; sent_at?: string; next_attempt_at?: string }) {
  await db.updateTable('digest_outbox').set(values).where('id', '=', id).where('status', 'in', from).execute()
}

/** One run of the digest mailing: enqueue the last complete month, send what is due. */
export async function runDigestMailing(db: Kysely<Database>, settings: MailingSettings, lease?: Lease): Promise<MailingReport> {
  const clock = settings.now ?? (() => new Date())
  const started = clock()
  const today = localDay(started.getTime())
  const month: DigestMonth = lastCompleteMonth(today)
  const monthId = periodId(month)
  const maxAttempts = settings.maxAttempts ?? 5
  const retryAfterMs = settings.retryAfterMs ?? 60 * 60_000
  const report: MailingReport = { month: monthId, enqueued: await enqueue(db, monthId, started), sent: 0, retry: 0, unknown: 0, failed: 0, cancelled: 0 }
  const due = await db
    .selectFrom('digest_outbox')
    .innerJoin('users', 'users.id', 'digest_outbox.user_id')
    .select(['digest_outbox.id', 'digest_outbox.user_id', 'digest_outbox.region_id', 'digest_outbox.partner_id', 'digest_outbox.scope_key', 'digest_outbox.language', 'digest_outbox.status', 'digest_outbox.attempts', 'users.email'])
    .where('digest_outbox.month', '=', monthId)
    .where('digest_outbox.status', 'in', ['pending', 'retry'])
    .where('digest_outbox.next_attempt_at', '<=', started.toISOString())
    .orderBy('digest_outbox.id')
    .execute()
  const secret = await settings.partnerSecret()
  // A digest is the same for every subscriber in one language: computed once per run.
  const digests = new Map<string, Promise<Digest>>()
  for (const row of due) {
    // A long run renews its lease before each message; a lost lease ends the run (the rest waits for the next).
    if (lease !== undefined && !(await lease.renew())) break
    const partnerId = row.partner_id ?? undefined
    const [subscribed, person] = await Promise.all([
      db.selectFrom('digest_subscriptions').select('id').where('user_id', '=', row.user_id).where('scope_key', '=', row.scope_key).executeTakeFirst(),
      staffMember(db, row.user_id),
    ])
    if (subscribed === undefined || person === undefined || !can(person, 'view', { type: 'digest', regionId: row.region_id, ...(partnerId === undefined ? {} : { partnerId }) })) {
      await settle(db, row.id, ['pending', 'retry'], { status: 'cancelled' })
      report.cancelled++
      continue
    }
    const language = mailLanguage(row.language)
    const token = randomToken()
    const now = clock()
    let message: DigestMessage
    try {
      const cacheKey = `${row.scope_key}:${language}`
      if (!digests.has(cacheKey)) digests.set(cacheKey, loadDigest(db, { regionId: row.region_id, ...(partnerId === undefined ? {} : { partnerId }), month, today, language, partnerSecret: secret }))
      const host = new URL(settings.publicBaseUrl).hostname
      message = await composeDigestMail({ digest: await digests.get(cacheKey)!, language, from: settings.from, to: row.email, publicBaseUrl: settings.publicBaseUrl, unsubscribeToken: token, messageId: `<digest-${row.id}-${row.attempts + 1}@${host}>`, date: now })
    } catch (error) {
      // Nothing went out: the same as a refusal, tried again later.
      await settle(db, row.id, ['pending', 'retry'], { status: 'retry', last_error: withoutAddresses(`compose: ${error instanceof Error ? error.message : String(error)}`), next_attempt_at: new Date(now.getTime() + retryAfterMs).toISOString() })
      report.retry++
      continue
    }
    const claimed = await db
      .updateTable('digest_outbox')
      .set({ status: 'sending', attempts: row.attempts + 1, unsubscribe_hash: tokenHash(token) })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .where('attempts', '=', row.attempts)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) === 0) continue
    const result = await deliver(settings.smtp, { from: settings.from.address, to: row.email }, message.raw, settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs })
    const after = clock()
    if (result.outcome === 'sent') {
      await settle(db, row.id, ['sending'], { status: 'sent', sent_at: after.toISOString(), last_error: null })
      report.sent++
    } else if (result.outcome === 'unknown') {
      await settle(db, row.id, ['sending'], { status: 'unknown', last_error: withoutAddresses(result.reason) })
      report.unknown++
    } else if (row.attempts + 1 >= maxAttempts) {
      await settle(db, row.id, ['sending'], { status: 'failed', last_error: withoutAddresses(result.reason) })
      report.failed++
    } else {
      const wait = retryAfterMs * (row.attempts + 1)
      await settle(db, row.id, ['sending'], { status: 'retry', last_error: withoutAddresses(result.reason), next_attempt_at: new Date(after.getTime() + wait).toISOString() })
      report.retry++
    }
  }
  return report
}

export type SentCounts = Record<'sent' | 'waiting' | 'unknown' | 'failed' | 'cancelled', number>

/**
 * What was sent of one digest for one month, as counts per outcome (no address, no name):
 * the digest page shows them. 'waiting' is pending and retry.
 */
export async function sentCounts(db: Kysely<Database>, scope: { regionId: number; partnerId: number | undefined }, monthId: string): Promise<SentCounts> {
  const rows = await db
    .selectFrom('digest_outbox')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
    .where('region_id', '=', scope.regionId)
    .where('scope_key', '=', scopeKey(scope.regionId, scope.partnerId ?? null))
    .where('month', '=', monthId)
    .groupBy('status')
    .execute()
  const counts: SentCounts = { sent: 0, waiting: 0, unknown: 0, failed: 0, cancelled: 0 }
  for (const row of rows) {
    const n = Number(row.n)
    if (row.status === 'pending' || row.status === 'retry') counts.waiting += n
    // A send in progress is not confirmed yet, and one a crash interrupted never will be.
    else if (row.status === 'sending') counts.unknown += n
    else counts[row.status] += n
  }
  return counts
}
