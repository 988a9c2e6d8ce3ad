import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { brusselsDay } from '../src/answers/index.ts'
import { cellKey, D, K, publish } from '../src/answers/cell-key.ts'
import { dayNumber, type GridKind, periodId, periodOf } from '../src/answers/period-grid.ts'
import { seedDemo } from './seed-demo.ts'

/**
 * `npx tsx scripts/perturbation-cost.ts`: what the cell-key table costs in accuracy on the
 * demo's data (docs/privacy.md quotes it). Seeds the demo (`npm run demo`'s 4,000 answers)
 * into an in-memory database, then publishes every cell the dashboard can show with no
 * filter or one filter: each region × each week, month, quarter and year × nothing,
 * each location, partner, activity or age band × each measure (answers, step 2, each
 * "tried something new" choice). The change is published − true; cells whose true count
 * is 0 publish 0 and are left out, so the figures are over cells that hold answers.
 */
async function main() {
  const database = openDatabase('sqlite::memory:')
  await migrateToLatest(database.db)
  await seedDemo(database.db, { responses: 4000 })
  const rows = await database.db
    .selectFrom('responses')
    .select(['id', 'region_id', 'partner_id', 'location_id', 'activity_id', 'created_at', 'step', 'tried_new', 'age_band', 'record_key'])
    .execute()
  const cells = new Map<string, { count: number; keySum: number }>()
  const add = (key: string, recordKey: number) => {
    const cell = cells.get(key) ?? { count: 0, keySum: 0 }
    cell.count += 1
    cell.keySum += recordKey
    cells.set(key, cell)
  }
  for (const row of rows) {
    const day = dayNumber(brusselsDay(row.created_at))
    const measures = ['responses', ...(row.step >= 2 ? ['step2'] : []), `tried_${row.tried_new}`]
    const filters = ['all', `location=${row.location_id}`, `partner=${row.partner_id}`, `activity=${row.activity_id}`, ...(row.age_band === null ? [] : [`age=${row.age_band}`])]
    for (const kind of ['week', 'month', 'quarter', 'year'] as GridKind[]) {
      const period = periodId(periodOf(kind, day))
      for (const filter of filters) for (const measure of measures) add(`${row.region_id} ${period} ${filter} ${measure}`, row.record_key)
    }
  }
  let largest = 0
  let sum = 0
  let unchanged = 0
  let smallCells = 0
  const bySize = { under5: [0, 0], from5to19: [0, 0], from20: [0, 0] } as Record<string, [number, number]>
  for (const { count, keySum } of cells.values()) {
    const change = Math.abs(publish(count, cellKey(keySum)) - count)
    largest = Math.max(largest, change)
    sum += change
    if (change === 0) unchanged++
    if (count < K) smallCells++
    const band = count < K ? 'under5' : count < 20 ? 'from5to19' : 'from20'
    bySize[band]![0] += 1
    bySize[band]![1] += change
  }
  const mean = (pair: [number, number]) => (pair[0] === 0 ? '–' : (pair[1] / pair[0]).toFixed(2))
  console.log(`table k=${K} D=${D}; demo: ${rows.length} answers, ${cells.size} published cells that hold answers`)
  console.log(`largest absolute change ${largest}, mean absolute change ${(sum / cells.size).toFixed(2)}, unchanged ${((100 * unchanged) / cells.size).toFixed(1)} %`)
  console.log(
    `mean absolute change by true count: 1…${K - 1} (${bySize.under5![0]} cells, ${((100 * smallCells) / cells.size).toFixed(1)} %): ${mean(bySize.under5!)}; ` +
      `${K}…19 (${bySize.from5to19![0]}): ${mean(bySize.from5to19!)}; 20 and more (${bySize.from20![0]}): ${mean(bySize.from20!)}`,
  )
  await database.close()
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
