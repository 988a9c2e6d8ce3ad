import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { errorForLog } from '../../src/ops/log-serializers.ts'
import { form, formHeaders, seedPoster, testConfig, testDatabase, ticketFrom } from '../helpers.ts'

/** Collects every log line the app writes. */
function captureLog() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk))
      callback()
    },
  })
  return { stream, text: () => lines.join('') }
}

const canaries = {
  forwardedIp: '203.0.113.77',
  peerIp: '198.51.100.23',
  userAgent: 'CanaryBrowser/9.7 (canary-agent-q81z)',
  email: 'kanarie.q81z@example.be',
  freeText: 'ik wil kaasfondue-q81z leren maken',
}

t.test('a whole citizen journey at LOG_LEVEL=trace logs no address, user agent, e-mail or free text', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const log = captureLog()
  const app = await buildApp(testConfig({ LOG_LEVEL: 'trace', TRUST_PROXY: '1' }), { database, logStream: log.stream, minFillMs: { step1: 0, step2: 0 } })
  t.teardown(() => app.close())

  const who = {
    remoteAddress: canaries.peerIp,
    headers: { 'x-forwarded-for': canaries.forwardedIp, 'user-agent': canaries.userAgent, referer: `https://example.be/?mail=${canaries.email}` },
  }
  const step1 = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, ...who })
  t.equal(step1.statusCode, 200)
  const answer = await app.inject({
    method: 'POST',
    url: `/q/${fixture.code}`,
    ...who,
    headers: { ...who.headers, ...formHeaders },
    payload: form({ tried_new: 'yes', ticket: ticketFrom(step1.body) }),
  })
  t.equal(answer.statusCode, 303)
  const step2Url = answer.headers.location as string
  t.equal((await app.inject({ method: 'GET', url: step2Url, ...who })).statusCode, 200)

  const step2Body = form({ liked: '5', free_text: `${canaries.freeText} ${canaries.email}`, email: canaries.email, age_band: '25_44' })
  // A refused form (too long) is shown again with what the person typed: that must not be logged either.
  const tooLong = await app.inject({
    method: 'POST',
    url: step2Url,
    ...who,
    headers: { ...who.headers, ...formHeaders },
    payload: form({ free_text: `${canaries.freeText} ${'x'.repeat(300)}` }),
  })
  t.equal(tooLong.statusCode, 422)
  // A body that is not UTF-8 is refused before anyone reads it.
  const badEncoding = await app.inject({
    method: 'POST',
    url: step2Url,
    ...who,
    headers: { ...who.headers, ...formHeaders },
    payload: `free_text=${encodeURIComponent(canaries.freeText)}%FF`,
  })
  t.equal(badEncoding.statusCode, 400)
  const amended = await app.inject({ method: 'POST', url: step2Url, ...who, headers: { ...who.headers, ...formHeaders }, payload: step2Body })
  t.equal(amended.statusCode, 303)
  const row = await database.db.selectFrom('responses').select('free_text').executeTakeFirstOrThrow()
  t.equal(row.free_text, `${canaries.freeText} ${canaries.email}`, 'the answer itself was stored')

  // The same step 2 once more, now with the database gone: a 500 whose error is logged.
  if (database.sqlite) database.sqlite.close()
  else await database.db.destroy()
  const failed = await app.inject({ method: 'POST', url: step2Url, ...who, headers: { ...who.headers, ...formHeaders }, payload: step2Body })
  t.equal(failed.statusCode, 500)

  const text = log.text()
  if (process.env.SHOW_LOG) console.error(text)
  t.equal(app.log.level, 'trace', 'the most talkative level')
  t.match(text, '"msg":"incoming request"', 'request lines were written')
  t.match(text, '"msg":"request failed"', 'the error was logged')
  t.match(text, `"path":"/q/${fixture.code}/2"`, 'requests are logged, by path')
  t.notMatch(text, step2Url.split('?t=')[1]!, 'the answer token in the query string is not logged')
  for (const [name, canary] of Object.entries(canaries)) {
    t.notOk(text.includes(canary), `the log does not contain the ${name}`)
  }
  t.notOk(text.includes('kaasfondue'), 'not even a part of the free text')
  t.notOk(text.includes('CanaryBrowser'), 'not even a part of the user agent')
})

t.test('error log lines keep type, message, code and stack, never attached data', async (t) => {
  const pgError = Object.assign(new Error('duplicate key value violates unique constraint "contacts_email_key"'), {
    code: '23505',
    detail: `Key (email)=(${canaries.email}) already exists.`,
    body: { free_text: canaries.freeText },
    parameters: [canaries.email],
  })
  const logged = errorForLog(pgError)
  t.equal(logged.code, '23505')
  t.match(logged.message, 'contacts_email_key')
  t.notOk(JSON.stringify(logged).includes(canaries.email))
  t.notOk(JSON.stringify(logged).includes('kaasfondue'))

  const dataError = Object.assign(new Error(`invalid input syntax for type integer: "${canaries.freeText}"`), { code: '22P02' })
  const redacted = errorForLog(dataError)
  t.equal(redacted.message, 'invalid input syntax for type integer: "[redacted]"')
  t.notOk(redacted.stack.includes('kaasfondue'), 'the stack repeats only the redacted message')

  const wrapped = errorForLog(new Error('batch failed', { cause: dataError }))
  t.equal(wrapped.cause?.message, 'invalid input syntax for type integer: "[redacted]"')
})
