import fc from 'fast-check'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { signAnswerToken } from '../../src/capture/answer-token.ts'
import { issueFormTicket } from '../../src/capture/guard.ts'
import { answerSecret, answerStepOne, buildTestApp, form, formHeaders, seedPoster, type Fixture, type TestApp } from '../helpers.ts'
import { loadCorpus } from './corpus.ts'

/**
 * Hostile input on the citizen routes: every known-bad line of corpus.txt in every field a
 * citizen can send, plus random codes and bodies from fast-check. Each case must end in a
 * 4xx page that says what to do (or be taken as plain text where text is allowed), never
 * a 5xx, and must change nothing it should not: rows are counted before and after.
 *
 * Covered elsewhere, not repeated here: double taps and foreign tickets
 * (test/capture/guard.test.ts), spoofed X-Forwarded-For (guard.test.ts, rate limits),
 * CSRF, session fixation and password guessing (test/auth/sign-in.test.ts), cross-region
 * id guessing on every management route (test/admin/access-control.test.ts).
 */
t.setTimeout(300_000)

const corpus = loadCorpus()
let cases = 0
let phone = 0

/**
 * Each request its own client, as different phones on different networks are: the answer
 * budgets count per network (test/capture/rate-limit-keys.test.ts), so each phone gets its
 * own address through the proxy header that the test apps trust (TRUST_PROXY=1).
 */
