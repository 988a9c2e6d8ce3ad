import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { runDigestMailing, type MailingSettings } from '../../src/digest/index.ts'
import { smtpTarget } from '../../src/ops/smtp.ts'
import { partnerSecret } from '../../src/partners/index.ts'
import { createPartner } from '../../src/admin/queries.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { buildTestApp, formHeaders, seedPoster, testConfig, testDatabase } from '../helpers.ts'
import { closedPort, type Phase, scriptedServer, smtpSink } from './smtp-servers.ts'

/**
 * The digest by e-mail (issue 19) against real SMTP servers on loopback: one message per
 * subscriber per digest per month, with a one-click unsubscribe (RFC 8058) after which
 * nothing more is sent; two instances and repeated ticks never send anything twice; a mail
 * server that refuses, times out or drops the connection at each phase changes nothing but
 * the outbox, is retried later only where the message was not handed over, and the digest
 * page keeps working and says what went out.
 */

// 2 December 2026: the last complete month is November.
const december = new Date('2026-12-02T08:00:00Z')
const hour = 3_600_000

const unfolded = (raw: string) => raw.replace(/\r\n[ \t]+/g, ' ')
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(unfolded(raw))?.[1]?.trim()
const unsubscribePath = (raw: string) => new URL(header(raw, 'List-Unsubscribe')!.replace(/^<|>$/g, '')).pathname

async function signedIn(app: FastifyInstance, email: string) {
  const browser = new Browser(app)
  const response = await browser.signIn(email, testPassword)
  if (response.statusCode !== 303) throw new Error(`${email} cannot sign in`)
  return browser
}

/** A region with two partners; a coordinator, a member of the first partner, a bridge figure who subscribes to nothing. */
async function world(t: Test, smtpUrl: string) {
  const ctx = await buildTestApp(t, { SMTP_URL: smtpUrl, SMTP_FROM: 'Leervraag <digest@leervraag.example.be>' }, { now: () => december })
  const db = ctx.database.db
  const fixture = await seedPoster(ctx.database)
  const other = await createPartner(db, fixture.regionId, 'CVO Andere', 'adult_education')
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [fixture.regionId] })
  const settings = (url: string, now: Date, extra: Partial<MailingSettings> = {}): MailingSettings => ({
    smtp: smtpTarget(url),
    from: ctx.app.config.smtpFrom,
    publicBaseUrl: ctx.app.config.publicBaseUrl,
    partnerSecret: partnerSecret(db),
    now: () => now,
    // Generous for a server that answers: 400 ms per phase was outlasted by the sink on a
    // loaded machine (a message retried, the test failed). The failure cases set their own.
    timeoutMs: 5_000,
    ...extra,
  })
  return { ...ctx, db, fixture, other, settings }
}

async function subscribe(browser: Browser, digests: string[], language = 'nl') {
  await browser.get('/admin/profile')
  const response = await browser.post('/admin/profile', { digests, language })
  if (response.statusCode !== 303) throw new Error(`subscribing: ${response.statusCode} ${response.body.slice(0, 300)}`)
}

const outbox = (db: Awaited<ReturnType<typeof world>>['db']) => db.selectFrom('digest_outbox').select(['user_id', 'scope_key', 'month', 'status', 'attempts']).orderBy('id').execute()

