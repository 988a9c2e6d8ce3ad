/**
 * The monthly digest of a region or a partner (issue 19): a short page for the last
 * complete calendar month, every figure a published (cell-key) count of the month grid
 * period, read through the planning model and the partner page's figures. The one door
 * app.ts uses.
 */
import type { FastifyInstance } from 'fastify'
import { partnerSecret } from '../partners/index.ts'
import { regionScope } from '../staff/index.ts'
import digestFeedRoutes from './feed-routes.ts'
import digestRoutes from './routes.ts'
import profileRoutes from './profile-routes.ts'
import unsubscribeRoutes from './unsubscribe-routes.ts'
import digestMailingSchedule from './schedule.ts'
import { smtpTarget } from '../ops/smtp.ts'

export interface DigestFeatureOptions {
  publicBaseUrl: string
  now?: () => Date
  /** SMTP_URL is set (the digest pages say whether it goes out by e-mail). */
  mailConfigured?: boolean
}

/** The staff pages, mounted at /admin inside the signed-in area, under the region scope. */
export default async function digestFeature(app: FastifyInstance, options: DigestFeatureOptions) {
  const secret = partnerSecret(app.db)
  await app.register(
    async function regionPages(region) {
      await region.register(regionScope)
      await region.register(digestRoutes, { publicBaseUrl: options.publicBaseUrl, partnerSecret: secret, mailConfigured: options.mailConfigured === true, ...(options.now ? { now: options.now } : {}) })
    },
    { prefix: '/regions/:regionId' },
  )
  // The person's own profile page: their subscriptions to the digest by e-mail.
  await app.register(profileRoutes, { mailConfigured: options.mailConfigured === true })
}

export { digestMonths, type Digest, lastCompleteMonth, loadDigest, parseDigestMonth } from './digest.ts'

/**
 * Outside the staff scope: `/digest/feed/:token` (a feed reader has no session),
 * `/digest/unsubscribe/:token` (the one-click link of every digest e-mail), and, when SMTP
 * is configured, the monthly mailing's scheduled job.
 */
export async function digestPublicPlugin(app: FastifyInstance, options: DigestFeatureOptions & { mailing?: DigestMailingOptions }) {
  const secret = partnerSecret(app.db)
  await app.register(digestFeedRoutes, { publicBaseUrl: options.publicBaseUrl, partnerSecret: secret, ...(options.now ? { now: options.now } : {}) })
  await app.register(unsubscribeRoutes)
  const mailing = options.mailing
  if (mailing !== undefined) {
    await app.register(digestMailingSchedule, {
      settings: { smtp: smtpTarget(mailing.smtpUrl), from: mailing.from, publicBaseUrl: options.publicBaseUrl, partnerSecret: secret, ...(options.now ? { now: options.now } : {}), ...(mailing.timeoutMs === undefined ? {} : { timeoutMs: mailing.timeoutMs }), ...(mailing.retryAfterMs === undefined ? {} : { retryAfterMs: mailing.retryAfterMs }) },
      intervalMs: mailing.intervalMs,
      ...(mailing.firstRunAfterMs === undefined ? {} : { firstRunAfterMs: mailing.firstRunAfterMs }),
      ...(mailing.holder === undefined ? {} : { holder: mailing.holder }),
    })
  }
}

export interface DigestMailingOptions {
  smtpUrl: string
  from: { name: string | undefined; address: string }
  /** How often the job wakes (an hour in production); 0 switches it off. */
  intervalMs: number
  firstRunAfterMs?: number
  timeoutMs?: number
  retryAfterMs?: number
  /** This instance's name in the job lease. */
  holder?: string
}

export { runDigestMailing, type MailingReport, type MailingSettings, sentCounts } from './mailing.ts'
