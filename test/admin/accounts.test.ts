import { PassThrough } from 'node:stream'
import t from 'tap'
import { disableUser } from '../../src/auth/users.ts'
import { buildTestApp, form, formHeaders, seedPoster } from '../helpers.ts'
import { Browser, csrfFrom, makeUser, testPassword } from '../auth/browser.ts'

const isDisabled = async (db: Awaited<ReturnType<typeof buildTestApp>>['database']['db'], id: number) =>
  (await db.selectFrom('users').select('disabled_at').where('id', '=', id).executeTakeFirstOrThrow()).disabled_at !== null

t.test('a coordinator disables a partner member only after confirming, and can enable them again', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const memberId = await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  const users = `/admin/regions/${fixture.regionId}/users`
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)

  const list = await coordinator.get(users)
  t.match(list.body, `href="${users}/${memberId}/disable"`, 'the list links to a confirmation page, no one-click disable')
  t.notMatch(list.body, `action="${users}/${memberId}/disable"`)

  const confirm = await coordinator.get(`${users}/${memberId}/disable`)
  t.equal(confirm.statusCode, 200)
  t.match(confirm.body, 'Wil je het account van partner lid (lid@example.be) uitschakelen?', 'the confirmation names the person')
  t.match(confirm.body, `<form method="post" action="${users}/${memberId}/disable"`, 'a plain form: works without JavaScript')
  t.match(confirm.body, `href="${users}"`, 'and a way back')
  t.equal(await isDisabled(db, memberId), false, 'opening the confirmation changes nothing')

  const disabled = await coordinator.post(`${users}/${memberId}/disable`)
  t.equal(disabled.statusCode, 303)
  t.equal(disabled.headers.location, `${users}?done=user.disabled`)
  t.equal(await isDisabled(db, memberId), true)
  const after = await coordinator.get(disabled.headers.location!)
  t.match(after.body, /role="status">Het account is uitgeschakeld\./)
  t.match(after.body, /Uitgeschakeld sinds \d{4}-\d{2}-\d{2}/, 'disabled accounts are listed as such')
  t.match(after.body, `action="${users}/${memberId}/enable"`, 'with a button to enable them again')
  t.match((await coordinator.get(`${users}/${memberId}/disable`)).body, 'is al uitgeschakeld')

  const enabled = await coordinator.post(`${users}/${memberId}/enable`)
  t.equal(enabled.statusCode, 303)
  t.equal(enabled.headers.location, `${users}?done=user.enabled`)
  t.equal(await isDisabled(db, memberId), false)
  t.match((await coordinator.get(enabled.headers.location!)).body, 'Het account is weer ingeschakeld.')
  t.equal((await new Browser(app).signIn('lid@example.be', testPassword)).statusCode, 303, 'the person signs in again')

  const actions = (await db.selectFrom('audit_log').select(['action', 'resource_id']).where('action', 'in', ['user.disable', 'user.enable']).orderBy('id').execute()).map((row) => `${row.action} ${row.resource_id}`)
  t.same(actions, [`user.disable ${memberId}`, `user.enable ${memberId}`])
})

t.test('a coordinator cannot disable or enable another coordinator', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const otherId = await makeUser(db, 'coordinator', 'coord2@example.be', { regionIds: [fixture.regionId] })
  const users = `/admin/regions/${fixture.regionId}/users`
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  t.notMatch((await coordinator.get(users)).body, `${users}/${otherId}/disable`)
  t.equal((await coordinator.get(`${users}/${otherId}/disable`)).statusCode, 403)
  t.equal((await coordinator.post(`${users}/${otherId}/disable`)).statusCode, 403)
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', otherId).execute()
  await coordinator.get(users)
  t.equal((await coordinator.post(`${users}/${otherId}/enable`)).statusCode, 403)
  t.equal(await isDisabled(db, otherId), true)
})

t.test('administrators: confirmation, no self-disable, never the last active administrator', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const adminId = await makeUser(db, 'admin', 'admin@example.be')
  const otherId = await makeUser(db, 'admin', 'admin2@example.be')
  const admin = new Browser(app)
  await admin.signIn('admin@example.be', testPassword)

  const self = await admin.get(`/admin/users/${adminId}/disable`)
  t.equal(self.statusCode, 200)
  t.match(self.body, 'Je kunt je eigen account niet uitschakelen')
  t.notMatch(self.body, `action="/admin/users/${adminId}/disable"`, 'no button to do it anyway')
  const selfPost = await admin.post(`/admin/users/${adminId}/disable`)
  t.equal(selfPost.statusCode, 409)
  t.match(selfPost.body, 'Je kunt je eigen account niet uitschakelen')
  t.equal(await isDisabled(db, adminId), false)

  const confirm = await admin.get(`/admin/users/${otherId}/disable`)
  t.match(confirm.body, 'admin2@example.be')
  t.equal((await admin.post(`/admin/users/${otherId}/disable`)).headers.location, '/admin/users?done=user.disabled')
  t.equal(await isDisabled(db, otherId), true)
  const list = await admin.get('/admin/users')
  t.match(list.body, /Uitgeschakeld sinds/)
  t.match(list.body, `action="/admin/users/${otherId}/enable"`)
  t.equal((await admin.post(`/admin/users/${otherId}/enable`)).headers.location, '/admin/users?done=user.enabled')
  t.equal(await isDisabled(db, otherId), false)

  // The last active administrator: refused in the store, whoever asks.
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('id', '=', adminId).execute()
  t.equal(await disableUser(db, otherId), 'last_admin')
  t.equal(await isDisabled(db, otherId), false, 'the last administrator stays active')
  await db.updateTable('users').set({ disabled_at: null }).where('id', '=', adminId).execute()

  // Two administrators disabling each other at the same moment: one of them stays.
  const second = new Browser(app)
  await second.signIn('admin2@example.be', testPassword)
  await admin.get('/admin/users')
  await second.get('/admin/users')
  const [a, b] = await Promise.all([admin.post(`/admin/users/${otherId}/disable`), second.post(`/admin/users/${adminId}/disable`)])
  const active = await db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute()
  t.equal(active.length, 1, 'exactly one administrator is still active')
  for (const response of [a, b]) {
    if (response.statusCode === 409) t.match(response.body, 'de laatste actieve beheerder', 'the refusal says why')
    else t.equal(response.statusCode, 303, 'disabled, or signed out by the other one first')
  }
})

