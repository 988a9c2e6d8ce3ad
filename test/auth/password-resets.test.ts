import t from 'tap'
import { createPasswordReset, passwordResetLifetimeMs } from '../../src/auth/password-resets.ts'
import { tokenHash } from '../../src/auth/tokens.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from './browser.ts'

const newPassword = 'een nieuwe lange zin als wachtwoord'
const linkPattern = /https:\/\/leervraag\.example\.be(\/login\/reset\/([A-Za-z0-9_-]{43}))/

t.test('a coordinator makes a reset link; it sets a new password once and ends every session of the account', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const coordinatorId = await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const memberId = await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })

  // The member is signed in somewhere (a forgotten laptop): that session must end.
  const laptop = new Browser(app)
  await laptop.signIn('lid@example.be', testPassword)
  t.equal((await laptop.get('/admin')).statusCode, 200)

  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const users = await coordinator.get(`/admin/regions/${fixture.regionId}/users`)
  t.match(users.body, `action="/admin/regions/${fixture.regionId}/users/${memberId}/password-reset"`, 'the list offers a reset link for the member')
  t.notMatch(users.body, `/users/${coordinatorId}/password-reset`, 'not for the coordinator themselves')

  const made = await coordinator.post(`/admin/regions/${fixture.regionId}/users/${memberId}/password-reset`)
  t.equal(made.statusCode, 200)
  t.match(made.body, 'Resetlink gemaakt voor')
  t.match(made.body, /role="status"/)
  const [, path, token] = linkPattern.exec(made.body) ?? []
  t.ok(token, 'the link is shown once to pass on')
  const stored = await db.selectFrom('password_resets').selectAll().executeTakeFirstOrThrow()
  t.equal(stored.token_hash, tokenHash(token!), 'only the sha256 of the token is stored')
  t.equal(stored.user_id, memberId)
  t.equal(Date.parse(stored.expires_at) - Date.parse(stored.created_at), 24 * 3600 * 1000, 'valid for 24 hours')
  const created = await db.selectFrom('audit_log').selectAll().where('action', '=', 'password_reset.create').executeTakeFirstOrThrow()
  t.equal(created.user_id, coordinatorId)
  t.equal(created.resource_id, memberId)
  t.notMatch(JSON.stringify(await db.selectFrom('audit_log').selectAll().execute()), token!, 'the token is never in the audit log')

  const person = new Browser(app)
  const page = await person.get(path!)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Kies een nieuw wachtwoord')
  t.match(page.body, 'lid@example.be')

  const short = await person.post(path!, { password: 'kort', password_again: 'kort' })
  t.equal(short.statusCode, 422, 'the same password rules as an invitation')
  t.match(short.body, 'minstens 12 tekens')
  const mismatch = await person.post(path!, { password: newPassword, password_again: `${newPassword}!` })
  t.equal(mismatch.statusCode, 422)
  t.equal((await db.selectFrom('password_resets').select('used_at').executeTakeFirstOrThrow()).used_at, null, 'a rejected form does not use up the link')

  const before = (await db.selectFrom('users').select('password_hash').where('id', '=', memberId).executeTakeFirstOrThrow()).password_hash
  const done = await person.post(path!, { password: newPassword, password_again: newPassword })
  t.equal(done.statusCode, 303)
  t.equal(done.headers.location, '/login?done=password.changed')
  const after = (await db.selectFrom('users').select('password_hash').where('id', '=', memberId).executeTakeFirstOrThrow()).password_hash
  t.not(after, before, 'the password changed')
  t.match(after, /^scrypt\$32768\$8\$1\$/, 'hashed with scrypt like every password')
  t.equal((await db.selectFrom('sessions').select('id').where('user_id', '=', memberId).execute()).length, 0, 'every session of the account has ended')
  t.equal((await laptop.get('/admin')).statusCode, 303, 'the forgotten laptop is signed out')
  t.ok((await db.selectFrom('sessions').select('id').where('user_id', '=', coordinatorId).execute()).length > 0, "the coordinator's own session stays")

  const login = await person.get('/login?done=password.changed')
  t.match(login.body, /role="status">Je wachtwoord is gewijzigd/)
  t.equal((await person.signIn('lid@example.be', testPassword)).statusCode, 401, 'the old password no longer works')
  t.equal((await person.signIn('lid@example.be', newPassword)).statusCode, 303, 'the new one does')

  const used = await db.selectFrom('audit_log').selectAll().where('action', '=', 'password_reset.use').executeTakeFirstOrThrow()
  t.equal(used.user_id, memberId)
  t.notMatch(JSON.stringify(used), token!)

  // Reused: the same friendly page, nothing changes.
  const again = new Browser(app)
  const reusedPage = await again.get(path!)
  t.equal(reusedPage.statusCode, 404)
  t.match(reusedPage.body, 'Deze resetlink werkt niet meer')
  await again.get('/login')
  const reusedPost = await again.post(path!, { password: 'nog een ander wachtwoord', password_again: 'nog een ander wachtwoord' })
  t.equal(reusedPost.statusCode, 404)
  t.equal((await db.selectFrom('users').select('password_hash').where('id', '=', memberId).executeTakeFirstOrThrow()).password_hash, after, 'a reused link changes nothing')
})