t.test('one message per subscriber per digest per month, and none after unsubscribing', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, sink.url)
  const { fixture } = w
  const coordinator = await signedIn(w.app, 'coord@example.be')
  const member = await signedIn(w.app, 'lid@example.be')
  await subscribe(coordinator, [`r${fixture.regionId}`, `p${fixture.partnerId}`])
  await subscribe(member, [`p${fixture.partnerId}`], 'fr')

  const first = await runDigestMailing(w.db, w.settings(sink.url, december))
  t.match(first, { month: '2026-11', enqueued: 3, sent: 3, retry: 0, unknown: 0 })
  t.equal(sink.received.length, 3, 'three messages: the coordinator two, the member one, the bridge figure none')
  t.same(sink.received.map((m) => m.to.join()).sort(), ['coord@example.be', 'coord@example.be', 'lid@example.be'])
  t.ok(sink.received.every((m) => m.from === 'digest@leervraag.example.be'), 'the envelope sender is SMTP_FROM')
  const toMember = sink.received.find((m) => m.to[0] === 'lid@example.be')!
  t.match(header(toMember.raw, 'Subject'), /Bilan mensuel|=\?UTF-8\?/, 'in the language chosen (French)')
  t.match(header(toMember.raw, 'From'), /digest@leervraag\.example\.be/)
  t.match(header(toMember.raw, 'List-Unsubscribe'), /^<https:\/\/leervraag\.example\.be\/digest\/unsubscribe\/[\w-]{43}>$/, 'RFC 8058: the one-click URL')
  t.equal(header(toMember.raw, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click')
  t.match(unfolded(toMember.raw), /multipart\/alternative/, 'a text and an HTML part')
  t.notMatch(toMember.raw, /coord@example\.be/, 'no other subscriber is named in a message')

  const second = await runDigestMailing(w.db, w.settings(sink.url, new Date(december.getTime() + 5 * hour)))
  t.match(second, { enqueued: 0, sent: 0 }, 'a second tick in the same month sends nothing')
  t.equal(sink.received.length, 3)

  // The digest page says what went out, as counts: the partner's digest went to two people.
  const page = await coordinator.get(`/admin/regions/${fixture.regionId}/partners/${fixture.partnerId}/digest`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /<th scope="row">verstuurd<\/th><td>2<\/td>/)
  const memberPage = await member.get(`/admin/regions/${fixture.regionId}/partners/${fixture.partnerId}/digest`)
  t.match(memberPage.body, /<th scope="row">verstuurd<\/th><td>2<\/td>/)
  t.notMatch(memberPage.body.replace(/lid@example\.be/g, ''), /coord@example\.be/, "a partner member sees counts, not the coordinator's address")

  // The link in the member's message: GET changes nothing (mail scanners follow links), one click unsubscribes.
  const path = unsubscribePath(toMember.raw)
  const shown = await w.app.inject({ method: 'GET', url: path })
  t.equal(shown.statusCode, 200)
  t.match(shown.body, 'Se désabonner', 'in the language of the e-mail')
  t.equal((await w.db.selectFrom('digest_subscriptions').select('id').execute()).length, 3, 'opening the link unsubscribes nobody')
  const clicked = await w.app.inject({ method: 'POST', url: path, headers: formHeaders, payload: 'List-Unsubscribe=One-Click' })
  t.equal(clicked.statusCode, 200, 'the one-click POST, without a session or a CSRF token')
  t.match(clicked.body, 'Vous êtes désabonné·e')
  const left = await w.db.selectFrom('digest_subscriptions').innerJoin('users', 'users.id', 'digest_subscriptions.user_id').select(['users.email', 'scope_key']).orderBy('scope_key').execute()
  t.same(left.map((r) => r.email), ['coord@example.be', 'coord@example.be'], "the member's subscription is gone, the coordinator's stay")

  // A used token and a forged one get the same friendly page.
  const again = await w.app.inject({ method: 'POST', url: path, headers: formHeaders, payload: 'List-Unsubscribe=One-Click' })
  const forged = await w.app.inject({ method: 'GET', url: `/digest/unsubscribe/${'A'.repeat(43)}` })
  const garbage = await w.app.inject({ method: 'GET', url: '/digest/unsubscribe/%3Cscript%3E' })
  const long = await w.app.inject({ method: 'GET', url: `/digest/unsubscribe/${'A'.repeat(500)}` })
  t.equal(long.body, forged.body, 'too long: the same page')
  t.equal(again.statusCode, 404)
  t.equal(forged.statusCode, 404)
  t.equal(garbage.statusCode, 404)
  t.equal(again.body, forged.body, 'used and forged: the same page')
  t.equal(garbage.body, forged.body, 'malformed: the same page')
  t.match(forged.body, 'Deze link werkt niet (meer)')

  // January: the coordinator gets December's two digests; the member nothing.
  const january = new Date('2027-01-02T08:00:00Z')
  const next = await runDigestMailing(w.db, w.settings(sink.url, january))
  t.match(next, { month: '2026-12', enqueued: 2, sent: 2 })
  t.same(sink.received.slice(3).map((m) => m.to.join()), ['coord@example.be', 'coord@example.be'])
  t.equal(sink.received.filter((m) => m.to[0] === 'lid@example.be').length, 1, 'nothing more to the member after unsubscribing')

  // Unsubscribing on the profile page stops the rest.
  await coordinator.get('/admin/profile')
  t.equal((await coordinator.post('/admin/profile', { language: 'nl' })).statusCode, 303)
  const february = await runDigestMailing(w.db, w.settings(sink.url, new Date('2027-02-02T08:00:00Z')))
  t.match(february, { enqueued: 0, sent: 0 })
  t.equal(sink.received.length, 5)
})

