import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { qrUrl } from '../src/posters/qr.ts'
import { exitOnStartError, start } from '../src/start.ts'
import { createDemoAccounts } from '../src/auth/demo-accounts.ts'
import { seedDemo } from './seed-demo.ts'
import { seedDemoExtras } from './seed-demo-extras.ts'
import { seedDemoImports } from './seed-demo-imports.ts'

/**
 * `npm run demo`: a running server with two demo regions, their posters and a few
 * thousand answers. Uses data/demo.db unless DATABASE_URL says otherwise; seeds only an
 * empty database, so a second run keeps what the first one made (and what you changed).
 */
async function main() {
  // Quieter than the server's default, so the poster list stays on screen; LOG_LEVEL=info shows every request.
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? 'sqlite:data/demo.db',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  })
  const database = openDatabase(config.databaseUrl)
  await migrateToLatest(database.db)

  const { count } = await database.db.selectFrom('regions').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow()
  if (Number(count) === 0) {
    const started = performance.now()
    const summary = await seedDemo(database.db, { responses: 4000 })
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`demo: seeded ${summary.regions.map((r) => r.name).join(' and ')}: ${summary.posters.length} posters, ${summary.responses} responses (${seconds} s)`)
  } else {
    console.log(`demo: ${config.databaseUrl} already has data; starting it as it is`)
  }

  // A few posters to try: one per audience, the children's variant included, and a paused one.
  const posters = await database.db
    .selectFrom('posters')
    .innerJoin('activities', 'activities.id', 'posters.activity_id')
    .innerJoin('locations', 'locations.id', 'posters.location_id')
    .select(['posters.code', 'posters.status', 'activities.title', 'activities.audience', 'locations.name as location'])
    .orderBy('posters.id')
    .execute()
  const shown = [
    ...['all', 'children', 'youth', 'adults', 'seniors'].flatMap((audience) => posters.filter((p) => p.status === 'active' && p.audience === audience).slice(0, 1)),
    ...posters.filter((p) => p.status === 'paused').slice(0, 1),
  ]

  // One account per role to look around with (new passwords on every run; only hashes are kept).
  const logins = await createDemoAccounts(database.db)
  // Offers, updates, follow-up requests, quotes, a location request: added where missing, so an older demo database gets them too.
  const extras = await seedDemoExtras(database.db)
  if (Object.values(extras).some((n) => n > 0)) {
    console.log(`demo: added ${extras.offers} offers, ${extras.updates} updates, ${extras.contactRequests} follow-up requests, ${extras.approvedQuotes} approved quotes, ${extras.locationRequests} location request(s)`)
  }
  // Activities and offers imported from an UiTdatabank-shaped file (issue 18), as a coordinator uploads one.
  const imported = await seedDemoImports(database.db)
  if (imported && 'counts' in imported && imported.counts.imported > 0) console.log(`demo: imported ${imported.counts.imported} UiTdatabank events (${imported.counts.pending} waiting for a place)`)

  await start(config, { database })
  const base = config.publicBaseUrl
  console.log(`\nLeervraag demo is running on ${base} (Ctrl+C stops it). Posters to scan or open:\n`)
  for (const poster of shown) {
    const note = poster.status === 'active' ? poster.audience : poster.status
    console.log(`  ${base}/q/${poster.code}  ${poster.title} @ ${poster.location} (${note})`)
    console.log(`    QR: ${base}/q/${poster.code}/qr.svg  → encodes ${qrUrl(base, poster.code)}`)
  }
  console.log(`\n  Type a code by hand: ${base}/q\n`)
  console.log(`  Sign in at ${base}/login with one of these:`)
  for (const line of logins) console.log(`  ${line}`)
  console.log('')
}

main().catch(exitOnStartError)
