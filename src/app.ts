import { randomBytes } from 'node:crypto'
import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import type { Config } from './config.ts'
import { openDatabase, type DatabaseHandle } from './db/database.ts'
import dbPlugin from './db/plugin.ts'
import { loadOrCreateSecret } from './db/secrets.ts'
import errors from './http/errors.ts'
import formBody from './http/form-body.ts'
import views from './http/views.ts'
import captureRoutes from './capture/routes.ts'
import ops from './ops/routes.ts'
import { errorForLog } from './ops/log-serializers.ts'
import scanCounter from './posters/scans.ts'
import { PosterDirectory } from './capture/poster-directory.ts'
import { ResponseWriter } from './capture/response-writer.ts'
import { GroupCommit } from './capture/group-commit.ts'
import { minFillMs } from './capture/guard.ts'
import { DailyKeyer, RateLimiter, rateLimitStore } from './http/rate-limit.ts'
import routeTable from './auth/route-table.ts'
import securityHeaders from './auth/security-headers.ts'
import management from './admin/plugin.ts'
import shareRoutes from './dashboard/share-routes.ts'
import apiRoutes from './api/routes.ts'
import updatePublicRoutes from './updates/public-routes.ts'
import withdrawRoutes from './followup/withdraw-routes.ts'
import retentionSchedule from './followup/retention-schedule.ts'
import { audit } from './audit/log.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    posterDirectory: PosterDirectory
    responseWriter: ResponseWriter
    amendments: GroupCommit
    answerSecret: string
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
}

/** Only the request line's path — never the query string (it carries answer tokens). */
function pathOnly(url: string): string {
  const index = url.indexOf('?')
  const path = index === -1 ? url : url.slice(0, index)
  // A share link's token opens a dashboard: whoever reads the logs must not get it.
  return path.startsWith('/r/') ? '/r/[token]' : path
}

/**
 * Log lines never carry who someone is: Fastify's default request serializer logs the
 * client address and port; ours keeps only the method, the path and the request id.
 * Errors keep only their type, message, code and stack (src/ops/log-serializers.ts).
 */
export function loggerOptions(config: Config, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    serializers: {
      req: (request: { method: string; url: string; id: string }) => ({ method: request.method, path: pathOnly(request.url), id: request.id }),
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
  app.decorate('answerSecret', config.secret ?? (await loadOrCreateSecret(handle.db, 'answer-token')))
  app.decorate('posterDirectory', new PosterDirectory(handle.db))
  app.decorate('responseWriter', new ResponseWriter(handle.db, undefined, !options.withoutAnswerRollups))
  app.decorate('amendments', new GroupCommit(handle.db))
  const rateLimiter = new RateLimiter(rateLimitStore(handle.db, handle.dialect, config.redisUrl), new DailyKeyer(handle.db))
  app.decorate('rateLimiter', rateLimiter)
  app.addHook('onClose', () => rateLimiter.close())

  // Ecosystem plugins, then our shared plugins, then the features.
  await app.register(cookie)
  await app.register(securityHeaders, { publicBaseUrl: config.publicBaseUrl })
  await app.register(formBody)
  await app.register(views)
  await app.register(errors)
  await app.register(ops)
  await app.register(scanCounter)
  await app.register(routeTable)
  await app.register(captureRoutes, { publicBaseUrl: config.publicBaseUrl, minFillMs: options.minFillMs ?? minFillMs })
  await app.register(management, { publicBaseUrl: config.publicBaseUrl })
  await app.register(shareRoutes)
  // The JSON API for region dashboards, with read-only tokens per region (src/api/).
  await app.register(apiRoutes, { prefix: '/api', publicBaseUrl: config.publicBaseUrl })
  await app.register(updatePublicRoutes)
  await app.register(withdrawRoutes)
  await app.register(retentionSchedule, {
    intervalMs: options.retentionIntervalMs ?? 60 * 60 * 1000,
    sqlite: handle.sqlite,
    // What was erased, as counts only, in the audit log.
    audit: (counts) => audit(handle.db, { userId: null, action: 'retention.run', detail: { ...counts } }),
  })

  return app
}
