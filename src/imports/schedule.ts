import type { FastifyInstance } from 'fastify'
import { fetchFromUitdatabank, type FetchSettings } from './fetch.ts'

/**
 * The scheduled UiTdatabank fetch (when UITDATABANK_API_KEY, _QUERY and _REGION_ID are set):
 * a first run a minute after start, then every interval. Runs never overlap in one process;
 * two instances fetching at once both store the same events, which the idempotent store
 * turns into "unchanged" for the second.
 */
export default async function uitdatabankSchedule(app: FastifyInstance, options: { settings: FetchSettings; intervalMs: number }) {
  let current: Promise<void> | undefined
  let closed = false
  const run = () => {
    if (current !== undefined || closed) return
    current = fetchFromUitdatabank(app.db, options.settings)
      .then((result) => {
        app.log.info({ uitdatabank: 'counts' in result ? result.counts : { failure: result.failure } }, 'uitdatabank fetch')
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'uitdatabank fetch failed')
      })
      .finally(() => {
        current = undefined
      })
  }
  const first = setTimeout(run, Math.min(60_000, options.intervalMs)).unref()
  const every = setInterval(run, options.intervalMs).unref()
  app.addHook('onClose', async () => {
    closed = true
    clearTimeout(first)
    clearInterval(every)
    await current
  })
}
