import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { recordFailedRun, type RunResult, storeRun } from './store.ts'
import { collectionTotal, type Parsed, parseSearchResult } from './uitdatabank.ts'

/**
 * The scheduled fetch from UiTdatabank Search API v3 (cultuurnet/apidocs, search-api/):
 * - /events/ with `q` (advanced query), `embed=true` (embedding.md: full documents instead of
 *   links) and paging by `start` and `limit` (pagination.md: start ≤ 10000, limit ≤ 2000);
 * - incremental through `modifiedFrom`/`modifiedTo` (filters/datetime.md), from where the last
 *   successful run stopped; `modifiedTo` is fixed at the run's start so that paging sees one
 *   stable result set;
 * - the default filters hide DELETED documents and past ones (default-filters.md:
 *   workflowStatus defaults to READY_FOR_VALIDATION,APPROVED; availableFrom/availableTo to
 *   now): an incremental run asks for DELETED and REJECTED as well and lifts the
 *   availability window, or a cancellation would never arrive.
 */

export interface FetchSettings {
  url: string
  apiKey: string
  query: string
  regionId: number
  pageSize?: number
  now?: () => Date
}

const maxStart = 10_000

export async function fetchFromUitdatabank(db: Kysely<Database>, settings: FetchSettings): Promise<RunResult | { runId: number; failure: string }> {
  const now = (settings.now ?? (() => new Date()))()
  const until = now.toISOString()
  const last = await db
    .selectFrom('import_runs')
    .select('modified_until')
    .where('region_id', '=', settings.regionId)
    .where('source', '=', 'fetch')
    .where('failure', 'is', null)
    .where('modified_until', 'is not', null)
    .orderBy('id', 'desc')
    .executeTakeFirst()
  const region = await db.selectFrom('regions').select('default_language').where('id', '=', settings.regionId).executeTakeFirstOrThrow()
  const get = async (url: string): Promise<unknown> => {
    const response = await fetch(url, { headers: { 'x-api-key': settings.apiKey, accept: 'application/ld+json, application/json' }, signal: AbortSignal.timeout(30_000) })
    if (!response.ok) throw new Error(`HTTP ${response.status} for ${new URL(url).pathname}`)
    return response.json()
  }
  const limit = settings.pageSize ?? 200
  const parsed: Parsed[] = []
  try {
    for (let start = 0; ; start += limit) {
      if (start > maxStart) throw new Error('more than 10000 results: narrow UITDATABANK_QUERY')
      const params = new URLSearchParams({
        q: settings.query,
        embed: 'true',
        start: String(start),
        limit: String(limit),
        workflowStatus: 'READY_FOR_VALIDATION,APPROVED,DELETED,REJECTED',
        availableFrom: '*',
        availableTo: '*',
        modifiedTo: until,
      })
      if (last?.modified_until) params.set('modifiedFrom', last.modified_until)
      const page = await get(`${settings.url}/events/?${params}`)
      const members = await parseSearchResult(page, { language: region.default_language, fetcher: get, now })
      if (members === null) throw new Error('the answer is not a PagedCollection')
      parsed.push(...members)
      const total = collectionTotal(page) ?? 0
      if (members.length === 0 || start + limit >= total) break
    }
  } catch (error) {
    const runId = await recordFailedRun(db, `fetch: ${(error as Error).message}`.slice(0, 64), { regionId: settings.regionId, source: 'fetch', now: () => now })
    return { runId, failure: (error as Error).message }
  }
  return storeRun(db, parsed, { regionId: settings.regionId, source: 'fetch', modifiedUntil: until, now: () => now })
}
