import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { isDatabaseUnavailable, unavailableRetrySeconds } from '../http/errors.ts'
import type { Limit } from '../http/rate-limit.ts'
import { askedFilters, type DashboardModel, loadDashboard, maxFilters, type ParsedFilters, parseFilters, parsePeriod, regionDirectory, type RegionDirectory } from '../dashboard/index.ts'
import { today } from '../answers/index.ts'
import { endpoints, type OperationId, openApiPath } from './endpoints.ts'
import { buildOpenApi } from './openapi.ts'
import { breakdownsJson, regionJson, type Slice, summaryJson, themesJson, weeklyJson } from './present.ts'
import type { AggregateQuery, ErrorCode } from './schemas.ts'
import { errorSchema } from './schemas.ts'
import { grantForApiToken, type TokenGrant } from './tokens.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the /api/v1 token check: which token, and the one region it opens. */
    apiGrant: TokenGrant | null
  }
}

/** Per token: a dashboard that refreshes every few seconds fits; a scraping loop does not. */
const apiLimit: Limit = { max: 120, windowMs: 60_000 }

export interface ApiOptions {
  publicBaseUrl: string
  /** The clock (tests pin it). */
  now?: () => Date
  /** Requests per token and window (tests lower it). */
  limit?: Limit
}

/**
 * An error answered as `{ error: { code, message, parameter? } }`. The codes are the
 * contract (errorSchema); messages are English sentences for the developer.
 */
export class ApiProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly parameter?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

const realm = 'Bearer realm="leervraag"'

function notFound(): ApiProblem {
  return new ApiProblem(404, 'not_found', 'Nothing here: an unknown address, or a region this token does not open.')
}

/**
 * The dashboard's filters, but strict: a machine that sends a value we cannot use gets a
 * 400 naming the parameter, where the dashboard page drops the value and shows a notice.
 */
function apiFilters(query: AggregateQuery, directory: RegionDirectory, day: string): ParsedFilters {
  // Off the grid: a free day range, an unknown spelling or a period with no day before today.
  if (query.from !== undefined || query.to !== undefined) {
    throw new ApiProblem(400, 'period_off_grid', 'free day ranges are not published: choose a period of the grid (week, month, quarter, year, quarter- or year-to-date)', query.from !== undefined ? 'from' : 'to')
  }
  const period = parsePeriod(query, day)
  if ('notice' in period) {
    if (period.notice.key === 'dashboard.error.period_not_yet') throw new ApiProblem(400, 'period_not_yet', 'this period has no day before today: its figures appear tomorrow at the earliest', 'period')
    throw new ApiProblem(400, 'period_off_grid', 'not a period of the grid: 2026-W48, 2026-11, 2026-Q4, 2026, 2026-Q4-td, 2026-td, or week, month, quarter, year, qtd, ytd', 'period')
  }
  const asked = askedFilters(query)
  if (asked.length > maxFilters) {
    throw new ApiProblem(400, 'too_many_filters', `at most ${maxFilters} filters at once: every further filter would make cells small enough to single people out by difference`, asked[maxFilters])
  }
  const parsed = parseFilters(query, directory, day)
  const notice = parsed.notices[0]
  if (notice === undefined) return parsed
  const name = notice.values?.name ?? 'filter'
  throw new ApiProblem(400, 'invalid_parameter', `this region has no ${name} with this id`, name)
}

/**
 * /api/v1: a region's dashboard figures as JSON, for a read-only token of that region.
 * Registered under /api, so that every address below /api — known or not — answers in
 * JSON, never with an HTML page.
 */
