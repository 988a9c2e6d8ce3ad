import t from 'tap'
import { createInvitation } from '../../src/auth/invitations.ts'
import { tokenHash } from '../../src/auth/tokens.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from './browser.ts'

const newPassword = 'een lange zin als wachtwoord'

t.test('a coordinator invites a partner member; the link makes the account once, in the right partner', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  await coordinator.get(`/admin/regions/${fixture.regionId}/users`)

  const missingPartner = await coordinator.post(`/admin/regions/${fixture.regionId}/users`, { email: 'lid@example.be', role: 'partner', partner_id: '' })
  t.equal(missingPartner.statusCode, 422)
  t.match(missingPartner.body, 'Kies de partnerorganisatie')
  t.match(missingPartner.body, 'value="lid@example.be"', 'the typed address is kept')

  const created = await coordinator.post(`/admin/regions/${fixture.regionId}/users`, { email: 'Lid@Example.be', role: 'partner', partner_id: String(fixture.partnerId) })
  t.equal(created.statusCode, 200)
  const link = /https:\/\/leervraag\.example\.be(\/login\/invite\/([A-Za-z0-9_-]{43}))/.exec(created.body)
  t.ok(link, 'the link is shown to the coordinator to pass on')
  const [, path, token] = link!
  const stored = await database.db.selectFrom('invitations').selectAll().executeTakeFirstOrThrow()
  t.equal(stored.token_hash, tokenHash(token!), 'only the hash of the token is stored')
  t.notMatch(JSON.stringify(stored), token!)
  t.equal(Date.parse(stored.expires_at) - Date.parse(stored.created_at), 7 * 24 * 3600 * 1000, 'valid for 7 days')

  const person = new Browser(app)
  const form = await person.get(path!)
  t.equal(form.statusCode, 200)
  t.match(form.body, 'lid@example.be')
  const short = await person.post(path!, { name: 'Lies', password: 'kort', password_again: 'kort' })
  t.equal(short.statusCode, 422)
  t.match(short.body, 'minstens 12 tekens')
  t.match(short.body, 'value="Lies"')
  const mismatch = await person.post(path!, { name: 'Lies', password: newPassword, password_again: newPassword + '!' })
  t.equal(mismatch.statusCode, 422)
  t.match(mismatch.body, 'niet gelijk')
  const accepted = await person.post(path!, { name: 'Lies', password: newPassword, password_again: newPassword })
  t.equal(accepted.statusCode, 303)
  t.equal(accepted.headers.location, '/admin')
  t.equal((await person.get(`/admin/regions/${fixture.regionId}/activities`)).statusCode, 200, 'signed in as a partner member')

  const user = await database.db.selectFrom('users').selectAll().where('email', '=', 'lid@example.be').executeTakeFirstOrThrow()
  t.equal(user.role, 'partner')
  t.equal(user.name, 'Lies')
  t.notMatch(user.password_hash, newPassword)
  t.match(user.password_hash, /^scrypt\$32768\$8\$1\$/)
  const memberships = await database.db.selectFrom('user_partners').selectAll().where('user_id', '=', user.id).execute()
  t.same(memberships.map((m) => m.partner_id), [fixture.partnerId])

  const reuse = await new Browser(app).get(path!)
  t.equal(reuse.statusCode, 404, 'a used link does not work again')
  t.match(reuse.body, 'werkt niet meer')
  const reusePost = await new Browser(app).post(path!, { _csrf: 'x', name: 'Mallory', password: newPassword, password_again: newPassword })
  t.equal(reusePost.statusCode, 403)
  t.equal((await database.db.selectFrom('users').selectAll().execute()).length, 2, 'no second account')

  const log = await database.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'in', ['invitation.create', 'invitation.accept']).execute()
  t.equal(log.length, 2)
  t.notMatch(JSON.stringify(log), token!, 'no token in the audit log')
})

