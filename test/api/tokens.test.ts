import { Writable } from 'node:stream'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { grantForApiToken } from '../../src/api/tokens.ts'
import { tokenHash } from '../../src/auth/tokens.ts'
import { buildTestApp, testConfig, testDatabase } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { buildWorld } from '../dashboard/world.ts'

/** The token as the page shows it once, after "Nieuw token maken". */
function tokenFrom(html: string): string {
  const match = /<span class="link">(lvapi_[\w-]{43})<\/span>/.exec(html)
  if (!match) throw new Error('no token on the page')
  return match[1]!
}

async function tokenApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  const other = await buildWorld(db, { k: 5 })
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [world.partners.a] })
  await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [world.regionId] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('coordinator@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  return { app, db, world, other, coordinator }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

t.test('a coordinator makes a token, sees it once, and the database keeps only its hash', async (t) => {
  const { app, db, world, coordinator } = await tokenApp(t)
  const page = `/admin/regions/${world.regionId}/api-tokens`

  const region = await coordinator.get(`/admin/regions/${world.regionId}`)
  t.match(region.body, `href="${page}"`, 'the region page links to the token page')
  const dashboard = await coordinator.get(`/admin/dashboard/${world.regionId}`)
  t.match(dashboard.body, `href="${page}"`, 'and so does the dashboard, next to the share link')

  const empty = await coordinator.get(page)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'Er zijn geen actieve tokens.')
  t.match(empty.body, 'https://leervraag.example.be/api/v1/openapi.json', 'the page points to the API description')

  const blank = await coordinator.post(page, { name: '   ' })
  t.equal(blank.statusCode, 422, 'a token needs a name')
  t.match(blank.body, 'Vul dit in.')
  t.equal((await db.selectFrom('api_tokens').selectAll().execute()).length, 0, 'and none was made')
  const long = await coordinator.post(page, { name: 'Stad Hasselt '.repeat(7) })
  t.equal(long.statusCode, 422, 'a name over 80 characters is refused')
  t.match(long.body, 'Dit is te lang.', 'with the message next to the field')
  t.match(long.body, `value="${'Stad Hasselt '.repeat(7)}"`, 'and the typed name kept')
  const badQuery = await coordinator.get(`${page}?lang=${'x'.repeat(40)}`)
  t.equal(badQuery.statusCode, 400, 'a malformed query is the 400 page')
  t.match(badQuery.body, 'De waarde van „lang” is niet geldig', 'naming the field, in the staff layout')

  await coordinator.get(page)
  const created = await coordinator.post(page, { name: 'Stad Hasselt, datateam' })
  t.equal(created.statusCode, 200, 'the new token is the answer to the POST, shown once')
  const token = tokenFrom(created.body)
  t.ok(Buffer.from(token.slice('lvapi_'.length), 'base64url').length * 8 >= 256, '256 random bits')
  t.match(created.body, `curl -H "Authorization: Bearer ${token}" https://leervraag.example.be/api/v1/regions/${world.regionId}/summary`, 'with a curl example')

  const rows = await db.selectFrom('api_tokens').selectAll().execute()
  t.equal(rows.length, 1)
  t.equal(rows[0]!.token_hash, tokenHash(token), 'the SHA-256 of the token is stored')
  t.notOk(JSON.stringify(rows).includes(token.slice(6)), 'the token itself is not')
  t.equal(rows[0]!.region_id, world.regionId)
  t.equal(rows[0]!.name, 'Stad Hasselt, datateam')
  t.equal(rows[0]!.last_used_at, null)

  const later = await coordinator.get(page)
  t.notMatch(later.body, token.slice(6), 'the token is not shown again')
  t.match(later.body, 'Stad Hasselt, datateam', 'but its name is listed')
  t.match(later.body, 'nog nooit', 'never used yet')

  const audit = await db.selectFrom('audit_log').select(['action', 'resource_id', 'region_id', 'detail']).where('action', 'like', 'api_token.%').execute()
  t.same(audit.map((row) => [row.action, row.resource_id, row.region_id]), [['api_token.create', rows[0]!.id, world.regionId]], 'the creation is in the audit log')
  t.notOk(JSON.stringify(audit).includes(token.slice(6)), 'without the token')

  const used = await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: bearer(token) })
  t.equal(used.statusCode, 200, 'the token opens its region')
  t.match((await coordinator.get(page)).body, /Laatst gebruikt[^]*\d{4}-\d\d-\d\d \d\d:\d\d/, 'the list shows when it was last used')
})

