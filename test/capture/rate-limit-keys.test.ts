import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, form, formHeaders, seedPoster, testDatabaseUrl, ticketFrom, type TestApp } from '../helpers.ts'

/**
 * Issue 13, finding 5: the answer limit was keyed on (address, user agent), so a script
 * that changed its User-Agent after the limit started afresh. These tests attack the
 * limits through HTTP only, the way a script would.
 */

// Each test sends a few hundred answers; on a busy machine (or PostgreSQL) that takes minutes.
t.setTimeout(300_000)

async function responseCount({ database }: TestApp) {
  const row = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function amendedCount({ database }: TestApp) {
  const row = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).where('liked', 'is not', null).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** One tap on step 1 from `remoteAddress` with `agent`; no cookies (a script's fresh device each time). */
async function tap(app: FastifyInstance, code: string, remoteAddress: string, agent = 'Script/1.0') {
  const headers = { 'user-agent': agent }
  const page = await app.inject({ method: 'GET', url: `/q/${code}`, headers, remoteAddress })
  return app.inject({
    method: 'POST',
    url: `/q/${code}`,
    headers: { ...formHeaders, ...headers },
    remoteAddress,
    payload: form({ tried_new: 'yes', ticket: ticketFrom(page.body) }),
  })
}

/** Taps until refused (at most `max` times); returns how many were let through. */
async function exhaust(app: FastifyInstance, code: string, address: (i: number) => string, max = 300) {
  for (let i = 0; i < max; i++) {
    const res = await tap(app, code, address(i))
    if (res.statusCode === 429) return i
    if (res.statusCode !== 303) throw new Error(`unexpected ${res.statusCode}`)
  }
  return max
}

/** A person with a phone of their own: their own cookie jar and user agent. */
class Person {
  private jar: Record<string, string> = {}

  constructor(
    private readonly app: FastifyInstance,
    private readonly agent: string,
    private readonly remoteAddress: string,
  ) {}

  async request(method: 'GET' | 'POST', url: string, payload?: string) {
    const res = await this.app.inject({
      method,
      url,
      remoteAddress: this.remoteAddress,
      headers: { 'user-agent': this.agent, ...(payload === undefined ? {} : formHeaders) },
      cookies: this.jar,
      ...(payload === undefined ? {} : { payload }),
    })
    for (const cookie of res.cookies) this.jar[cookie.name] = cookie.value
    return res
  }

  /** Scans, taps step 1, fills in step 2. */
  async answerBothSteps(code: string) {
    const page = await this.request('GET', `/q/${code}`)
    const one = await this.request('POST', `/q/${code}`, form({ tried_new: 'yes', ticket: ticketFrom(page.body) }))
    if (one.statusCode !== 303) return { one: one.statusCode, two: 0 }
    const two = await this.request('POST', String(one.headers.location), form({ liked: '4' }))
    return { one: one.statusCode, two: two.statusCode }
  }
}

async function withoutDeviceRule(ctx: TestApp) {
  await ctx.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).execute()
  ctx.app.posterDirectory.forget()
}

t.test('a script that changes its User-Agent after the limit is still refused', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  await withoutDeviceRule(ctx)
  const allowed = await exhaust(ctx.app, fixture.code, () => '198.51.100.20')
  t.ok(allowed < 300, `the limit is reached (after ${allowed} answers)`)
  const stored = await responseCount(ctx)

  const statuses: number[] = []
  for (let i = 0; i < 35; i++) statuses.push((await tap(ctx.app, fixture.code, '198.51.100.20', `Mozilla/5.0 (Fresh ${i})`)).statusCode)
  t.same(statuses, new Array(35).fill(429), 'every answer with a fresh user agent is refused')
  t.equal(await responseCount(ctx), stored, 'and none of them is stored')
})

t.test('addresses rotated inside one IPv6 /64 share one budget; an IPv4-mapped address is its IPv4 address', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  await withoutDeviceRule(ctx)
  const allowed = await exhaust(ctx.app, fixture.code, (i) => `2001:db8:77:1:${(i + 1).toString(16)}:${((i * 7919) & 0xffff).toString(16)}::1`)
  t.ok(allowed < 300, `rotating the interface id inside the /64 is limited like one address (after ${allowed})`)
  t.equal((await tap(ctx.app, fixture.code, '2001:db8:77:1:ffff:ffff:ffff:fffe')).statusCode, 429)
  t.equal((await tap(ctx.app, fixture.code, '2001:db8:77:2::1')).statusCode, 303, 'the neighbouring /64 is another client')

  const second = await seedPoster(ctx.database)
  await withoutDeviceRule(ctx)
  const allowedV4 = await exhaust(ctx.app, second.code, () => '203.0.113.9')
  t.ok(allowedV4 < 300, `203.0.113.9 reaches the limit (after ${allowedV4})`)
  t.equal((await tap(ctx.app, second.code, '::ffff:203.0.113.9')).statusCode, 429, '::ffff:203.0.113.9 is the same client')
  t.equal((await tap(ctx.app, second.code, '203.0.113.10')).statusCode, 303, 'an IPv4 address is whole: the next one is another client')
})

t.test('40 people behind one shared address all get through both steps', async (t) => {
  for (const [name, agent] of [
    ['each on their own phone', (i: number) => `Mozilla/5.0 (Phone ${i})`],
    ['a class on identical school tablets', () => 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X)'],
  ] as const) {
    t.test(name, async (t) => {
      const ctx = await buildTestApp(t)
      const fixture = await seedPoster(ctx.database)
      const people = Array.from({ length: 40 }, (_, i) => new Person(ctx.app, agent(i), '192.0.2.44'))
      const results = []
      for (const person of people) results.push(await person.answerBothSteps(fixture.code))
      t.same(
        results.filter((r) => r.one !== 303 || r.two !== 303),
        [],
        'no one is refused at step 1 or step 2',
      )
      t.equal(await responseCount(ctx), 40, '40 answers stored')
      t.equal(await amendedCount(ctx), 40, 'all 40 with their step-2 answer')
    })
  }
})
