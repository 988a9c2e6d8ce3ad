import type { Kysely } from 'kysely'
import type { Database } from '../db/types.ts'

interface Job {
  work: (trx: Kysely<Database>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit for any short piece of database work that must be durable before the
 * person gets an answer (step 2 amendments). The jobs that arrive in one turn of the event
 * loop run in one transaction, so they share one disk flush (synchronous=FULL) instead of
 * paying one each; each caller is answered only after that transaction has committed.
 * If the batch fails as a whole, each job is run again in its own transaction, so one bad
 * job cannot take its neighbours down with it. The answer writer does the same for step 1,
 * with a batched rollup update on top.
 */
export class GroupCommit {
  private queue: Job[] = []
  private scheduled = false

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = 128,
  ) {}

  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    const batch = this.queue.splice(0, this.maxBatch)
    if (this.queue.length > 0) {
      this.scheduled = true
      setImmediate(() => void this.flush())
    }
    if (batch.length === 0) return
    try {
      const results = await this.db.transaction().execute(async (trx) => {
        const done: unknown[] = []
        for (const job of batch) done.push(await job.work(trx))
        return done
      })
      batch.forEach((job, index) => job.resolve(results[index]))
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error)
      for (const job of batch) await this.db.transaction().execute(job.work).then(job.resolve, job.reject)
    }
  }
}
