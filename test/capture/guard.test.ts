import t from 'tap'
import { sql } from 'kysely'
import { answerStepOne, buildTestApp, form, formHeaders, seedPoster, ticketFrom, type TestApp } from '../helpers.ts'

async function responseCount({ database }: TestApp) {
  const row = await database.db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function freshTicket(ctx: TestApp, code: string, base = 'q') {
  return ticketFrom((await ctx.app.inject({ method: 'GET', url: `/${base}/${code}` })).body)
}

t.test('a double tap or a resubmitted form stores one response', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const ticket = await freshTicket(ctx, fixture.code)
  const post = () => ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket }) })
  const [a, b] = await Promise.all([post(), post()])
  const c = await post()
  for (const res of [a, b, c]) t.equal(res.statusCode, 303)
  const ids = [a, b, c].map((res) => new URL(String(res.headers.location), 'http://x').searchParams.get('t')!.split('.')[0])
  t.equal(new Set(ids).size, 1, 'all three lead to the same response')
  t.equal(await responseCount(ctx), 1)
})

t.test('a missing, forged or foreign form ticket gets the form back with a message and stores nothing', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const other = await seedPoster(ctx.database, { regionId: fixture.regionId })
  const good = await freshTicket(ctx, fixture.code)
  const [issued, nonce, mac] = good.split('.') as [string, string, string]
  const tickets = {
    missing: undefined,
    forged: `${issued}.${nonce.replace(/^./, nonce[0] === 'A' ? 'B' : 'A')}.${mac}`,
    garbage: '<script>',
    'from another poster': await freshTicket(ctx, other.code),
    'from long ago': `${(Date.now() - 13 * 3600_000).toString(36)}.${nonce}.${mac}`,
  }
  for (const [name, ticket] of Object.entries(tickets)) {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/q/${fixture.code}`,
      headers: formHeaders,
      payload: form(ticket === undefined ? { tried_new: 'yes' } : { tried_new: 'yes', ticket }),
    })
    t.equal(res.statusCode, 400, name)
    t.match(res.body, 'Dit formulier is verlopen. Tik nog eens op je antwoord.', name)
    t.match(res.body, /name="ticket" value="[0-9a-z]+\.[\w-]{16}\.[\w-]{22}"/, `${name}: a fresh ticket to try again with`)
  }
  t.equal(await responseCount(ctx), 0)
})

t.test('one answer per device per poster per day, unless the poster or the kiosk says otherwise', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const first = await answerStepOne(ctx.app, fixture.code)
  t.equal(first.res.statusCode, 303)
  const cookie = first.res.cookies.find((c) => c.name === 'lv_done')
  t.ok(cookie, 'the device remembers the answer in its own cookie')
  t.equal(cookie?.httpOnly, true)
  const cookies = { lv_done: cookie!.value }

  const again = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}`, cookies })
  t.match(again.body, 'Je hebt hier vandaag al geantwoord')
  const ticket = await freshTicket(ctx, fixture.code)
  const second = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, cookies, payload: form({ tried_new: 'no', ticket }) })
  t.match(second.body, 'Je hebt hier vandaag al geantwoord')
  t.equal(await responseCount(ctx), 1, 'the second answer from the same device is not stored')

  const forged = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}`, cookies: { lv_done: cookie!.value.replace(/~[^~]+$/, '~AAAAAAAAAAAAAAAA') } })
  t.match(forged.body, 'Heb je vandaag iets nieuws geprobeerd?', 'a forged cookie blocks nothing')

  const kiosk = await ctx.app.inject({ method: 'POST', url: `/k/${fixture.code}`, headers: formHeaders, cookies, payload: form({ tried_new: 'no', ticket: await freshTicket(ctx, fixture.code, 'k') }) })
  t.equal(kiosk.statusCode, 303, 'the kiosk takes one answer after another')
  t.equal(kiosk.headers.location, `/k/${fixture.code}/2?lang=nl`, 'a kiosk address carries no token')
  t.ok(kiosk.cookies.find((c) => c.name === 'kiosk-answer' && c.httpOnly && c.sameSite === 'Strict'), 'the answer token is in an httpOnly cookie')
  t.equal(await responseCount(ctx), 2)

  await ctx.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).where('id', '=', fixture.posterId).execute()
  ctx.app.posterDirectory.forget(fixture.code)
  const allowed = await answerStepOne(ctx.app, fixture.code, {}, cookies)
  t.equal(allowed.res.statusCode, 303, 'a poster can switch the rule off')
  t.equal(await responseCount(ctx), 3)
})

t.test('the kiosk thanks page returns to step 1 after 10 seconds without JavaScript', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  const res = await ctx.app.inject({ method: 'GET', url: `/k/${fixture.code}/thanks` })
  t.equal(res.statusCode, 200)
  t.match(res.body, `<meta http-equiv="refresh" content="10;url=/k/${fixture.code}">`)
  t.match(res.body, 'Nu opnieuw beginnen')
  const phone = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}/thanks` })
  t.notMatch(phone.body, 'http-equiv="refresh"')
})

