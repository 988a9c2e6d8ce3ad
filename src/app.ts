import { randomBytes } from 'node:crypto'
import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from './config.ts'
import { openDatabase, type DatabaseHandle } from './db/database.ts'
import dbPlugin from './db/plugin.ts'
import errors from './http/errors.ts'
import formBody from './http/form-body.ts'
import { responseCompression } from './http/compression.ts'
import views from './http/views.ts'
import capture, { assistedCaptureFeature } from './capture/index.ts'
import ops from './ops/routes.ts'
import { errorForLog, type LoggedRequest, pathForLog } from './ops/log-serializers.ts'
import { answersPlugin } from './answers/index.ts'
import { DailyKeyer, RateLimiter, rateLimitStore } from './http/rate-limit.ts'
import routeTable from './auth/route-table.ts'
import securityHeaders from './auth/security-headers.ts'
import { signedInArea, signInRoutes, staffShell } from './staff/index.ts'
import adminFeature from './admin/index.ts'
import followupFeature, { retentionSchedule, withdrawRoutes } from './followup/index.ts'
import { dashboardFeature, sharePages } from './dashboard/index.ts'
import partnersFeature, { partnerSharePlugin } from './partners/index.ts'
import updatesFeature, { updatesPublicPage } from './updates/index.ts'
import themesFeature from './themes/index.ts'
import planningFeature from './planning/index.ts'
import importsFeature, { uitdatabankSchedule } from './imports/index.ts'
import digestFeature, { digestPublicPlugin } from './digest/index.ts'
import { apiRoutes, apiTokenAdmin } from './api/index.ts'
import postersFeature, { scanCounter } from './posters/index.ts'
import { audit } from './audit/log.ts'
import { instanceHolder } from './ops/job-lease.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Shared by the citizen routes and the API (http/rate-limit.ts). */
    rateLimiter: RateLimiter
  }
}

export interface BuildOptions {
  /** An open database (tests, scripts); when absent the app opens config.databaseUrl and closes it. */
  database?: DatabaseHandle
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream
  /** Minimum fill times of the citizen form (tests shorten them); see capture/guard.ts. */
  minFillMs?: { step1: number; step2: number }
  /** How often the retention job runs inside the server (followup/retention.ts); 0 switches it off. */
  retentionIntervalMs?: number
  /** Only for the benchmark that prices the dashboard rollups on the answer route; see ResponseWriter. */
  withoutAnswerRollups?: boolean
  /** How many counters the in-memory rate-limit store holds (SQLite only); tests shrink it to flood it quickly. */
  rateLimitMemoryKeys?: number
  /** The clock of the dashboard and its share pages (tests pin it to their data set's last day). */
  now?: () => Date
  /** The digest mailing's timing (tests shorten it); an hour between runs by default, 0 switches it off. */
  digestMailing?: { intervalMs?: number; firstRunAfterMs?: number; timeoutMs?: number; retryAfterMs?: number }
}

/**
 * Log lines never carry who someone is: Fastify's default request serializer logs the
 * client address and port; ours keeps only the method, the path and the request id.
 * The path has no query string and no token in it (pathForLog, src/ops/log-serializers.ts).
 * Errors keep only their type, message, code and stack (src/ops/log-serializers.ts).
 */
function loggerOptions(config: Config, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (request: LoggedRequest & { method: string; id: string }) => ({ method: request.method, path: pathForLog(request), id: request.id }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
      err: errorForLog,
    },
  }
}