function client(): Record<string, string> {
  const n = ++phone
  return { 'user-agent': `HostilePhone/${n}`, 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` }
}
const behindProxy = { TRUST_PROXY: '1' }
// CI's short configuration (TEST_PROFILE=short) runs a third of the random cases below; the
// corpus lines, which hold the known-hostile inputs, all run in both.
const short = process.env.TEST_PROFILE === 'short'

async function counts({ database }: TestApp) {
  const db = database.db
  const n = async (table: 'responses' | 'response_themes' | 'sessions') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const amended = Number((await db.selectFrom('responses').select((eb) => eb.fn.countAll().as('n')).where('step', '=', 2).executeTakeFirstOrThrow()).n)
  return { responses: await n('responses'), themes: await n('response_themes'), sessions: await n('sessions'), amended }
}

function isClientError(status: number) {
  return status >= 400 && status < 500
}

const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
/** What step 2 must do with a free text: store it as typed (trimmed, NFC) or refuse it. */
function expectedFreeText(text: string): { refused: true } | { refused: false; stored: string | null } {
  const clean = text.normalize('NFC').trim()
  const clusters = [...graphemes.segment(clean)].map(({ segment }) => [...segment].length)
  // 280 characters, none of more than 16 code points, at most 1,120 code points and 3,360 bytes (capture/schemas.ts).
  const oversized = clusters.length > 280 || clusters.some((n) => n > 16) || [...clean].length > 1120 || Buffer.byteLength(clean) > 3360
  if (controlCharacters.test(clean) || oversized) return { refused: true }
  return { refused: false, stored: clean === '' ? null : clean }
}

async function stepOne(app: FastifyInstance, fixture: Fixture) {
  const page = await app.inject({ method: 'GET', url: `/q/${fixture.code}`, headers: client() })
  const ticket = /name="ticket" value="([^"]+)"/.exec(page.body)![1]!
  const res = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: { ...formHeaders, ...client() }, payload: form({ tried_new: 'yes', ticket }) })
  if (res.statusCode !== 303) throw new Error(`step 1 failed: ${res.statusCode}`)
  const location = String(res.headers.location)
  return { location, id: parseInt(new URL(location, 'http://x').searchParams.get('t')!.split('.')[0]!, 36) }
}

t.test('every corpus line as step-2 free text: stored as typed, or refused with a message and nothing changed', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  for (const line of corpus) {
    const { location, id } = await stepOne(ctx.app, fixture)
    const res = await ctx.app.inject({ method: 'POST', url: location, headers: { ...formHeaders, ...client() }, payload: form({ liked: '3', free_text: line }) })
    cases++
    const row = await ctx.database.db.selectFrom('responses').select(['free_text', 'liked', 'step']).where('id', '=', id).executeTakeFirstOrThrow()
    const expected = expectedFreeText(line)
    const name = JSON.stringify(line.slice(0, 40))
    if (expected.refused) {
      t.equal(res.statusCode, 422, `${name}: refused`)
      t.match(res.body, /class="error"/, `${name}: with a message next to the field`)
      t.same(row, { free_text: null, liked: null, step: 1 }, `${name}: nothing changed`)
    } else {
      t.equal(res.statusCode, 303, `${name}: taken`)
      t.same(row, { free_text: expected.stored, liked: 3, step: 2 }, `${name}: stored exactly as typed`)
    }
  }
})

t.test('every corpus line in the contact form (name, e-mail or phone, language, moment): taken or refused, never a 5xx', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const contacts = async () => Number((await ctx.database.db.selectFrom('contact_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  for (const line of corpus) {
    const name = JSON.stringify(line.slice(0, 40))
    const variants = {
      name: { contact_name: line, contact_value: 'iemand@example.be', contact_consent: 'yes' },
      'contact value': { contact_name: 'An', contact_value: line, contact_consent: 'yes' },
      'language and moment': { contact_name: 'An', contact_value: '0470 12 34 56', contact_consent: 'yes', contact_language: line, contact_moment: line },
      'no consent': { contact_name: line, contact_value: line },
    }
    for (const [what, fields] of Object.entries(variants)) {
      const { location, id } = await stepOne(ctx.app, fixture)
      const before = await contacts()
      const res = await ctx.app.inject({ method: 'POST', url: location, headers: { ...formHeaders, ...client() }, payload: form({ liked: '4', ...fields }) })
      cases++
      t.ok([303, 422].includes(res.statusCode), `${what} ${name}: ${res.statusCode} is 303 or 422`)
      const row = await ctx.database.db.selectFrom('responses').select('step').where('id', '=', id).executeTakeFirstOrThrow()
      if (res.statusCode === 422) {
        t.match(res.body, /class="error"/, `${what} ${name}: refused with a message`)
        t.equal(row.step, 1, `${what} ${name}: the answer is unchanged`)
        t.equal(await contacts(), before, `${what} ${name}: no contact request stored`)
      } else {
        t.equal(row.step, 2)
        t.ok((await contacts()) <= before + 1, `${what} ${name}: at most one contact request`)
      }
    }
    if (!controlCharacters.test(line) && line.trim() !== '') {
      t.equal(
        (await ctx.app.inject({ method: 'POST', url: (await stepOne(ctx.app, fixture)).location, headers: { ...formHeaders, ...client() }, payload: form({ contact_name: line, contact_value: line }) })).statusCode,
        422,
        `no consent ${name}: refused`,
      )
      cases++
    }
  }
})

t.test('every corpus line as poster code, language, ticket, token and answer value: a 4xx or the plain page, never a 5xx, nothing stored', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const { location, id } = await stepOne(ctx.app, fixture)
  const secret = await answerSecret(ctx.app)
  const before = await counts(ctx)
  const enc = encodeURIComponent
  for (const line of corpus) {
    const name = JSON.stringify(line.slice(0, 40))
    const requests = [
      { what: 'poster code', method: 'GET', url: `/q/${enc(line)}`, ok: [400, 404] },
      { what: 'kiosk code', method: 'GET', url: `/k/${enc(line)}`, ok: [400, 404] },
      { what: 'typed code', method: 'GET', url: `/q?code=${enc(line)}`, ok: [303, 400] },
      { what: 'answer to a code', method: 'POST', url: `/q/${enc(line)}`, payload: form({ tried_new: 'yes', ticket: issueFormTicket(secret, line, Date.now() - 5000) }), ok: [400, 404] },
      { what: 'language', method: 'GET', url: `/q/${fixture.code}?lang=${enc(line)}`, ok: [200, 400] },
      { what: 'ticket', method: 'POST', url: `/q/${fixture.code}`, payload: form({ tried_new: 'yes', ticket: line }), ok: [400] },
      { what: 'tried_new', method: 'POST', url: `/q/${fixture.code}`, payload: form({ tried_new: line, ticket: issueFormTicket(secret, fixture.code, Date.now() - 5000) }), ok: [400] },
      { what: 'answer token (GET)', method: 'GET', url: `/q/${fixture.code}/2?t=${enc(line)}`, ok: [400, 403] },
      { what: 'answer token (POST)', method: 'POST', url: `/q/${fixture.code}/2?t=${enc(line)}`, payload: form({ liked: '5', free_text: 'x' }), ok: [400, 403] },
      { what: 'liked', method: 'POST', url: location, payload: form({ liked: line }), ok: [422] },
      { what: 'age band', method: 'POST', url: location, payload: form({ age_band: line }), ok: [422] },
      { what: 'theme id', method: 'POST', url: location, payload: form({ themes: line }), ok: [422] },
      { what: 'sign-in', method: 'POST', url: '/login', payload: form({ email: line, password: line }), ok: [400, 401, 403, 422] },
      { what: 'withdrawal link', method: 'GET', url: `/withdraw?w=${enc(line)}`, ok: [400, 404] },
      { what: 'withdrawal', method: 'POST', url: '/withdraw', payload: form({ w: line }), ok: [400, 404] },
      { what: 'thanks tokens', method: 'GET', url: `/q/${fixture.code}/thanks?t=${enc(line)}&w=${enc(line)}`, ok: [200, 400] },
    ] as const
    for (const r of requests) {
      const res = await ctx.app.inject({
        method: r.method,
        url: r.url,
        headers: { ...client(), ...('payload' in r ? formHeaders : {}) },
        ...('payload' in r ? { payload: r.payload } : {}),
      })
      cases++
      t.ok((r.ok as readonly number[]).includes(res.statusCode), `${r.what} ${name}: ${res.statusCode} is one of ${r.ok.join('/')}`)
      if (res.statusCode !== 303) t.match(res.headers['content-type'], /^text\/html/, `${r.what} ${name}: a page for a person`)
    }
  }
  t.same(await counts(ctx), before, 'no response, theme or session was added or amended')
  const row = await ctx.database.db.selectFrom('responses').select(['step', 'free_text']).where('id', '=', id).executeTakeFirstOrThrow()
  t.same(row, { step: 1, free_text: null }, 'the answer the hostile step-2 bodies aimed at is unchanged')
})

t.test('malformed step-2 bodies: too large, invalid UTF-8, wrong type; nothing changed', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const { location } = await stepOne(ctx.app, fixture)
  const before = await counts(ctx)
  const bodies: { name: string; headers: Record<string, string>; payload: string | Buffer; status: number }[] = [
    { name: 'body over 16 KB', headers: formHeaders, payload: `free_text=${'a'.repeat(17 * 1024)}`, status: 413 },
    { name: '1 MB body', headers: formHeaders, payload: Buffer.alloc(1024 * 1024, 0x61), status: 413 },
    { name: 'percent-encoded invalid UTF-8', headers: formHeaders, payload: 'free_text=%FF%FE%00', status: 400 },
    { name: 'raw invalid UTF-8', headers: formHeaders, payload: Buffer.concat([Buffer.from('free_text='), Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0xaf])]), status: 400 },
    { name: 'raw NUL bytes', headers: formHeaders, payload: Buffer.from('free_text=a\u0000b&liked=5\u0000'), status: 422 },
    { name: 'percent-encoded NUL', headers: formHeaders, payload: 'free_text=a%00b', status: 422 },
    { name: 'JSON', headers: { 'content-type': 'application/json' }, payload: '{"free_text":"<script>"}', status: 415 },
    { name: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="free_text"\r\n\r\nhi\r\n--x--', status: 415 },
    { name: 'XML', headers: { 'content-type': 'application/xml' }, payload: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', status: 415 },
    { name: '10 000 repeated fields', headers: formHeaders, payload: Array.from({ length: 1500 }, () => 'themes=1').join('&'), status: 422 },
    { name: 'prototype pollution', headers: formHeaders, payload: '__proto__[liked]=5&constructor[prototype][step]=9&free_text=x', status: 303 },
  ]
  for (const body of bodies) {
    const res = await ctx.app.inject({ method: 'POST', url: location, headers: { ...body.headers, ...client() }, payload: body.payload })
    cases++
    t.equal(res.statusCode, body.status, body.name)
    if (res.statusCode !== 303) t.match(res.headers['content-type'], /^text\/html/, `${body.name}: a page for a person`)
  }
  const after = await counts(ctx)
  // The prototype-pollution body is a valid amendment of free_text only (303): one row amended.
  t.same(after, { ...before, amended: before.amended + 1 }, 'only the one valid body amended the answer')
  t.equal(({} as Record<string, unknown>).liked, undefined, 'Object.prototype was not polluted')
})

t.test('forged, replayed and foreign tickets and tokens', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const other = await seedPoster(ctx.database)
  const { location, id } = await stepOne(ctx.app, fixture)
  const secret = await answerSecret(ctx.app)
  const before = await counts(ctx)
  const now = Date.now()
  const forgedTickets = {
    'signed with another secret': issueFormTicket('x'.repeat(32), fixture.code, now - 5000),
    "another poster's ticket": issueFormTicket(secret, other.code, now - 5000),
    'from the future': issueFormTicket(secret, fixture.code, now + 3_600_000),
    'thirteen hours old': issueFormTicket(secret, fixture.code, now - 13 * 3_600_000),
    'truncated': issueFormTicket(secret, fixture.code, now - 5000).slice(0, -3),
    'nonce swapped': (() => {
      const [a, , c] = issueFormTicket(secret, fixture.code, now - 5000).split('.')
      return `${a}.AAAAAAAAAAAAAAAA.${c}`
    })(),
  }
  for (const [name, ticket] of Object.entries(forgedTickets)) {
    const res = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: { ...formHeaders, ...client() }, payload: form({ tried_new: 'yes', ticket }) })
    cases++
    t.equal(res.statusCode, 400, `ticket ${name}: refused`)
    t.match(res.body, 'name="ticket"', `ticket ${name}: the form comes back with a fresh ticket`)
  }
  const token = new URL(location, 'http://x').searchParams.get('t')!
  const forgedTokens = {
    'signed with another secret': signAnswerToken('y'.repeat(32), fixture.code, id),
    "another poster's token": signAnswerToken(secret, other.code, id),
    'expired': signAnswerToken(secret, fixture.code, id, Math.floor(now / 1000) - 3 * 3600),
    'id of the next answer': token.replace(/^[0-9a-z]+/, (id + 1).toString(36)),
    'empty': '',
  }
  for (const [name, forged] of Object.entries(forgedTokens)) {
    const res = await ctx.app.inject({ method: 'POST', url: `/q/${fixture.code}/2?t=${forged}`, headers: { ...formHeaders, ...client() }, payload: form({ liked: '1', free_text: 'vervalst' }) })
    cases++
    t.equal(res.statusCode, 403, `token ${name}: refused`)
    t.match(res.body, /<h1/, `token ${name}: with a page that explains`)
  }
  // Replays of a token used on another poster's path.
  const wrongPath = await ctx.app.inject({ method: 'POST', url: `/q/${other.code}/2?t=${token}`, headers: { ...formHeaders, ...client() }, payload: form({ liked: '1' }) })
  cases++
  t.equal(wrongPath.statusCode, 403, "a token replayed on another poster's path is refused")
  t.same(await counts(ctx), before, 'nothing stored or amended')
})

t.test('fast-check: random poster codes never reach a poster, never a 5xx', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const secret = await answerSecret(ctx.app)
  const before = await counts(ctx)
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[0-9A-Za-z]{1,12}$/), fc.string({ unit: 'binary', maxLength: 20 })), async (code) => {
      if (code.toUpperCase() === fixture.code) return true
      const get = await ctx.app.inject({ method: 'GET', url: `/q/${encodeURIComponent(code)}`, headers: client() })
      const post = await ctx.app.inject({
        method: 'POST',
        url: `/q/${encodeURIComponent(code)}`,
        headers: { ...formHeaders, ...client() },
        payload: form({ tried_new: 'yes', ticket: issueFormTicket(secret, code, Date.now() - 5000) }),
      })
      cases += 2
      return isClientError(get.statusCode) && isClientError(post.statusCode)
    }),
    { numRuns: short ? 50 : 150 },
  )
  t.same(await counts(ctx), before, 'no answer stored')
})

t.test('fast-check: random step-2 bodies are taken or refused with a message, never a 5xx', async (t) => {
  const ctx = await buildTestApp(t, behindProxy)
  const fixture = await seedPoster(ctx.database)
  const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constantFrom(...corpus))
  const body = fc.record(
    {
      liked: fc.oneof(fc.constantFrom('', '1', '5', '0', '6', '-1', '1.5'), text),
      age_band: fc.oneof(fc.constantFrom('', '65_plus', 'under_12'), text),
      themes: fc.array(fc.oneof(fc.constantFrom('1', '2', '999999', '0', '-1'), text), { maxLength: 5 }),
      free_text: text,
      lang: fc.oneof(fc.constantFrom('nl', 'ar', 'ti'), text),
    },
    { requiredKeys: [] },
  )
  await fc.assert(
    fc.asyncProperty(body, async (fields) => {
      const { location, id } = await stepOne(ctx.app, fixture)
      const res = await ctx.app.inject({ method: 'POST', url: location, headers: { ...formHeaders, ...client() }, payload: form(fields as Record<string, string | string[]>) })
      cases++
      const row = await ctx.database.db.selectFrom('responses').select(['step']).where('id', '=', id).executeTakeFirstOrThrow()
      if (res.statusCode === 303) return row.step === 2
      return res.statusCode === 422 && row.step === 1 && /class="error"/.test(res.body)
    }),
    { numRuns: short ? 40 : 120 },
  )
  t.pass('every random body was taken (303, amended) or refused (422, message, unchanged)')
})

t.teardown(() => {
  console.log(`# hostile input cases run: ${cases}`)
})
