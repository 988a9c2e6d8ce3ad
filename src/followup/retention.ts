import type { Kysely } from 'kysely'
import { eraseFreeTexts } from '../answers/index.ts'
import type { Database } from '../db/types.ts'
import { eraseNotesOfErasedRequests } from './paths.ts'
import { erasedContactFields } from './queries.ts'

/**
 * Retention, per region (the settings are columns of `regions`, in days):
 * - contact details are erased `contact_days_after_close` days after a request was closed,
 * - and `contact_max_age_days` after it was made, even if no one ever closed it;
 * - free text is erased `free_text_retention_days` after the answer; the answer itself
 *   (the tap, the faces, the themes) stays, so every aggregate stays as it was.
 * Erasing sets the columns to null; with `secure_delete=ON` SQLite overwrites the old
 * bytes, and a WAL checkpoint removes the old page images (see `checkpoint`).
 * The notes of a learning path are contact data too (issue 19): they go with the contact
 * details, in the same transaction, whatever erased those.
 * Only counts are recorded, in `retention_runs`.
 */
export interface RetentionCounts {
  contactsAfterClose: number
  contactsMaxAge: number
  freeTexts: number
  /** Notes of learning-path steps erased with their request's contact details. */
  notes: number
}

const dayMs = 24 * 60 * 60 * 1000

function before(now: Date, days: number): string {
  return new Date(now.getTime() - days * dayMs).toISOString()
}

export async function runRetention(db: Kysely<Database>, now = new Date()): Promise<RetentionCounts> {
  const at = now.toISOString()
  const counts: RetentionCounts = { contactsAfterClose: 0, contactsMaxAge: 0, freeTexts: 0, notes: 0 }
  const regions = await db
    .selectFrom('regions')
    .select(['id', 'contact_days_after_close', 'contact_max_age_days', 'free_text_retention_days'])
    .execute()
  await db.transaction().execute(async (trx) => {
    for (const region of regions) {
      const closed = await trx
        .updateTable('contact_requests')
        .set(erasedContactFields(at, 'after_close'))
        .where('region_id', '=', region.id)
        .where('erased_at', 'is', null)
        .where('status', '=', 'closed')
        .where('closed_at', '<=', before(now, region.contact_days_after_close))
        .executeTakeFirst()
      counts.contactsAfterClose += Number(closed.numUpdatedRows)

      const aged = await trx
        .updateTable('contact_requests')
        .set(erasedContactFields(at, 'max_age'))
        .where('region_id', '=', region.id)
        .where('erased_at', 'is', null)
        .where('created_at', '<=', before(now, region.contact_max_age_days))
        .executeTakeFirst()
      counts.contactsMaxAge += Number(aged.numUpdatedRows)

      const textCutoff = before(now, region.free_text_retention_days)
      counts.freeTexts += await eraseFreeTexts(trx, region.id, textCutoff)
      // A moderator's redacted copy is the same text: it goes with it.
      await trx
        .updateTable('response_moderation')
        .set({ redacted_text: null })
        .where('redacted_text', 'is not', null)
        .where('response_id', 'in', (eb) => eb.selectFrom('responses').select('id').where('region_id', '=', region.id).where('created_at', '<=', textCutoff))
        .execute()
    }
    counts.notes = await eraseNotesOfErasedRequests(trx)
    await trx
      .insertInto('retention_runs')
      .values({ ran_at: at, contacts_after_close: counts.contactsAfterClose, contacts_max_age: counts.contactsMaxAge, free_texts: counts.freeTexts, notes: counts.notes })
      .execute()
  })
  return counts
}

/**
 * SQLite keeps the previous versions of changed pages in the write-ahead log until a
 * checkpoint copies the new pages into the database file; TRUNCATE then empties the log,
 * so the erased bytes are gone from both files. PostgreSQL reclaims dead tuples itself
 * (VACUUM); there is nothing to do here for it.
 */
export async function checkpoint(sqlite: { pragma(source: string): unknown } | undefined): Promise<void> {
  sqlite?.pragma('wal_checkpoint(TRUNCATE)')
}