t.test('revoking a token closes the API to it at once', async (t) => {
  const { app, db, world, coordinator } = await tokenApp(t)
  const page = `/admin/regions/${world.regionId}/api-tokens`
  await coordinator.get(page)
  const token = tokenFrom((await coordinator.post(page, { name: 'Dashboard stad' })).body)
  t.equal((await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: bearer(token) })).statusCode, 200)

  const list = await coordinator.get(page)
  const action = /action="(\/admin\/regions\/\d+\/api-tokens\/\d+\/revoke)"/.exec(list.body)![1]!
  const revoked = await coordinator.post(action)
  t.equal(revoked.statusCode, 303)
  t.equal(revoked.headers.location, page)
  const listed = await coordinator.get(page)
  const csrf = /name="_csrf" value="([^"]+)"/.exec(listed.body)![1]!
  const malformed = await coordinator.post(`${page}/abc/revoke`, { _csrf: csrf })
  const unknownId = await coordinator.post(`${page}/999999/revoke`, { _csrf: csrf })
  t.equal(malformed.statusCode, 404, 'a malformed token id is the 404 page')
  t.equal(malformed.body, unknownId.body, 'the same page as an unknown id')
  t.match((await coordinator.get(page)).body, 'Er zijn geen actieve tokens.', 'the token is gone from the list')

  const after = await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: bearer(token) })
  t.equal(after.statusCode, 401)
  t.equal(after.headers['www-authenticate'], 'Bearer realm="leervraag", error="invalid_token"')
  t.same(after.json(), { error: { code: 'invalid_token', message: 'The token is unknown or has been revoked.' } })
  const unknown = await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: bearer(`lvapi_${'A'.repeat(43)}`) })
  t.equal(unknown.body, after.body, 'a revoked token answers exactly like an unknown one')

  await coordinator.get(page)
  t.equal((await coordinator.post(action)).statusCode, 303, 'revoking twice (a double click) is no error')
  const audit = await db.selectFrom('audit_log').select('action').where('action', 'like', 'api_token.%').orderBy('id').execute()
  t.same(audit.map((row) => row.action), ['api_token.create', 'api_token.revoke', 'api_token.revoke'])
  const row = await db.selectFrom('api_tokens').selectAll().executeTakeFirstOrThrow()
  t.ok(row.revoked_at, 'the row stays, revoked, for the record')
})

t.test('only the region\'s coordinators and admins reach the token page', async (t) => {
  const { app, db, world, other, coordinator } = await tokenApp(t)
  const page = `/admin/regions/${world.regionId}/api-tokens`
  for (const email of ['partner@example.be', 'brug@example.be']) {
    const person = new Browser(app)
    await person.signIn(email, testPassword)
    t.equal((await person.get(page)).statusCode, 403, `${email}: 403 on the page`)
    const home = await person.get('/admin')
    t.notMatch(home.body, '/api-tokens', `${email}: no link to it`)
    const region = await person.get(`/admin/regions/${world.regionId}`)
    t.notMatch(region.body, '/api-tokens', `${email}: not on the region page either`)
    t.equal((await person.post(page, { _csrf: /name="_csrf" value="([^"]+)"/.exec(home.body)![1]!, name: 'Eigen token' })).statusCode, 403, `${email}: cannot make one`)
  }
  t.equal((await db.selectFrom('api_tokens').selectAll().execute()).length, 0, 'no token was made')
  t.equal((await coordinator.get(`/admin/regions/${other.regionId}/api-tokens`)).statusCode, 404, "another region's token page is a 404")

  await makeUser(db, 'admin', 'beheer@example.be')
  const admin = new Browser(app)
  await admin.signIn('beheer@example.be', testPassword)
  t.equal((await admin.get(`/admin/regions/${other.regionId}/api-tokens`)).statusCode, 200, 'an admin manages every region\'s tokens')
})

t.test('last use is written at most once a minute, not on every request', async (t) => {
  const database = await testDatabase(t)
  const world = await buildWorld(database.db)
  const { createApiToken } = await import('../../src/api/tokens.ts')
  const { token } = await createApiToken(database.db, { regionId: world.regionId, name: 'x', userId: null })
  const lastUsed = async () => (await database.db.selectFrom('api_tokens').select('last_used_at').executeTakeFirstOrThrow()).last_used_at
  const t0 = new Date('2026-11-27T10:00:00.000Z')
  t.same(await grantForApiToken(database.db, token, t0), { tokenId: 1, regionId: world.regionId })
  t.equal(await lastUsed(), t0.toISOString(), 'the first use is recorded')
  await grantForApiToken(database.db, token, new Date('2026-11-27T10:00:59.000Z'))
  t.equal(await lastUsed(), t0.toISOString(), 'a use within the minute writes nothing')
  await grantForApiToken(database.db, token, new Date('2026-11-27T10:01:01.000Z'))
  t.equal(await lastUsed(), '2026-11-27T10:01:01.000Z', 'a use after it does')
  t.equal(await grantForApiToken(database.db, token.slice(0, -1), t0), undefined, 'a malformed token opens nothing')
  t.equal(await grantForApiToken(database.db, token.replace('lvapi_', 'lvapx_'), t0), undefined)
})

t.test('a token never reaches the log', async (t) => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk))
      callback()
    },
  })
  const database = await testDatabase(t)
  const app = await buildApp(testConfig({ LOG_LEVEL: 'trace' }), { database, logStream: stream })
  t.teardown(() => app.close())
  const world = await buildWorld(database.db)
  const { createApiToken } = await import('../../src/api/tokens.ts')
  const { token } = await createApiToken(database.db, { regionId: world.regionId, name: 'x', userId: null })
  t.equal((await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: { ...bearer(token), 'user-agent': 'curl/8.5.0' } })).statusCode, 200)
  t.equal((await app.inject({ url: `/api/v1/regions/${world.regionId}/summary`, headers: bearer(`lvapi_${'B'.repeat(43)}`) })).statusCode, 401)
  const log = lines.join('')
  t.match(log, `/api/v1/regions/${world.regionId}/summary`, 'the request is logged')
  t.notMatch(log, token.slice(6), 'without its token')
  t.notMatch(log, 'B'.repeat(43), 'also for unknown tokens')
  t.notMatch(log, 'curl/8.5.0', 'and without the user agent')
  t.notMatch(log, '127.0.0.1', 'or the address')
})
