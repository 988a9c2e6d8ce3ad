import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'
import { looksLikeICalendar, parseICalendar } from './ical.ts'
import { recordFailedRun, type RunOptions, type RunResult, storeRun } from './store.ts'
import { type Fetcher, parseSearchResult } from './uitdatabank.ts'

/** The largest file a coordinator may upload (issue 18). */
export const maxImportBytes = 20 * 1024 * 1024

export type FileResult = RunResult | { runId: number; failure: 'too-large' | 'not-utf8' | 'unknown-format' }

/**
 * One uploaded file: a Search API v3 result (or a single event) as JSON-LD, or an iCalendar
 * feed. A file that is neither, or too large, is a failed run with its reason and changes
 * nothing else.
 */
export async function importFile(db: Kysely<Database>, bytes: Buffer, options: Omit<RunOptions, 'source'> & { fetcher?: Fetcher }): Promise<FileResult> {
  const run = { ...options, source: 'upload' as const }
  if (bytes.length > maxImportBytes) return { runId: await recordFailedRun(db, 'too-large', run), failure: 'too-large' }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { runId: await recordFailedRun(db, 'not-utf8', run), failure: 'not-utf8' }
  }
  const region = await db.selectFrom('regions').select('default_language').where('id', '=', options.regionId).executeTakeFirstOrThrow()
  const now = (options.now ?? (() => new Date()))()
  let parsed = null
  if (looksLikeICalendar(text)) {
    parsed = parseICalendar(text, { language: region.default_language, now })
  } else {
    let json: unknown
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''))
    } catch {
      json = undefined
    }
    if (json !== undefined) parsed = await parseSearchResult(json, { language: region.default_language, now, ...(options.fetcher ? { fetcher: options.fetcher } : {}) })
  }
  if (parsed === null) return { runId: await recordFailedRun(db, 'unknown-format', run), failure: 'unknown-format' }
  return storeRun(db, parsed, run)
}
