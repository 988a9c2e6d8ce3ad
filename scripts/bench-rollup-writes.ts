import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createActivity, createLocation, createPartner, createRegion } from '../src/admin/queries.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import type { NewResponse } from '../src/db/types.ts'
import { applyStepOne, applyStepOneBatch, newRecordKey } from '../src/answers/index.ts'
import { createPoster } from '../src/posters/queries.ts'

/**
 * What keeping the rollups costs the durable answer path: step-1 answers written the way
 * the answer writer does (group commit, `batch` answers per transaction, synchronous=FULL),
 * without rollups, with one applyStepOne per answer, and with one applyStepOneBatch per
 * transaction. Prints answers per second for each.
 *
 *   tsx scripts/bench-rollup-writes.ts [answers=20000] [batch=32] [posters=50]
 */

const total = Number(process.argv[2] ?? 20_000)
const batch = Number(process.argv[3] ?? 32)
const posterCount = Number(process.argv[4] ?? 50)

const dir = mkdtempSync(join(tmpdir(), 'leervraag-bench-'))
const handle = openDatabase(`sqlite:${join(dir, 'bench.db')}`)
try {
  await migrateToLatest(handle.db)
  const regionId = await createRegion(handle.db, { slug: 'bench', name: 'Bench' })
  const partnerId = await createPartner(handle.db, regionId, 'Partner')
  const activityId = await createActivity(handle.db, { partnerId, title: 'Activiteit' })
  const posters: { id: number; locationId: number }[] = []
  for (let i = 0; i < posterCount; i++) {
    const locationId = await createLocation(handle.db, regionId, { name: `Locatie ${i}` })
    posters.push({ id: (await createPoster(handle.db, { activityId, locationId })).id, locationId })
  }
  const answer = (i: number): NewResponse => {
    const poster = posters[i % posters.length]!
    return {
      poster_id: poster.id,
      region_id: regionId,
      partner_id: partnerId,
      location_id: poster.locationId,
      activity_id: activityId,
      created_at: new Date().toISOString(),
      language: 'nl',
      tried_new: (['yes', 'a_bit', 'no'] as const)[i % 3]!,
      step: 1,
      record_key: newRecordKey(),
    }
  }
  for (const mode of ['none', 'per-answer', 'per-batch', 'none', 'per-answer', 'per-batch'] as const) {
    const started = performance.now()
    for (let done = 0; done < total; done += batch) {
      await handle.db.transaction().execute(async (trx) => {
        const values = Array.from({ length: Math.min(batch, total - done) }, (_, j) => answer(done + j))
        for (const value of values) {
          await trx.insertInto('responses').values(value).returning('id').executeTakeFirstOrThrow()
          if (mode === 'per-answer') await applyStepOne(trx, value)
        }
        if (mode === 'per-batch') await applyStepOneBatch(trx, values)
      })
    }
    const seconds = (performance.now() - started) / 1000
    console.log(`${mode.padEnd(10)} ${Math.round(total / seconds)} answers/s`)
  }
} finally {
  await handle.close()
  rmSync(dir, { recursive: true, force: true })
}