t.test('expired, forged, superseded and disabled-account links all get the same page and change nothing', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const adminId = await makeUser(db, 'admin', 'admin@example.be')
  const memberId = await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  const hash = async () => (await db.selectFrom('users').select('password_hash').where('id', '=', memberId).executeTakeFirstOrThrow()).password_hash
  const original = await hash()

  const expired = (await createPasswordReset(db, { userId: memberId, createdBy: adminId }, new Date(Date.now() - passwordResetLifetimeMs - 1000))).token
  const superseded = (await createPasswordReset(db, { userId: memberId, createdBy: adminId })).token
  const current = (await createPasswordReset(db, { userId: memberId, createdBy: adminId })).token
  t.equal((await db.selectFrom('password_resets').select('id').execute()).length, 1, 'a new link replaces the unused older ones')
  const forged = current.slice(0, -1) + (current.endsWith('A') ? 'B' : 'A')
  const cases = { expired, superseded, forged, malformed: 'abc', long: 'x'.repeat(150) }

  const person = new Browser(app)
  await person.get('/login')
  const pages = new Set<string>()
  for (const [name, token] of Object.entries(cases)) {
    const page = await person.get(`/login/reset/${token}`)
    t.equal(page.statusCode, 404, `${name}: 404`)
    t.match(page.body, 'Deze resetlink werkt niet meer', `${name}: the friendly page`)
    pages.add(page.body.replace(/name="_csrf" value="[^"]*"/g, ''))
    const post = await person.post(`/login/reset/${token}`, { password: newPassword, password_again: newPassword })
    t.equal(post.statusCode, 404, `${name}: posting it changes nothing`)
  }
  t.equal(pages.size, 1, 'every bad link gets the same bytes')
  t.equal(await hash(), original, 'the password did not change')

  // A link for an account that is then disabled does not work: no way around "Disable".
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', memberId).execute()
  t.equal((await person.get(`/login/reset/${current}`)).statusCode, 404)
  await db.updateTable('users').set({ disabled_at: null }).where('id', '=', memberId).execute()
  t.equal((await person.get(`/login/reset/${current}`)).statusCode, 200, 'the current link works once the account is enabled again')
  t.equal(await hash(), original)
})

t.test('admins make reset links for administrators; a disabled account or oneself gets none', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const adminId = await makeUser(db, 'admin', 'admin@example.be')
  const otherId = await makeUser(db, 'admin', 'admin2@example.be')
  const admin = new Browser(app)
  await admin.signIn('admin@example.be', testPassword)
  const list = await admin.get('/admin/users')
  t.match(list.body, `/admin/users/${otherId}/password-reset`)
  t.notMatch(list.body, `/admin/users/${adminId}/password-reset`)
  const made = await admin.post(`/admin/users/${otherId}/password-reset`)
  t.equal(made.statusCode, 200)
  t.ok(linkPattern.test(made.body))
  const self = await admin.post(`/admin/users/${adminId}/password-reset`)
  t.equal(self.statusCode, 409)
  t.match(self.body, 'eigen account')
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', otherId).execute()
  const disabled = await admin.post(`/admin/users/${otherId}/password-reset`)
  t.equal(disabled.statusCode, 409)
  t.match(disabled.body, 'Schakel het eerst weer in')
  t.equal((await db.selectFrom('password_resets').select('id').execute()).length, 1, 'only the first link was made')
})
