import { existsSync, readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { sql } from 'kysely'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { createInvitation } from '../../src/auth/invitations.ts'
import { createPasswordReset } from '../../src/auth/password-resets.ts'
import { createShareLink } from '../../src/dashboard/share-links.ts'
import { createApiToken } from '../../src/api/tokens.ts'
import { form, formHeaders, seedPoster, testConfig, testDatabase, testDatabaseUrl, ticketFrom } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

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

/**
 * A canary for every kind of secret the service hands out: each token is used in requests
 * (accepted, refused, unknown addresses; in the path and in the query string), then the
 * whole log output, the audit page and the database (the SQLite file with its -wal and -shm,
 * or every row of every table on PostgreSQL) are searched for it. Whoever reads the logs or
 * the audit log must not be able to claim an invitation, open a share link, withdraw a
 * contact request or amend an answer.
 */
t.test('no token the service hands out appears in the log, the audit log or the database files', async (t) => {
  const database = await testDatabase(t)
  const fixture = await seedPoster(database)
  const log = captureLog()
  const app = await buildApp(testConfig({ LOG_LEVEL: 'trace' }), { database, logStream: log.stream, minFillMs: { step1: 0, step2: 0 } })
  t.teardown(() => app.close())

  const adminId = await makeUser(database.db, 'admin', 'canary-admin@example.be')
  const invitation = (await createInvitation(database.db, { email: 'nieuw-admin@example.be', role: 'admin', invitedBy: adminId })).token
  const share = (await createShareLink(database.db, fixture.regionId, adminId)).token
  const resetFor = await makeUser(database.db, 'partner', 'canary-lid@example.be', { partnerIds: [fixture.partnerId] })
  const reset = (await createPasswordReset(database.db, { userId: resetFor, createdBy: adminId })).token
  const api = (await createApiToken(database.db, { regionId: fixture.regionId, name: 'canary', userId: adminId })).token

  // A citizen on a poster: an answer token, and a withdrawal token from the contact opt-in.
  const step1 = await app.inject({ method: 'GET', url: `/q/${fixture.code}` })
  const answered = await app.inject({ method: 'POST', url: `/q/${fixture.code}`, headers: formHeaders, payload: form({ tried_new: 'yes', ticket: ticketFrom(step1.body) }) })
  const step2Url = String(answered.headers.location)
  const answer = new URL(step2Url, 'http://x').searchParams.get('t')!
  t.ok(answer, 'an answer token was handed out')
  const sent = await app.inject({
    method: 'POST',
    url: step2Url,
    headers: formHeaders,
    payload: form({ liked: '4', contact_name: 'Kanarie', contact_value: '0470 12 34 56', contact_consent: 'yes', contact_language: 'nl' }),
  })
  t.equal(sent.statusCode, 303)
  const thanks = await app.inject({ method: 'GET', url: String(sent.headers.location) })
  const withdrawal = /href="\/withdraw\?w=([A-Za-z0-9_-]{43})/.exec(thanks.body)?.[1]
  t.ok(withdrawal, 'a withdrawal token was handed out')

  // A signed-in admin: the session cookie is a token too.
  const admin = new Browser(app)
  await admin.signIn('canary-admin@example.be', testPassword)
  const session = [...admin.cookies].find(([name]) => name.endsWith('session'))?.[1]
  t.ok(session, 'a session token was handed out')

  const tokens = { invitation, reset, share, api, answer, withdrawal: withdrawal!, session: session! }

  // Every token in the places where it belongs, and in places where it does not.
  const requests: { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string; signedIn?: boolean }[] = []
  for (const token of Object.values(tokens)) {
    requests.push(
      { method: 'GET', url: `/nothing-here/${token}?token=${token}` },
      { method: 'GET', url: `/q/${fixture.code}/thanks?t=${token}&w=${token}&x=${token}` },
      { method: 'GET', url: `/r/${token}?lang=${token}` },
      { method: 'GET', url: `/r/${token}/extra/${token}` },
      { method: 'GET', url: `/login/invite/${token}?next=${token}` },
      { method: 'GET', url: `/login/reset/${token}?next=${token}` },
      { method: 'POST', url: `/login/reset/${token}`, headers: formHeaders, payload: form({ password: 'x' }) },
      { method: 'POST', url: `/login/invite/${token}`, headers: formHeaders, payload: form({ name: 'x' }) },
      { method: 'GET', url: `/withdraw?w=${token}` },
      { method: 'GET', url: `/withdraw/${token}` },
      { method: 'GET', url: `/api/v1/regions?token=${token}` },
      { method: 'GET', url: `/api/v1/${token}`, headers: { authorization: `Bearer ${api}` } },
      { method: 'GET', url: `/api/v1/regions/${fixture.regionId}/summary?period=${token}`, headers: { authorization: `Bearer ${api}` } },
      { method: 'GET', url: `/admin/${token}?q=${token}`, signedIn: true },
      { method: 'POST', url: `/admin/regions/${token}`, headers: formHeaders, payload: form({ name: 'x' }), signedIn: true },
      { method: 'GET', url: `/admin/regions/${fixture.regionId}/${token}`, signedIn: true },
      { method: 'GET', url: `/q/${fixture.code}/2?t=${token}` },
      { method: 'POST', url: `/q/${fixture.code}/2?t=${token}`, headers: formHeaders, payload: form({ liked: '2' }) },
      { method: 'GET', url: `/k/${fixture.code}/2?t=${token}` },
      { method: 'GET', url: `/q/${token}` },
    )
  }
  // And where each one works.
  requests.push(
    { method: 'GET', url: `/login/invite/${invitation}` },
    { method: 'POST', url: `/login/invite/${invitation}`, headers: formHeaders, payload: form({ name: 'Zonder CSRF' }) },
    { method: 'GET', url: `/login/reset/${reset}` },
    { method: 'POST', url: `/login/reset/${reset}`, headers: formHeaders, payload: form({ password: 'Zonder CSRF' }) },
    { method: 'GET', url: `/r/${share}` },
    { method: 'GET', url: `/api/v1/regions`, headers: { authorization: `Bearer ${api}` } },
    { method: 'GET', url: `/withdraw?w=${withdrawal}&lang=nl` },
    { method: 'GET', url: step2Url },
  )
  const statuses = new Set<number>()
  for (const request of requests) {
    const { signedIn, ...rest } = request
    const res = await app.inject({ ...rest, headers: { ...(rest.headers ?? {}), ...(signedIn ? { cookie: admin.cookieHeader } : {}) } })
    statuses.add(res.statusCode)
  }
  for (const status of [200, 403, 404]) t.ok(statuses.has(status), `requests answered ${status}`)
  t.equal((await app.inject({ method: 'GET', url: `/login/invite/${invitation}` })).statusCode, 200, 'the invitation is still open')
  t.equal((await app.inject({ method: 'GET', url: `/login/reset/${reset}` })).statusCode, 200, 'the reset link is still open')
  t.match(log.text(), '/login/reset/[token]', 'the reset route is logged with its token redacted')

  // The audit log as an admin reads it.
  const auditPage = await admin.get('/admin/audit')
  t.equal(auditPage.statusCode, 200)
  t.match(auditPage.body, 'access.denied', 'the refusals were audited')

  // Every row of every table, as anyone with database access would read it.
  const tables = await database.db.introspection.getTables()
  const rows: unknown[] = []
  for (const table of tables) rows.push(...(await sql`select * from ${sql.table(table.name)}`.execute(database.db)).rows)
  const tableText = JSON.stringify(rows)
  // On SQLite: the file and its journal, bytes and all (a deleted row's bytes stay until overwritten).
  let fileText = ''
  if (!testDatabaseUrl) {
    const file = database.url.replace(/^sqlite:/, '')
    for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) fileText += readFileSync(path).toString('latin1')
    t.ok(fileText.length > 0, 'the database files were read')
  }

  const logText = log.text()
  if (process.env.SHOW_LOG) console.error(logText)
  t.match(logText, '"msg":"incoming request"', 'request lines were written')
  for (const [name, token] of Object.entries(tokens)) {
    t.notOk(logText.includes(token), `the log does not contain the ${name} token`)
    t.notOk(auditPage.body.includes(token), `the audit page does not show the ${name} token`)
    t.notOk(tableText.includes(token), `no table holds the ${name} token`)
    if (fileText) t.notOk(fileText.includes(token), `the SQLite files do not contain the ${name} token`)
  }
})