t.test('bots: a filled honeypot or an inhumanly fast answer looks accepted but is not stored', async (t) => {
  const ctx = await buildTestApp(t, {}, { minFillMs: { step1: 800, step2: 1500 } })
  const fixture = await seedPoster(ctx.database)
  const ticket = await freshTicket(ctx, fixture.code)
  const fast = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket }) })
  t.equal(fast.statusCode, 303)
  t.equal(fast.headers.location, `/q/${fixture.code}/thanks?lang=nl`)
  t.equal(await responseCount(ctx), 0, 'too fast: not stored')

  await new Promise((resolve) => setTimeout(resolve, 850))
  const honey = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket, website: 'http://spam.example' }) })
  t.equal(honey.statusCode, 303)
  t.equal(await responseCount(ctx), 0, 'honeypot filled: not stored')

  const human = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket }) })
  t.equal(human.statusCode, 303)
  t.match(human.headers.location, /\/2\?t=/)
  t.equal(await responseCount(ctx), 1, 'a person taking a moment is stored')
})

t.test('rate limits answer 429 with a friendly page, and a forged X-Forwarded-For does not escape them', async (t) => {
  const ctx = await buildTestApp(t)
  const fixture = await seedPoster(ctx.database)
  await ctx.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).execute()
  ctx.app.posterDirectory.forget()
  const statuses: number[] = []
  for (let i = 0; i < 122; i++) {
    const ticket = await freshTicket(ctx, fixture.code)
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/q/${fixture.code}`,
      headers: { ...formHeaders, 'x-forwarded-for': `203.0.113.${i}` },
      payload: form({ tried_new: 'yes', ticket }),
    })
    statuses.push(res.statusCode)
    if (res.statusCode === 429) {
      t.match(res.body, 'Even wachten')
      t.ok(Number(res.headers['retry-after']) > 0)
    }
  }
  t.same(statuses.filter((s) => s === 303).length, 120, '120 answers per 10 minutes per client network and poster')
  t.same(statuses.slice(120), [429, 429])
  t.equal(await responseCount(ctx), 120)

  const unknown: number[] = []
  const letters = 'ABCDEFGHJKMNPQRSTVWXYZ'
  for (let i = 0; i < 32; i++) unknown.push((await ctx.app.inject({ method: 'GET', url: `/q/ZZZZ${letters[Math.floor(i / 22)]}${letters[i % 22]}` })).statusCode)
  t.same(unknown.slice(0, 30), new Array(30).fill(404))
  t.same(unknown.slice(30), [429, 429], 'guessing codes is slowed down')
})

t.test('behind a trusted proxy, each forwarded client has its own limit', async (t) => {
  const ctx = await buildTestApp(t, { TRUST_PROXY: '1' })
  const fixture = await seedPoster(ctx.database)
  await ctx.database.db.updateTable('posters').set({ one_answer_per_device: 0 }).execute()
  ctx.app.posterDirectory.forget()
  let accepted = 0
  for (let i = 0; i < 35; i++) {
    const ticket = await freshTicket(ctx, fixture.code)
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/q/${fixture.code}`,
      headers: { ...formHeaders, 'x-forwarded-for': `203.0.113.${i}` },
      payload: form({ tried_new: 'yes', ticket }),
    })
    if (res.statusCode === 303) accepted++
  }
  t.equal(accepted, 35)
})

t.test('no IP address or user agent is stored anywhere in the database', async (t) => {
  const ctx = await buildTestApp(t, { TRUST_PROXY: '1' })
  const fixture = await seedPoster(ctx.database)
  const canaryIp = '198.51.100.77'
  const canaryAgent = 'CanaryBrowser/9.9 (leervraag-test)'
  const headers = { 'x-forwarded-for': canaryIp, 'user-agent': canaryAgent }
  const page = await ctx.app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers, remoteAddress: '198.51.100.78' })
  const first = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: { ...formHeaders, ...headers }, payload: form({ tried_new: 'yes', ticket: ticketFrom(page.body) }) })
  await ctx.app.inject({ method: 'POST', url: String(first.headers.location), headers: { ...formHeaders, ...headers }, payload: form({ liked: '5', free_text: 'fietsen herstellen' }) })
  t.equal(await responseCount(ctx), 1)

  const tables = ['regions', 'partners', 'locations', 'activities', 'posters', 'themes', 'responses', 'response_themes', 'app_secrets']
  for (const table of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(ctx.database.db)
    const text = JSON.stringify(rows.rows)
    t.notOk(text.includes(canaryIp) || text.includes('198.51.100.78'), `${table} holds no address`)
    t.notOk(text.includes('CanaryBrowser'), `${table} holds no user agent`)
  }
})
