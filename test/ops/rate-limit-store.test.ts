import { randomBytes } from 'node:crypto'
import rateLimit from '@fastify/rate-limit'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/database.ts'
import { type CounterStore, DatabaseCounterStore, RedisCounterStore } from '../../src/ops/counters.ts'
import { rateLimitStore } from '../../src/ops/rate-limit-store.ts'
import { testDatabase } from '../helpers.ts'

/** One "instance": an app with a limited route, counting in the given store. */
async function instance(t: { teardown(fn: () => unknown): void }, counters: CounterStore, secret: string) {
  const app = Fastify()
  await app.register(rateLimit, { global: false, store: rateLimitStore(counters, () => secret) })
  app.post('/answer', { config: { rateLimit: { max: 3, timeWindow: 60_000 } } }, async () => ({ stored: true }))
  await app.ready()
  t.teardown(() => app.close())
  return app
}

async function limitHoldsAcrossInstances(t: Test, a: CounterStore, b: CounterStore) {
  const secret = randomBytes(16).toString('hex')
  const apps = [await instance(t, a, secret), await instance(t, b, secret)]
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const res = await apps[i % 2]!.inject({ method: 'POST', url: '/answer', remoteAddress: '203.0.113.9' })
    statuses.push(res.statusCode)
  }
  t.same(statuses, [200, 200, 200, 429, 429], 'three per minute in total, whichever instance answers')
  const other = await apps[1]!.inject({ method: 'POST', url: '/answer', remoteAddress: '198.51.100.4' })
  t.equal(other.statusCode, 200, 'another client has its own count')
  const limited = await apps[0]!.inject({ method: 'POST', url: '/answer', remoteAddress: '203.0.113.9' })
  t.match(Number(limited.headers['retry-after']), /\d/, 'says when to come back')
  t.ok(Number(limited.headers['retry-after']) <= 60)
}

t.test('a rate limit holds across two instances sharing the database, and stores no address', async (t) => {
  const database = await testDatabase(t)
  const other = openDatabase(database.url)
  t.teardown(() => other.close())
  await limitHoldsAcrossInstances(t, new DatabaseCounterStore(database.db), new DatabaseCounterStore(other.db))
  const keys = (await database.db.selectFrom('ops_counters').select('key').execute()).map((row) => row.key)
  t.equal(keys.length, 2, 'one counter per client')
  for (const key of keys) {
    t.match(key, /^rl:POST \/answer:[A-Za-z0-9_-]{22}$/)
    t.notOk(key.includes('203.0.113.9') || key.includes('198.51.100.4'), 'no address in the key')
  }
})

t.test('a rate limit holds across two instances sharing Redis', async (t) => {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null })
  const reachable = await probe.connect().then(() => true, () => false)
  probe.disconnect()
  if (!reachable) {
    t.comment(`SKIPPED: no Redis at ${url}`)
    t.pass('skipped without Redis')
    return
  }
  const prefix = `leervraag-test:${randomBytes(6).toString('hex')}:`
  const a = new RedisCounterStore(new Redis(url), prefix)
  const b = new RedisCounterStore(new Redis(url), prefix)
  t.teardown(async () => {
    const cleanup = new Redis(url)
    const keys = await cleanup.keys(`${prefix}*`)
    if (keys.length > 0) await cleanup.del(...keys)
    await cleanup.quit()
    await a.close()
    await b.close()
  })
  await limitHoldsAcrossInstances(t, a, b)
})
