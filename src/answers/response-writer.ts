import type { Kysely } from 'kysely'
import type { Database, NewResponse } from '../db/types.ts'
import { applyStepOneBatch } from './rollups.ts'
import { asUnavailable, isDatabaseUnavailable } from '../http/errors.ts'
import { insertResponse, insertResponseRow, type NewAnswer, withRecordKey } from './responses.ts'

interface Pending {
  values: NewResponse
  resolve: (id: number) => void
  reject: (error: unknown) => void
}

/**
 * Group commit for step-1 answers. Each answer must be on disk before we acknowledge it
 * (synchronous=FULL on SQLite, a committed transaction on PostgreSQL), and a disk flush
 * per request caps throughput at a few thousand per second. So the answers that arrive
 * in one turn of the event loop are written in one transaction with one flush, and each
 * request is answered only after that transaction has committed.
 *
 * If the batch fails as a whole, each answer is retried on its own, so that one bad row
 * cannot take its neighbours down with it. If it failed because the database cannot store
 * anything (disk full, read-only, connection gone), retrying row by row would only fail
 * slower: every waiting request gets DatabaseUnavailable (a 503) at once. The transaction
 * was rolled back, so none of them is half-written and none was acknowledged.
 */
export class ResponseWriter {
  private queue: Pending[] = []
  private scheduled = false
  /** Answers committed by this instance since it started (for /metrics). */
  stored = 0

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 256,
    /**
     * Off only in the benchmark that prices the rollups (`answer_post_no_rollups`): without
     * them the dashboards go stale, so nothing else may switch them off.
     */
    private readonly rollups = true,
  ) {}

  /** Stores a step-1 answer with a fresh record key; resolves with its id once committed. */
  write(answer: NewAnswer): Promise<number> {
    // The key is drawn once, here: a retry after a failed batch stores the same one.
    const values = withRecordKey(answer)
    return new Promise((resolve, reject) => {
      this.queue.push({ values, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => void this.flush())
      }
    })
  }

  /** One answer and its rollups, committed together. */
  private insertOne(values: NewResponse): Promise<number> {
    if (!this.rollups) return this.db.transaction().execute(async (trx) => (await insertResponseRow(trx, values)).id)
    return this.db.transaction().execute((trx) => insertResponse(trx, values))
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    const batch = this.queue.splice(0, this.maxBatch)
    if (this.queue.length > 0) {
      this.scheduled = true
      setImmediate(() => void this.flush())
    }
    if (batch.length === 0) return
    if (batch.length === 1) {
      const only = batch[0]!
      await this.insertOne(only.values).then(
        (id) => this.acknowledge(only, id),
        (error) => only.reject(asUnavailable(error)),
      )
      return
    }
    try {
      const ids = await this.db.transaction().execute(async (trx) => {
        const made: number[] = []
        const counted: NewResponse[] = []
        for (const pending of batch) {
          const { id, inserted } = await insertResponseRow(trx, pending.values)
          made.push(id)
          if (inserted) counted.push(pending.values)
        }
        // The dashboard rollups in the same commit: one upsert per poster and day for the batch.
        if (this.rollups) await applyStepOneBatch(trx, counted)
        return made
      })
      batch.forEach((pending, index) => this.acknowledge(pending, ids[index]!))
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        const unavailable = asUnavailable(error)
        for (const pending of batch) pending.reject(unavailable)
        return
      }
      for (const pending of batch) {
        await this.insertOne(pending.values).then(
          (id) => this.acknowledge(pending, id),
          (rowError) => pending.reject(asUnavailable(rowError)),
        )
      }
    }
  }

  private acknowledge(pending: Pending, id: number): void {
    this.stored++
    pending.resolve(id)
  }
}