t.test('the last-admin refusal is shown on the page with its reason', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  await makeUser(db, 'admin', 'admin@example.be')
  const otherId = await makeUser(db, 'admin', 'admin2@example.be')
  const admin = new Browser(app)
  await admin.signIn('admin@example.be', testPassword)
  await admin.get('/admin/users')
  // The signed-in admin's own row is disabled while their confirmation is on its way (as
  // another instance would do it): the session was read before, the body arrives after.
  // The store still refuses to disable the last active administrator.
  const body = new PassThrough()
  const pending = app.inject({ method: 'POST', url: `/admin/users/${otherId}/disable`, headers: { ...formHeaders, cookie: admin.cookieHeader }, payload: body })
  await new Promise((resolve) => setTimeout(resolve, 300))
  await db.updateTable('users').set({ disabled_at: new Date().toISOString() }).where('email', '=', 'admin@example.be').execute()
  body.end(form({ _csrf: csrfFrom(admin.lastPage) }))
  const refused = await pending
  t.equal(refused.statusCode, 409)
  t.match(refused.body, 'admin2 is de laatste actieve beheerder')
  t.equal(await isDisabled(db, otherId), false)
})

t.test('creating something is confirmed on the page the person lands on; the message is a whitelisted key', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const base = `/admin/regions/${fixture.regionId}`
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)

  async function landing(response: { statusCode: number; headers: Record<string, unknown> }, done: string, text: string) {
    t.equal(response.statusCode, 303)
    const location = String(response.headers.location)
    t.match(location, `?done=${done}`, `${done}: the address says what was done`)
    const page = await coordinator.get(location)
    t.equal(page.statusCode, 200)
    t.match(page.body, `<p class="note done" role="status">${text}`, `${done}: a status message`)
    return location
  }

  await coordinator.get(`${base}/activities`)
  const activity = await landing(await coordinator.post(`${base}/activities`, { title: 'Naailes', audience: 'adults', partner_id: String(fixture.partnerId) }), 'activity.created', 'De activiteit is gemaakt.')
  const activityPath = activity.split('?')[0]!
  t.match(coordinator.lastPage, 'Naailes')
  t.notMatch(coordinator.lastPage, /role="status">[^<]*Naailes/, 'no personal or typed data in the message')
  await coordinator.post(`${base}/locations`, { name: 'Bib Tongeren', municipality: 'Tongeren' })
  await coordinator.get(activityPath)
  const location = await db.selectFrom('locations').select('id').where('name', '=', 'Bib Tongeren').executeTakeFirstOrThrow()
  const posters = await landing(await coordinator.post(`${activityPath}/posters`, { locations: [String(location.id)] }), 'posters.created', 'De affiches zijn gemaakt.')
  t.match(posters, /#posters$/)

  await coordinator.get(`${base}/locations`)
  await landing(await coordinator.post(`${base}/locations`, { name: 'Zaal Nieuw' }), 'location.created', 'De locatie is toegevoegd.')
  await coordinator.get(`${base}/partners`)
  await landing(await coordinator.post(`${base}/partners`, { name: 'CVO Nieuw', kind: 'adult_education' }), 'partner.created', 'De partner is toegevoegd.')

  // An invitation answers with the page that shows the link, itself a status message.
  await coordinator.get(`${base}/users`)
  const invited = await coordinator.post(`${base}/users`, { email: 'nieuw@example.be', role: 'bridge' })
  t.equal(invited.statusCode, 200)
  t.match(invited.body, /<div class="note" role="status">\s*<p>Uitnodiging gemaakt voor nieuw@example\.be/)

  const english = await coordinator.get(`${base}/partners?done=partner.created&lang=en`)
  t.match(english.body, 'role="status">The partner has been added.')
  for (const bad of ['<script>alert(1)</script>', 'admin.login.failed', 'partner.created.x', '']) {
    const page = await coordinator.get(`${base}/partners?done=${encodeURIComponent(bad)}`)
    t.equal(page.statusCode, 200, `unknown key ${JSON.stringify(bad)}: the page still opens`)
    t.notMatch(page.body, 'role="status"', 'without a message')
    t.notMatch(page.body, '<script>alert')
  }
  t.notMatch((await coordinator.get(`${base}/partners`)).body, 'role="status"', 'no message without ?done=')
})