export default async function apiRoutes(app: FastifyInstance, options: ApiOptions) {
  const now = options.now ?? (() => new Date())
  const limit = options.limit ?? apiLimit
  let openApi: Record<string, unknown> | undefined

  app.decorateRequest('apiGrant', null)

  // Figures change with every answer and are not for shared caches.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'private, no-store')
  })

  function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ApiProblem) {
    if (problem.code === 'missing_token') reply.header('www-authenticate', realm)
    if (problem.code === 'invalid_token') reply.header('www-authenticate', `${realm}, error="invalid_token"`)
    if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds))
    const error: Record<string, string> = { code: problem.code, message: problem.message }
    if (problem.parameter !== undefined) error.parameter = problem.parameter
    if (problem.statusCode >= 500) error.requestId = String(request.id)
    return reply.code(problem.statusCode).type('application/json; charset=utf-8').send(errorSchema.parse({ error }))
  }

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof ApiProblem) {
      request.log.info({ code: error.code, status: error.statusCode }, 'api client error')
      return sendProblem(request, reply, error)
    }
    if (error.validation) {
      // A region id that is not an id is just another region this token does not open.
      if (error.validationContext === 'params') return sendProblem(request, reply, notFound())
      const issue = error.validation[0]!
      const keys = (issue.params as { keys?: unknown } | undefined)?.keys
      if (issue.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
        const name = String(keys[0])
        return sendProblem(request, reply, new ApiProblem(400, 'unknown_parameter', `unknown query parameter ${JSON.stringify(name)}`, name.slice(0, 40)))
      }
      const name = issue.instancePath.replace(/^\//, '').split('/')[0] ?? ''
      return sendProblem(request, reply, new ApiProblem(400, 'invalid_parameter', `${name} ${issue.message ?? 'does not fit'}`, name))
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ code: error.code, detail: error.message }, 'database unavailable')
      return sendProblem(request, reply, new ApiProblem(503, 'unavailable', 'The service cannot read its data right now; try again later.', undefined, unavailableRetrySeconds))
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
    if (status === 404) return sendProblem(request, reply, notFound())
    if (status < 500) {
      request.log.info({ code: error.code, status }, 'api client error')
      return sendProblem(request, reply, new ApiProblem(status, 'bad_request', 'The request cannot be understood.'))
    }
    request.log.error({ err: error }, 'request failed')
    return sendProblem(request, reply, new ApiProblem(500, 'internal_error', 'Something went wrong on our side; it has been logged.'))
  })

  app.setNotFoundHandler(async (request, reply) => sendProblem(request, reply, notFound()))

  // The contract is public: reading it needs no token.
  app.get(openApiPath, async () => {
    openApi ??= buildOpenApi(options.publicBaseUrl)
    return openApi
  })

  await app.register(async function protectedRoutes(api) {
    api.addHook('onRequest', async (request) => {
      const header = request.headers.authorization
      const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null
      if (!match) throw new ApiProblem(401, 'missing_token', 'Send a token of the region as "Authorization: Bearer <token>".')
      const grant = await grantForApiToken(app.db, match[1]!, now())
      if (!grant) throw new ApiProblem(401, 'invalid_token', 'The token is unknown or has been revoked.')
      // Keyed by the token's row id: nothing about the client is counted or kept.
      if (!(await app.rateLimiter.allowKey(request, `api:${grant.tokenId}`, limit))) {
        const windowSeconds = Math.ceil(limit.windowMs / 1000)
        const retry = windowSeconds - (Math.floor(Date.now() / 1000) % windowSeconds)
        throw new ApiProblem(429, 'rate_limited', `at most ${limit.max} requests per ${windowSeconds} seconds per token`, undefined, retry)
      }
      request.apiGrant = grant
    })

    const routes = api.withTypeProvider<ZodTypeProvider>()

    async function directoryFor(request: FastifyRequest<{ Params: { regionId: string } }>): Promise<RegionDirectory> {
      const regionId = Number(request.params.regionId)
      // Another region's id answers exactly like an id that does not exist.
      if (request.apiGrant?.regionId !== regionId) throw notFound()
      const directory = await regionDirectory(app.db, { regionId })
      if (!directory) throw notFound()
      return directory
    }

    function aggregate(present: (model: DashboardModel, slice: Slice) => unknown) {
      return async (request: FastifyRequest<{ Params: { regionId: string }; Querystring: AggregateQuery }>) => {
        const directory = await directoryFor(request)
        const parsed = apiFilters(request.query, directory, today(now()))
        // No free text is read: the API has no word statistics to compute.
        const model = await loadDashboard(app.db, { regionId: directory.region.id }, parsed.filters, parsed.grid, today(now()), { textWindow: 0, directory })
        if (!model) throw notFound()
        return present(model, { filters: parsed.filters })
      }
    }

    const handlers: Record<OperationId, (request: FastifyRequest<any>) => Promise<unknown>> = {
      listRegions: async (request) => {
        const directory = await regionDirectory(app.db, { regionId: request.apiGrant!.regionId })
        return { regions: directory ? [{ id: directory.region.id, name: directory.region.name }] : [] }
      },
      getRegion: async (request) => regionJson(await directoryFor(request)),
      getSummary: aggregate(summaryJson),
      getWeekly: aggregate(weeklyJson),
      getThemes: aggregate(themesJson),
      getBreakdowns: aggregate(breakdownsJson),
    }

    for (const endpoint of endpoints) {
      routes.route({
        method: 'GET',
        url: endpoint.path,
        schema: {
          ...(endpoint.params ? { params: endpoint.params } : {}),
          querystring: endpoint.query,
          response: { 200: endpoint.response },
        },
        handler: handlers[endpoint.operationId],
      })
    }
  })
}
