import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/database.ts'
import { acquireLease, releaseLease, runExclusively, scheduleJob } from '../../src/ops/job-lease.ts'
import { testConfig, testDatabase } from '../helpers.ts'

t.test('a lease has one holder until it expires or is released', async (t) => {
  const database = await testDatabase(t)
  const db = database.db
  const now = new Date('2026-11-28T12:00:00.000Z')
  t.equal(await acquireLease(db, 'retention', 'instance-a', 60_000, now), true, 'a takes the free lease')
  t.equal(await acquireLease(db, 'retention', 'instance-b', 60_000, new Date(now.getTime() + 1_000)), false, 'b cannot while a holds it')
  t.equal(await acquireLease(db, 'rollups', 'instance-b', 60_000, now), true, 'another job has its own lease')
  t.equal(await acquireLease(db, 'retention', 'instance-a', 60_000, new Date(now.getTime() + 30_000)), true, 'a may renew its own')
  t.equal(await acquireLease(db, 'retention', 'instance-b', 60_000, new Date(now.getTime() + 89_000)), false, 'the renewal counts from when it was made')
  t.equal(await acquireLease(db, 'retention', 'instance-b', 60_000, new Date(now.getTime() + 90_000)), true, 'b takes it once it expired (a died)')
  await releaseLease(db, 'retention', 'instance-a')
  t.equal(await acquireLease(db, 'retention', 'instance-c', 60_000, new Date(now.getTime() + 91_000)), false, "a cannot release b's lease")
  await releaseLease(db, 'retention', 'instance-b')
  t.equal(await acquireLease(db, 'retention', 'instance-c', 60_000, new Date(now.getTime() + 92_000)), true, 'released: free again')
})

t.test('instances racing for a lease: exactly one wins', async (t) => {
  const database = await testDatabase(t)
  const others = Array.from({ length: 4 }, () => openDatabase(database.url))
  t.teardown(() => Promise.all(others.map((other) => other.close())))
  const handles = [database, ...others]
  const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => acquireLease(handles[i % handles.length]!.db, 'rollups', `instance-${i}`, 60_000)))
  t.equal(outcomes.filter(Boolean).length, 1)
})

t.test('runExclusively skips while another instance runs the job, and releases after', async (t) => {
  const database = await testDatabase(t)
  let release!: () => void
  let started!: () => void
  const running = new Promise<void>((resolve) => (started = resolve))
  const first = runExclusively(database.db, 'export', 'a', 60_000, () => {
    started()
    return new Promise<void>((resolve) => (release = resolve))
  })
  // Until a holds the lease and runs: not a fixed wait, which a loaded PostgreSQL outlasted
  // (b took the lease first, and the test failed in CI).
  await running
  t.equal(await runExclusively(database.db, 'export', 'b', 60_000, async () => {
    t.fail('must not run')
  }), 'skipped')
  release()
  t.equal(await first, 'ran')
  t.equal(await runExclusively(database.db, 'export', 'b', 60_000, async () => {}), 'ran', 'free after the first run')
})

t.test('a job scheduled on two instances never runs on both at once', async (t) => {
  const database = await testDatabase(t)
  const apps = await Promise.all([buildApp(testConfig(), { database }), buildApp(testConfig(), { database })])
  let active = 0
  let overlap = 0
  const ranBy = new Set<string>()
  apps.forEach((app, index) =>
    scheduleJob(app, {
      name: 'rollup',
      everyMs: 15,
      leaseMs: 5_000,
      holder: `instance-${index}`,
      run: async () => {
        active++
        if (active > 1) overlap++
        ranBy.add(`instance-${index}`)
        await new Promise((resolve) => setTimeout(resolve, 40))
        active--
      },
    }),
  )
  await new Promise((resolve) => setTimeout(resolve, 800))
  await Promise.all(apps.map((app) => app.close()))
  t.equal(overlap, 0, 'never two runs at the same time')
  t.ok(ranBy.size >= 1, `ran (by ${[...ranBy].join(', ')})`)
})

t.test('a scheduled job: the first run soon after start, then every interval, none after close', async (t) => {
  const database = await testDatabase(t)
  const app = await buildApp(testConfig(), { database, retentionIntervalMs: 0 })
  const runs: number[] = []
  const started = Date.now()
  scheduleJob(app, {
    name: 'first-soon',
    everyMs: 400,
    firstRunAfterMs: 20,
    leaseMs: 5_000,
    holder: 'solo',
    run: async (_app, lease) => {
      runs.push(Date.now() - started)
      t.equal(await lease.renew(), true, 'the run may renew its own lease')
    },
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(runs.length, 1, 'one run well before the first interval')
  t.ok(runs[0]! < 250, `the first run after ${runs[0]} ms`)
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.equal(runs.length, 2, 'then one per interval')
  await app.close()
  const count = runs.length
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(runs.length, count, 'no run after close')
  t.same(await database.db.selectFrom('ops_job_leases').selectAll().where('name', '=', 'first-soon').execute(), [], 'the lease is released after each run')
})
