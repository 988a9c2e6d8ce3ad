import t from 'tap'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { ReadinessCheck } from '../../src/ops/readiness.ts'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, testConfig, testDatabase } from '../helpers.ts'
import { readySoon } from './ready-soon.ts'

const token = 'metrics-token-0123456789abcdef'

t.test('/healthz answers while the process lives; /readyz when the database is reachable and current', async (t) => {
  const { app } = await buildTestApp(t)
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })
  const ready = await readySoon(app)
  t.same(ready, { status: 200, body: { status: 'ready', database: 'ok', migrations: 'current' }, cacheControl: 'no-store' })
})

t.test('/readyz is 503 while migrations are pending', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  // The app needs its secret table to start; the readiness check must still see the gap.
  await database.db.schema.createTable('app_secrets').addColumn('name', 'varchar(60)', (c) => c.primaryKey()).addColumn('value', 'varchar(200)').addColumn('created_at', 'varchar(30)').execute()
  const app = await buildApp(testConfig(), { database })
  t.teardown(() => app.close())
  const pending = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(pending.statusCode, 503)
  t.same(pending.json(), { status: 'not ready', database: 'ok', migrations: 'pending' })
})

t.test('the migrations check is remembered: a pending schema is looked at again after 5 s, a current one after a minute', async (t) => {
  const database = await testDatabase(t, { migrate: false })
  let now = 1_000_000
  const check = new ReadinessCheck(database.db, 2_000, () => now)
  t.match(await check.check(), { ready: false, migrations: 'pending' })
  await migrateToLatest(database.db)
  now += 4_000
  t.match(await check.check(), { ready: false, migrations: 'pending' }, 'still the remembered answer')
  now += 1_001
  t.match(await check.check(), { ready: true, database: 'ok', migrations: 'current' }, 'ready soon after the migration')
  await database.db.deleteFrom('kysely_migration' as never).execute()
  now += 59_000
  t.match(await check.check(), { ready: true, migrations: 'current' }, 'a current schema is remembered for a minute')
  now += 1_001
  t.match(await check.check(), { ready: false, migrations: 'pending' })
})

t.test('/readyz is 503 when the database cannot answer', async (t) => {
  const database = await testDatabase(t)
  const app = await buildApp(testConfig(), { database })
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
  if (database.sqlite) database.sqlite.close()
  else await database.db.destroy()
  const down = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(down.statusCode, 503)
  t.same(down.json(), { status: 'not ready', database: 'unreachable', migrations: 'unknown' })
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process itself is still alive')
})

t.test('/metrics does not exist without METRICS_TOKEN', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.statusCode, 404)
})

t.test('/metrics refuses a missing or wrong token', async (t) => {
  const { app } = await buildTestApp(t, { METRICS_TOKEN: token })
  for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, `Bearer ${token}x`]) {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} })
    t.equal(res.statusCode, 401, String(authorization))
    t.notMatch(res.body, 'leervraag_', 'no figures leak')
  }
})

t.test('/metrics counts requests per route pattern, latencies, answers stored and database errors', async (t) => {
  const { app, database } = await buildTestApp(t, { METRICS_TOKEN: token })
  const fixture = await seedPoster(database)
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: `/q/${fixture.code}` })).statusCode, 200)
  const { res: answer } = await answerStepOne(app, fixture.code)
  t.equal(answer.statusCode, 303)
  await app.inject({ method: 'GET', url: '/no/such/page/SECRET123' })
  await database.db.executeQuery(sql`select * from no_such_table`.compile(database.db)).catch(() => {})

  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  const text = res.body
  t.match(text, 'leervraag_http_requests_total{method="GET",route="/q/:code",status="200"} 4')
  t.match(text, 'leervraag_http_requests_total{method="POST",route="/q/:code",status="303"} 1')
  t.match(text, 'leervraag_http_requests_total{method="GET",route="(unmatched)",status="404"} 1')
  t.match(text, 'leervraag_http_request_duration_seconds_count{method="GET",route="/q/:code"} 4')
  t.match(text, 'leervraag_http_request_duration_seconds_bucket{method="GET",route="/q/:code",le="+Inf"} 4')
  t.match(text, 'leervraag_answers_stored_total 1')
  t.match(text, /leervraag_database_errors_total [1-9]/)
  t.notMatch(text, fixture.code, 'poster codes never become labels')
  t.notMatch(text, 'SECRET123', 'raw URLs never become labels')

  // Buckets are cumulative and end at the count.
  const buckets = [...text.matchAll(/duration_seconds_bucket\{method="GET",route="\/q\/:code",le="[^"]+"\} (\d+)/g)].map((m) => Number(m[1]))
  t.equal(buckets.length, 13)
  t.same([...buckets].sort((a, b) => a - b), buckets, 'cumulative')
  t.equal(buckets.at(-1), 4)
})