/** A hop count becomes "trust the nearest n hops", which is what proxy-addr does with a number. */
function trustProxyOption(setting: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (typeof setting === 'number') return (_address: string, hop: number) => hop < setting
  return setting
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const instance = randomBytes(3).toString('hex')
  // This app's name in the job leases: two apps in one process (tests) are two instances.
  const jobHolder = `${instanceHolder}-${instance}`
  let sequence = 0
  const app: FastifyInstance = Fastify({
    logger: loggerOptions(config, options.logStream),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 16 * 1024,
    // Request ids that stay unique across instances, for matching a 500 page to its log line.
    genReqId: () => `${instance}-${(++sequence).toString(36)}`,
    // Fastify's router refuses a path segment over 100 characters itself, with a JSON 414
    // that never reaches our error handler. Any length Node accepts goes to the route, whose
    // schema refuses an over-long poster code with the friendly 400 page.
    routerOptions: { maxParamLength: 16 * 1024 },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  const handle = options.database ?? openDatabase(config.databaseUrl)
  await app.register(dbPlugin, { handle, closeOnShutdown: options.database === undefined })
  app.decorate('config', config)
  // The write model's queues (answers/plugin.ts): one per instance, so that group commit works.
  await app.register(answersPlugin, { rollups: !options.withoutAnswerRollups })
  const rateLimiter = new RateLimiter(rateLimitStore(handle.db, handle.dialect, config.redisUrl, options.rateLimitMemoryKeys), new DailyKeyer(handle.db))
  app.decorate('rateLimiter', rateLimiter)
  app.addHook('onClose', () => rateLimiter.close())

  // Ecosystem plugins, then our shared plugins, then the features.
  // Under https every cookie we set is Secure by default (the language choice, the device's
  // one-answer cookie, the staff session), so that none of them is ever sent in clear.
  await app.register(cookie, { parseOptions: { secure: config.publicBaseUrl.startsWith('https:') } })
  await app.register(securityHeaders, { publicBaseUrl: config.publicBaseUrl })
  await app.register(formBody)
  await app.register(views)
  await app.register(errors)
  await app.register(ops)
  await app.register(scanCounter)
  await app.register(routeTable)
  // The citizen form; it also puts its cache of posters and themes (`app.posterDirectory`) on the root.
  await app.register(capture, { publicBaseUrl: config.publicBaseUrl, minFillMs: options.minFillMs })
  // Everything behind a sign-in, in one encapsulated scope: the session lookup and the CSRF
  // check run on these routes only and cost the citizen routes nothing. docs/architecture.md
  // says how a staff feature plugs in here.
  const publicBaseUrl = config.publicBaseUrl
  await app.register(async function staffScope(staff) {
    // Staff pages above 1 KB go out compressed; the citizen routes above are outside this
    // scope and never are (http/compression.ts, docs/security.md "Compression").
    await responseCompression(staff)
    await staff.register(staffShell, { publicBaseUrl })
    await staff.register(signInRoutes)
    await staff.register(
      async function management(admin) {
        await admin.register(signedInArea)
        await admin.register(adminFeature, { publicBaseUrl, ...(options.now ? { now: options.now } : {}) })
        // Follow-up: the bridge figures' queue, learning offers, moderation, data subject requests.
        await admin.register(followupFeature)
        // Assisted capture: a question recorded on someone's behalf at a walk-in point, under /regions/:regionId.
        await admin.register(assistedCaptureFeature, options.now ? { now: options.now } : {})
        // Printing: preview, PDF formats, bare QR downloads, batches and the scan funnel.
        await admin.register(postersFeature, { publicBaseUrl })
        // Public updates of a region, written by its coordinators.
        await admin.register(updatesFeature)
        // Free texts and their themes: the unclassified ones, corrections, keyword hints.
        await admin.register(themesFeature)
        // Read-only API tokens for the region's aggregates (/api/v1), under /regions/:regionId.
        await admin.register(apiTokenAdmin, { publicBaseUrl })
        // The region dashboard, its files and its share links, under /dashboard/:regionId.
        await admin.register(dashboardFeature, { publicBaseUrl, ...(options.now ? { now: options.now } : {}) })
        // Planning: demand beside supply per theme, and its CSV, under /regions/:regionId.
        await admin.register(planningFeature, options.now ? { now: options.now } : {})
        // Imports from UiTdatabank and iCalendar files, and their confirmations, under /regions/:regionId.
        await admin.register(importsFeature)
        // A partner's own page (its protected figures) and its share links, under /regions/:regionId.
        await admin.register(partnersFeature, { publicBaseUrl, ...(options.now ? { now: options.now } : {}) })
        // The monthly digest of a region or a partner, under /regions/:regionId.
        await admin.register(digestFeature, { publicBaseUrl, mailConfigured: config.smtpUrl !== undefined, ...(options.now ? { now: options.now } : {}) })
      },
      { prefix: '/admin' },
    )
  })
  await app.register(sharePages, options.now ? { now: options.now } : {})
  await app.register(partnerSharePlugin, options.now ? { now: options.now } : {})
  // The digest's feeds and unsubscribe links; with SMTP_URL, its monthly mailing.
  const mailTiming = options.digestMailing ?? {}
  await app.register(digestPublicPlugin, {
    publicBaseUrl: config.publicBaseUrl,
    ...(options.now ? { now: options.now } : {}),
    ...(config.smtpUrl === undefined ? {} : { mailing: { smtpUrl: config.smtpUrl, from: config.smtpFrom, intervalMs: mailTiming.intervalMs ?? 60 * 60 * 1000, holder: jobHolder, ...mailTiming } }),
  })
  // The JSON API for region dashboards, with read-only tokens per region (src/api/); its
  // answers are compressed too (a scope of its own, so the citizen routes stay as they are).
  await app.register(async function apiScope(api) {
    await responseCompression(api)
    await api.register(apiRoutes, { prefix: '/api', publicBaseUrl: config.publicBaseUrl })
  })
  await app.register(updatesPublicPage)
  await app.register(withdrawRoutes)
  await app.register(retentionSchedule, {
    intervalMs: options.retentionIntervalMs ?? 60 * 60 * 1000,
    sqlite: handle.sqlite,
    // What was erased, as counts only, in the audit log.
    audit: (counts) => audit(handle.db, { userId: null, action: 'retention.run', detail: { ...counts } }),
    holder: jobHolder,
  })
  // The scheduled UiTdatabank fetch, only when its key, query and region are configured.
  if (config.uitdatabank) {
    const uit = config.uitdatabank
    await app.register(uitdatabankSchedule, { settings: { url: uit.url, apiKey: uit.apiKey, query: uit.query, regionId: uit.regionId }, intervalMs: uit.intervalMinutes * 60_000, holder: jobHolder })
  }

  return app
}
