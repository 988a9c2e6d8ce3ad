import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import t from 'tap'
import { createSession } from '../../src/auth/sessions.ts'
import { createUser } from '../../src/auth/users.ts'
import { cookieNames } from '../../src/staff/cookies.ts'
import { answerStepOne, buildTestApp, seedPoster, testConfig } from '../helpers.ts'

/**
 * Compression where it pays (issue 17): staff pages above 1 KB go out compressed and decode
 * to the page; the citizen pages, which carry form tickets and answer tokens, never do,
 * whatever the browser accepts (docs/security.md, "Compression").
 */

const csrfField = /name="_csrf" value="([^"]+)"/g

async function world(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const adminId = await createUser(database.db, { email: 'beheer@example.be', name: 'Beheer', role: 'admin', passwordHash: '!' })
  const cookie = `${cookieNames(testConfig().publicBaseUrl).session}=${await createSession(database.db, adminId)}`
  return { app, database, fixture, cookie }
}

t.test('a staff page asked for with gzip or br comes back compressed and decodes to the page', async (t) => {
  const { app, fixture, cookie } = await world(t)
  const url = `/admin/dashboard/${fixture.regionId}`
  const plain = await app.inject({ url, headers: { cookie } })
  t.equal(plain.statusCode, 200)
  t.notOk(plain.headers['content-encoding'], 'no Accept-Encoding: sent as it is')
  t.ok(plain.body.length > 1024, `the dashboard is above the threshold (${plain.body.length} bytes)`)

  for (const [encoding, decode] of [['gzip', gunzipSync], ['br', brotliDecompressSync]] as const) {
    const packed = await app.inject({ url, headers: { cookie, 'accept-encoding': encoding } })
    t.equal(packed.statusCode, 200)
    t.equal(packed.headers['content-encoding'], encoding, `${encoding}: Content-Encoding says so`)
    t.match(String(packed.headers.vary), /accept-encoding/i, 'and caches are told it depends on Accept-Encoding')
    t.ok(packed.rawPayload.length < plain.rawPayload.length / 3, `${encoding}: ${plain.rawPayload.length} → ${packed.rawPayload.length} bytes`)
    const page = decode(packed.rawPayload).toString('utf8')
    // The same page, but for its CSRF token: masked afresh in every response.
    const tokens = [...page.matchAll(csrfField)].map((m) => m[1])
    const plainTokens = [...plain.body.matchAll(csrfField)].map((m) => m[1])
    t.ok(tokens.length > 0, 'the page carries a CSRF token (the sign-out form)')
    t.not(tokens[0], plainTokens[0], 'which differs from the one in the other response')
    t.equal(page.replace(csrfField, ''), plain.body.replace(csrfField, ''), `${encoding}: decodes to the same page`)
  }
})

t.test('the citizen form with its ticket, step 2 with its answer token and the thank-you page are never compressed', async (t) => {
  const { app, fixture } = await world(t)
  const accept = { 'accept-encoding': 'br, gzip, deflate' }
  const form = await app.inject({ url: `/q/${fixture.code}`, headers: accept })
  t.equal(form.statusCode, 200)
  t.notOk(form.headers['content-encoding'], 'the step-1 form goes out as it is')
  t.match(form.body, /name="ticket" value="[^"]+"/, 'readable, ticket and all')
  const { token } = await answerStepOne(app, fixture.code)
  const stepTwo = await app.inject({ url: `/q/${fixture.code}/2?t=${token}`, headers: accept })
  t.equal(stepTwo.statusCode, 200)
  t.ok(stepTwo.body.length > 1024, 'step 2 is above the staff threshold too')
  t.notOk(stepTwo.headers['content-encoding'], 'step 2 (answer token in the form) goes out as it is')
  t.match(stepTwo.body, new RegExp(`t=${token}`))
  const thanks = await app.inject({ url: `/q/${fixture.code}/thanks?t=${token}`, headers: accept })
  t.notOk(thanks.headers['content-encoding'], 'the thank-you page too')
})

t.test('odd Accept-Encoding headers get the page uncompressed, and a compressed request body is not inflated', async (t) => {
  const { app, fixture, cookie } = await world(t)
  const url = `/admin/dashboard/${fixture.regionId}`
  for (const value of ['identity', 'gzip;q=0, br;q=0', 'compress', 'x-unknown, ,;;', 'g'.repeat(4000)]) {
    const res = await app.inject({ url, headers: { cookie, 'accept-encoding': value } })
    t.equal(res.statusCode, 200, `${value.slice(0, 30)}: the page`)
    t.notOk(res.headers['content-encoding'], `${value.slice(0, 30)}: uncompressed`)
    t.match(res.body, /<html/, 'and readable')
  }
  // A form body sent gzip-compressed is read as the bytes it is, which are no form: 400. Were
  // it inflated, it would be the form `_csrf=x` and fail the CSRF check with a 403 instead.
  const { gzipSync } = await import('node:zlib')
  const res = await app.inject({
    method: 'POST',
    url: '/logout',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    payload: gzipSync(Buffer.from('_csrf=x')),
  })
  t.equal(res.statusCode, 400, 'refused as bytes that are no form, not inflated')
  const still = await app.inject({ url, headers: { cookie } })
  t.equal(still.statusCode, 200, 'and the session was not ended')
})
