import type { FastifyInstance } from 'fastify'
import { scheduleJob } from '../ops/job-lease.ts'
import { fetchFromUitdatabank, type FetchSettings } from './fetch.ts'

/**
 * The scheduled UiTdatabank fetch (when UITDATABANK_API_KEY, _QUERY and _REGION_ID are set),
 * as a scheduled job (src/ops/job-lease.ts): a first run a minute after start, then every
 * interval, on one instance at a time. Two fetches at once would be harmless (the store is
 * idempotent: the second sees "unchanged"), but the lease spares the source the double load.
 */
export default async function uitdatabankSchedule(app: FastifyInstance, options: { settings: FetchSettings; intervalMs: number; holder?: string }) {
  scheduleJob(app, {
    name: 'uitdatabank-fetch',
    everyMs: options.intervalMs,
    firstRunAfterMs: Math.min(60_000, options.intervalMs),
    // Paging through a large region with one request per linked event: well under half an hour.
    leaseMs: 30 * 60_000,
    ...(options.holder ? { holder: options.holder } : {}),
    run: async () => {
      try {
        const result = await fetchFromUitdatabank(app.db, options.settings)
        app.log.info({ uitdatabank: 'counts' in result ? result.counts : { failure: result.failure } }, 'uitdatabank fetch')
      } catch (error) {
        app.log.error({ err: error }, 'uitdatabank fetch failed')
      }
    },
  })
}