t.test('expired, tampered and unknown links get the same page and create nothing', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const expired = await createInvitation(database.db, { email: 'oud@example.be', role: 'bridge', regionId: fixture.regionId, invitedBy: null }, new Date(Date.now() - 8 * 24 * 3600 * 1000))
  const valid = await createInvitation(database.db, { email: 'nieuw@example.be', role: 'bridge', regionId: fixture.regionId, invitedBy: null })
  const tampered = valid.token.slice(0, -1) + (valid.token.endsWith('A') ? 'B' : 'A')
  const pages: string[] = []
  for (const token of [expired.token, tampered, 'kort', valid.token + 'x']) {
    const page = await app.inject({ method: 'GET', url: `/login/invite/${token}` })
    t.equal(page.statusCode, 404, token)
    pages.push(page.body.replace(/value="[^"]*"|\/login\/invite\/[^"?]*/g, ''))
  }
  t.equal(new Set(pages).size, 1, 'the same page for each')

  // Posting to the expired link (with a valid CSRF token) creates nothing either.
  const browser = new Browser(app)
  await browser.get('/login')
  const post = await browser.post(`/login/invite/${expired.token}`, { name: 'Oud', password: newPassword, password_again: newPassword })
  t.equal(post.statusCode, 404)
  t.equal((await database.db.selectFrom('users').selectAll().execute()).length, 0)

  // The valid one still works, and gives a bridge figure of the region.
  await browser.get(`/login/invite/${valid.token}`)
  t.equal((await browser.post(`/login/invite/${valid.token}`, { name: 'Bram', password: newPassword, password_again: newPassword })).statusCode, 303)
  const bridge = await database.db.selectFrom('users').innerJoin('user_regions', 'user_regions.user_id', 'users.id').selectAll().executeTakeFirstOrThrow()
  t.match(bridge, { role: 'bridge', region_id: fixture.regionId })
})

t.test('a coordinator cannot invite a coordinator; an admin can', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await makeUser(database.db, 'admin', 'admin@example.be')
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  await coordinator.get(`/admin/regions/${fixture.regionId}/users`)
  t.notMatch(coordinator.lastPage, 'value="coordinator"', 'the role is not offered')
  const refused = await coordinator.post(`/admin/regions/${fixture.regionId}/users`, { email: 'c2@example.be', role: 'coordinator' })
  t.equal(refused.statusCode, 403)
  t.equal((await database.db.selectFrom('invitations').selectAll().execute()).length, 0)

  const admin = new Browser(app)
  await admin.signIn('admin@example.be', testPassword)
  await admin.get(`/admin/regions/${fixture.regionId}/users`)
  const made = await admin.post(`/admin/regions/${fixture.regionId}/users`, { email: 'c2@example.be', role: 'coordinator' })
  t.equal(made.statusCode, 200)
  const taken = await admin.post(`/admin/regions/${fixture.regionId}/users`, { email: 'coord@example.be', role: 'coordinator' })
  t.equal(taken.statusCode, 422)
  t.match(taken.body, 'al een account')
})

t.test('a disabled user loses access at once, on the very next request', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const memberId = await makeUser(database.db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  const member = new Browser(app)
  await member.signIn('lid@example.be', testPassword)
  t.equal((await member.get(`/admin/regions/${fixture.regionId}/activities`)).statusCode, 200)
  const form = member.lastPage

  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  await coordinator.get(`/admin/regions/${fixture.regionId}/users`)
  t.equal((await coordinator.post(`/admin/regions/${fixture.regionId}/users/${memberId}/disable`)).statusCode, 303)
  t.match((await coordinator.get(`/admin/regions/${fixture.regionId}/users`)).body, 'Uitgeschakeld')

  const next = await member.get(`/admin/regions/${fixture.regionId}/activities`)
  t.equal(next.statusCode, 303, 'the next page sends them to sign in')
  t.equal(next.headers.location, '/login')
  member.lastPage = form
  const before = (await database.db.selectFrom('activities').selectAll().execute()).length
  const write = await member.post(`/admin/regions/${fixture.regionId}/activities`, { title: 'Nog snel', audience: 'all' })
  t.equal(write.statusCode, 403, "the open form's token belonged to the ended session")
  t.equal((await database.db.selectFrom('activities').selectAll().execute()).length, before, 'a form still open in a tab changes nothing')
  t.equal((await member.signIn('lid@example.be', testPassword)).statusCode, 401, 'and cannot sign in again')

  // Disabling in the database alone is enough: the session check reads it on every request.
  const other = await makeUser(database.db, 'partner', 'lid2@example.be', { partnerIds: [fixture.partnerId] })
  const second = new Browser(app)
  await second.signIn('lid2@example.be', testPassword)
  t.equal((await second.get('/admin')).statusCode, 200)
  await database.db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', other).execute()
  t.equal((await second.get('/admin')).statusCode, 303)
})