t.test('two instances on one database and many ticks: each message once', async (t) => {
  // The server takes 40 ms to say "queued": runs on both instances would overlap if nothing stopped them.
  const sink = await smtpSink(t, { delayMs: 40 })
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const config = testConfig({ SMTP_URL: sink.url })
  const emails: string[] = []
  for (let i = 0; i < 6; i++) {
    const email = `lid${i}@example.be`
    emails.push(email)
    const userId = await makeUser(database.db, 'coordinator', email, { regionIds: [fixture.regionId] })
    await database.db.insertInto('digest_subscriptions').values({ user_id: userId, region_id: fixture.regionId, partner_id: null, scope_key: `r${fixture.regionId}`, language: 'nl', created_at: december.toISOString() }).execute()
  }
  const apps = await Promise.all(
    [0, 1].map(() => buildApp(config, { database, now: () => december, retentionIntervalMs: 0, digestMailing: { intervalMs: 25, firstRunAfterMs: 0, timeoutMs: 2000 } })),
  )
  await Promise.all(apps.map((app) => app.ready()))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  await Promise.all(apps.map((app) => app.close()))
  t.same(sink.received.map((m) => m.to.join()).sort(), emails, 'each subscriber exactly once')
  const rows = await database.db.selectFrom('digest_outbox').select(['status', 'attempts']).execute()
  t.same(rows.map((r) => [r.status, r.attempts]), emails.map(() => ['sent', 1]))
})

const failures: [name: string, expected: 'retry' | 'unknown', server: (t: Test) => Promise<string>][] = [
  ['a refused connection', 'retry', async () => `smtp://127.0.0.1:${await closedPort()}`],
  ['a server that refuses the connection (554 greeting)', 'retry', async (t) => (await smtpSink(t, { refuseConnections: true })).url],
  ['a server that refuses the recipient (550)', 'retry', async (t) => (await smtpSink(t, { refuseRecipients: true })).url],
  ...(['never greets', 'greeting', 'MAIL', 'RCPT', 'DATA', 'after DATA', 'silent after DATA'] as Phase[]).map(
    (phase): [string, 'retry' | 'unknown', (t: Test) => Promise<string>] => [
      phase === 'never greets' ? 'a server that never greets (a timeout)' : phase === 'silent after DATA' ? 'a server that takes the message and never answers (a timeout)' : phase === 'greeting' ? 'a drop on connect' : `a drop at ${phase}`,
      phase === 'after DATA' || phase === 'silent after DATA' ? 'unknown' : 'retry',
      async (t) => (await scriptedServer(t, phase)).url,
    ],
  ),
]

t.test('a mail server that refuses, times out or drops the connection: retried only when nothing was handed over', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, sink.url)
  const coordinator = await signedIn(w.app, 'coord@example.be')
  await subscribe(coordinator, [`r${w.fixture.regionId}`])
  const subscriptions = JSON.stringify(await w.db.selectFrom('digest_subscriptions').selectAll().execute())
  for (const [name, expected, server] of failures) {
    await t.test(name, async (t) => {
      await w.db.deleteFrom('digest_outbox').execute()
      const url = await server(t)
      const started = Date.now()
      const report = await runDigestMailing(w.db, w.settings(url, december, { timeoutMs: 400 }))
      t.ok(Date.now() - started < 5000, 'the run does not hang')
      t.equal(report[expected], 1, `${expected}: ${JSON.stringify(report)}`)
      const [row] = await outbox(w.db)
      t.equal(row!.status, expected)
      const lastError = (await w.db.selectFrom('digest_outbox').select('last_error').executeTakeFirstOrThrow()).last_error
      t.notMatch(lastError ?? '', /coord@example\.be/, 'the stored reason names no address')
      t.equal(JSON.stringify(await w.db.selectFrom('digest_subscriptions').selectAll().execute()), subscriptions, 'the subscriptions are as they were')
      const page = await coordinator.get(`/admin/regions/${w.fixture.regionId}/digest`)
      t.equal(page.statusCode, 200, 'the digest page still works')
      t.match(page.body, expected === 'retry' ? /<th scope="row">wacht op verzending of een nieuwe poging<\/th><td>1<\/td>/ : /<th scope="row">niet bevestigd[^<]*<\/th><td>1<\/td>/)

      // Too soon: nothing is tried again before the retry is due.
      const before = sink.received.length
      t.match(await runDigestMailing(w.db, w.settings(sink.url, new Date(december.getTime() + 10 * 60_000))), { sent: 0 })
      // Later, with the mail server back: a message that never reached the server goes now; one that may have, never.
      const later = await runDigestMailing(w.db, w.settings(sink.url, new Date(december.getTime() + 2 * hour)))
      t.equal(later.sent, expected === 'retry' ? 1 : 0)
      t.equal(sink.received.length - before, expected === 'retry' ? 1 : 0, expected === 'retry' ? 'sent once, later' : 'not sent again')
      t.equal((await outbox(w.db))[0]!.status, expected === 'retry' ? 'sent' : 'unknown')
    })
  }
})

