/**
 * The approved-quotes query on a large region with no approved quote (issue 17): seeds
 * ANSWERS answers (default 200,000, half with free text) into a fresh SQLite file, then
 * times `approvedQuotes` for the region's year. Usage: npx tsx scripts/bench-quotes.ts [answers] [file]
 */
import { rmSync } from 'node:fs'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { createActivity, createLocation, createPartner, createRegion } from '../src/admin/queries.ts'
import { createPoster } from '../src/posters/queries.ts'
import { approvedQuotes } from '../src/followup/index.ts'

const answers = Number(process.argv[2] ?? 200_000)
const file = process.argv[3] ?? '/tmp/leervraag-bench-quotes.db'
rmSync(file, { force: true })
const handle = openDatabase(`sqlite:${file}`)
const db = handle.db
await migrateToLatest(db)
const regionId = await createRegion(db, { slug: 'bench', name: 'Bench' })
const partnerId = await createPartner(db, regionId, 'Bib', 'library')
const locationId = await createLocation(db, regionId, { name: 'Bib' })
const activityId = await createActivity(db, { partnerId, title: 'Repair Café', audience: 'all' })
const poster = await createPoster(db, { activityId, locationId })
const start = Date.parse('2026-01-01T08:00:00Z')
const span = 360 * 86_400_000
for (let done = 0; done < answers; ) {
  const rows = []
  for (let i = 0; i < 1000 && done < answers; i++, done++) {
    rows.push({
      poster_id: poster.id, region_id: regionId, partner_id: partnerId, location_id: locationId, activity_id: activityId,
      created_at: new Date(start + Math.floor((done / answers) * span)).toISOString(), language: 'nl', tried_new: 'yes' as const, step: 2,
      free_text: done % 2 === 0 ? `ik wil graag leren tekst ${done}` : null, record_key: done % 256,
    })
  }
  await db.insertInto('responses').values(rows).execute()
}
const year = { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', limit: 6 }
await approvedQuotes(db, regionId, year) // warm
const times: number[] = []
for (let i = 0; i < 5; i++) {
  const t0 = performance.now()
  const found = await approvedQuotes(db, regionId, year)
  times.push(performance.now() - t0)
  if (found.length !== 0) throw new Error('expected no quote')
}
times.sort((a, b) => a - b)
console.log(`${answers} answers, no approved quote: approvedQuotes median ${times[2]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, max ${times[4]!.toFixed(1)})`)
await handle.close()
