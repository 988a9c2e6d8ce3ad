import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/database.ts'
import { type CounterStore, DatabaseCounterStore, RedisCounterStore } from '../../src/ops/counters.ts'
import { MemoryCounterStore } from '../../src/http/rate-limit.ts'
import { testDatabase } from '../helpers.ts'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function redisReachable(): Promise<boolean> {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null })
  try {
    await probe.connect()
    await probe.ping()
    return true
  } catch {
    return false
  } finally {
    probe.disconnect()
  }
}

/** The behaviour every backend must show; `a` and `b` are two instances sharing one store. */
function sharedCounterBehaviour(t: Test, open: () => Promise<{ a: CounterStore; b: CounterStore }>) {
  t.test('counts across instances, atomically, per key and per window', async (t) => {
    const { a, b } = await open()
    const key = `answers:${randomBytes(8).toString('hex')}`
    const now = Date.UTC(2026, 10, 28, 12, 0, 30)
    const counts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).hit(key, 60, now)))
    t.same([...counts].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1), 'every hit got its own count: none lost, none doubled')
    t.equal(await b.hit(`${key}:other`, 60, now), 1, 'another key counts on its own')
    t.equal(await a.hit(key, 60, now + 29_000), 41, 'same window (…12:00:59)')
    t.equal(await a.hit(key, 60, now + 30_000), 1, 'the next window starts at 1 (12:01:00)')
    t.equal(await b.hit(key, 86_400, now), 1, 'a day window is a different counter than a minute window')
  })

  t.test('a flood of other keys leaves an existing counter alone', async (t) => {
    const { a, b } = await open()
    const key = `exhausted:${randomBytes(8).toString('hex')}`
    const now = Date.UTC(2026, 10, 28, 12, 0, 30)
    for (let i = 0; i < 50; i++) await a.hit(key, 600, now)
    for (let start = 0; start < 1_200; start += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, j) => b.hit(`flood:${key}:${start + j}`, 600, now)))
    }
    t.equal(await a.hit(key, 600, now + 1_000), 51, 'the count goes on where it was')
  })
}

t.test('database counters', async (t) => {
  sharedCounterBehaviour(t, async () => {
    const database = await testDatabase(t)
    const other = openDatabase(database.url)
    t.teardown(() => other.close())
    return { a: new DatabaseCounterStore(database.db), b: new DatabaseCounterStore(other.db) }
  })

  t.test('expired windows are swept', async (t) => {
    const database = await testDatabase(t)
    const store = new DatabaseCounterStore(database.db)
    const now = Date.UTC(2026, 10, 28, 12, 0, 0)
    await store.hit('old', 60, now - 120_000)
    t.equal(await store.sweep(now), 1, 'the window that ended is deleted')
    await store.hit('current', 60, now + 1_000)
    const keys = (await database.db.selectFrom('ops_counters').select('key').execute()).map((row) => row.key)
    t.same(keys, ['current'])
    t.equal(await store.sweep(now + 120_000), 1)
  })
})

t.test('memory counters (one SQLite instance)', async (t) => {
  sharedCounterBehaviour(t, async () => {
    // One instance only: both "instances" are the same store.
    const store = new MemoryCounterStore(1_000)
    return { a: store, b: store }
  })

  t.test('when full, ended windows and then the keys with the fewest hits go first', async (t) => {
    const store = new MemoryCounterStore(100)
    const now = Date.UTC(2026, 10, 28, 12, 0, 30)
    for (let i = 0; i < 40; i++) await store.hit('busy', 600, now)
    await store.hit('day', 86_400, now)
    await store.hit('day', 86_400, now)
    for (let i = 0; i < 500; i++) await store.hit(`flood:${i}`, 600, now)
    t.ok(store.size <= 100, `bounded (${store.size} keys)`)
    t.equal(await store.hit('busy', 600, now), 41, 'the busy client keeps its count')
    t.equal(await store.hit('day', 86_400, now), 3, 'a counter with another window size is not swept as ended')
    t.equal(await store.hit('flood:499', 600, now), 2, 'the newest flood key is still counted')
  })
})

t.test('Redis counters', async (t) => {
  if (!(await redisReachable())) {
    t.comment(`SKIPPED: no Redis at ${redisUrl}; start one (or set REDIS_URL) to run the Redis backend test`)
    t.pass('skipped without Redis')
    return
  }
  sharedCounterBehaviour(t, async () => {
    const prefix = `leervraag-test:${randomBytes(6).toString('hex')}:`
    const a = new RedisCounterStore(new Redis(redisUrl), prefix)
    const b = new RedisCounterStore(new Redis(redisUrl), prefix)
    t.teardown(async () => {
      const cleanup = new Redis(redisUrl)
      const keys = await cleanup.keys(`${prefix}*`)
      if (keys.length > 0) await cleanup.del(...keys)
      await cleanup.quit()
      await a.close()
      await b.close()
    })
    return { a, b }
  })

  t.test('keys expire with their window', async (t) => {
    const prefix = `leervraag-test:${randomBytes(6).toString('hex')}:`
    const redis = new Redis(redisUrl)
    const store = new RedisCounterStore(redis, prefix)
    t.teardown(() => store.close())
    const now = Date.now()
    await store.hit('ttl', 60, now)
    const [key] = await redis.keys(`${prefix}*`)
    const ttl = await redis.ttl(key!)
    t.ok(ttl > 0 && ttl <= 60, `expires within the window (ttl ${ttl} s)`)
    await redis.del(key!)
  })
})
