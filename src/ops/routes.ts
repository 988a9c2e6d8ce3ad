import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { HttpMetrics, renderSample } from './metrics.ts'
import { ReadinessCheck } from './readiness.ts'

/**
 * Operations: /healthz (the process answers), /readyz (it can serve: database reachable,
 * schema current), /metrics (Prometheus text, only with the METRICS_TOKEN bearer token).
 * Wrapped with fastify-plugin so that the timing hook sees every route of the app.
 */
export default fp(
  async function ops(app: FastifyInstance) {
    const http = new HttpMetrics()
    const readiness = new ReadinessCheck(app.db)
    const startedAt = Date.now() / 1000

    // One hook, after the answer has gone out: the person waiting never pays for it.
    // routeOptions.url is the pattern (`/q/:code`), never the raw URL, so that codes and
    // tokens never become label values and the number of series stays bounded.
    app.addHook('onResponse', (request, reply, done) => {
      http.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000)
      done()
    })

    // Probes run every few seconds: their request lines would drown the log.
    const quiet = { logLevel: 'warn' as const }

    app.get('/healthz', quiet, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }))

    app.get('/readyz', quiet, async (_request, reply) => {
      const state = await readiness.check()
      return reply
        .code(state.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send({ status: state.ready ? 'ready' : 'not ready', database: state.database, migrations: state.migrations })
    })

    const token = app.config.metricsToken
    if (token === undefined) return
    const expected = digest(token)

    app.get('/metrics', quiet, async (request: FastifyRequest, reply: FastifyReply) => {
      const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').header('cache-control', 'no-store').send({ error: 'unauthorized' })
      }
      const lines: string[] = []
      http.render(lines)
      renderSample(lines, 'leervraag_answers_stored_total', 'counter', 'Answers (step 1) committed by this instance.', app.responseWriter.stored)
      renderSample(lines, 'leervraag_database_errors_total', 'counter', 'Failed database queries and connections.', app.databaseErrors.count)
      renderSample(lines, 'process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.', startedAt)
      const memory = process.memoryUsage()
      renderSample(lines, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', memory.rss)
      renderSample(lines, 'nodejs_heap_used_bytes', 'gauge', 'V8 heap in use in bytes.', memory.heapUsed)
      return reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(`${lines.join('\n')}\n`)
    })
  },
  { name: 'ops', dependencies: ['db'] },
)

/** Hashing first gives both sides the same length, which timingSafeEqual needs. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