t.test('a message whose retries are used up is failed, and never sent', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, sink.url)
  const coordinator = await signedIn(w.app, 'coord@example.be')
  await subscribe(coordinator, [`r${w.fixture.regionId}`])
  const refused = `smtp://127.0.0.1:${await closedPort()}`
  for (let attempt = 0; attempt < 3; attempt++) await runDigestMailing(w.db, w.settings(refused, new Date(december.getTime() + attempt * 10 * hour), { maxAttempts: 3 }))
  t.same((await outbox(w.db)).map((r) => [r.status, r.attempts]), [['failed', 3]])
  await runDigestMailing(w.db, w.settings(sink.url, new Date(december.getTime() + 40 * hour), { maxAttempts: 3 }))
  t.equal(sink.received.length, 0)
  const page = await coordinator.get(`/admin/regions/${w.fixture.regionId}/digest`)
  t.match(page.body, /<th scope="row">niet verstuurd: de mailserver bleef weigeren<\/th><td>1<\/td>/)
})

t.test('a subscriber who may no longer read the digest gets nothing', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, sink.url)
  const member = await signedIn(w.app, 'lid@example.be')
  await subscribe(member, [`p${w.fixture.partnerId}`])
  // The member leaves the partner: their subscription stays, but can() says no.
  await w.db.deleteFrom('user_partners').execute()
  const report = await runDigestMailing(w.db, w.settings(sink.url, december))
  t.match(report, { enqueued: 1, sent: 0, cancelled: 1 })
  t.equal(sink.received.length, 0)
})

t.test('the scheduled job logs counts, never an address, even when the server quotes it', async (t) => {
  const refusing = await smtpSink(t, { refuseRecipients: true })
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const userId = await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await database.db.insertInto('digest_subscriptions').values({ user_id: userId, region_id: fixture.regionId, partner_id: null, scope_key: `r${fixture.regionId}`, language: 'nl', created_at: december.toISOString() }).execute()
  const lines: string[] = []
  const stream = { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream
  const app = await buildApp(testConfig({ SMTP_URL: refusing.url, LOG_LEVEL: 'info' }), { database, logStream: stream, now: () => december, retentionIntervalMs: 0, digestMailing: { intervalMs: 60_000, firstRunAfterMs: 0, timeoutMs: 2000 } })
  await app.ready()
  for (let i = 0; i < 50 && !lines.some((line) => line.includes('digest mailing')); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  await app.close()
  const run = lines.find((line) => line.includes('"msg":"digest mailing"'))
  t.ok(run, 'the run is logged')
  t.match(run, /"retry":1/, 'as counts')
  t.notMatch(lines.join(''), /coord@example\.be/, 'no address in the log')
  const row = await database.db.selectFrom('digest_outbox').select(['status', 'last_error']).executeTakeFirstOrThrow()
  t.equal(row.status, 'retry')
  t.match(row.last_error, /550 <…> no such mailbox/, 'the reason is kept, the address the server quoted cut out')
  t.notMatch(row.last_error, /coord@example\.be/, '…without the address the server quoted')
})

t.test('a message left "sending" by a crash is never sent again, and shows as not confirmed', async (t) => {
  const sink = await smtpSink(t)
  const w = await world(t, sink.url)
  const coordinator = await signedIn(w.app, 'coord@example.be')
  await subscribe(coordinator, [`r${w.fixture.regionId}`])
  const userId = (await w.db.selectFrom('users').select('id').where('email', '=', 'coord@example.be').executeTakeFirstOrThrow()).id
  // The process died between claiming the message and hearing the server's reply.
  await w.db.insertInto('digest_outbox').values({ user_id: userId, region_id: w.fixture.regionId, partner_id: null, scope_key: `r${w.fixture.regionId}`, month: '2026-11', language: 'nl', status: 'sending', attempts: 1, next_attempt_at: december.toISOString(), created_at: december.toISOString() }).execute()
  t.match(await runDigestMailing(w.db, w.settings(sink.url, new Date(december.getTime() + 3 * hour))), { enqueued: 0, sent: 0 })
  t.equal(sink.received.length, 0)
  const page = await coordinator.get(`/admin/regions/${w.fixture.regionId}/digest`)
  t.match(page.body, /<th scope="row">niet bevestigd[^<]*<\/th><td>1<\/td>/)
})
