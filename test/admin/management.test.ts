import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { createLocation } from '../../src/admin/queries.ts'
import { buildApp } from '../../src/app.ts'
import { buildTestApp, seedPoster, testConfig, testDatabase } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

t.test('posters: one step makes a poster per ticked location; pause, resume and retire reach the citizen form at once', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  const second = await createLocation(database.db, fixture.regionId, { name: 'Buurthuis De Kei', municipality: 'Riemst' })
  const third = await createLocation(database.db, fixture.regionId, { name: 'Jeugdhuis', municipality: 'Bilzen' })
  await makeUser(database.db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  const partner = new Browser(app)
  await partner.signIn('lid@example.be', testPassword)

  const activityPage = `/admin/regions/${fixture.regionId}/activities/${fixture.activityId}`
  const page = await partner.get(activityPage)
  t.match(page.body, 'Buurthuis De Kei')
  t.notMatch(page.body, `name="locations" value="${fixture.locationId}"`, 'a location that already has a poster is not offered again')
  const none = await partner.post(`${activityPage}/posters`, {})
  t.equal(none.statusCode, 422)
  t.match(none.body, 'minstens één locatie')
  const made = await partner.post(`${activityPage}/posters`, { locations: [String(second), String(third)] })
  t.equal(made.statusCode, 303)
  const posters = await database.db.selectFrom('posters').selectAll().where('activity_id', '=', fixture.activityId).orderBy('id').execute()
  t.equal(posters.length, 3, 'two new posters')
  const fresh = posters.filter((p) => p.location_id === second || p.location_id === third)
  t.equal(new Set(fresh.map((p) => p.code)).size, 2, 'each with its own code')
  for (const poster of fresh) t.equal((await app.inject({ method: 'GET', url: `/q/${poster.code}` })).statusCode, 200, `${poster.code} answers scans`)

  // Status changes: the citizen form has this poster in memory; it must see the change now.
  const code = fresh[0]!.code
  const id = fresh[0]!.id
  t.equal((await app.inject({ method: 'GET', url: `/q/${code}` })).statusCode, 200)
  await partner.get(`/admin/regions/${fixture.regionId}/posters`)
  t.equal((await partner.post(`/admin/regions/${fixture.regionId}/posters/${id}/status`, { status: 'paused' })).statusCode, 303)
  const paused = await app.inject({ method: 'GET', url: `/q/${code}` })
  t.match(paused.body, 'staat even stil', 'paused at once')
  t.equal((await app.inject({ method: 'POST', url: `/q/${code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'tried_new=yes' })).statusCode, 409)
  t.equal((await partner.post(`/admin/regions/${fixture.regionId}/posters/${id}/status`, { status: 'active' })).statusCode, 303)
  t.equal((await app.inject({ method: 'GET', url: `/q/${code}` })).statusCode, 200, 'resumed at once')
  t.equal((await partner.post(`/admin/regions/${fixture.regionId}/posters/${id}/status`, { status: 'retired' })).statusCode, 303)
  t.equal((await app.inject({ method: 'GET', url: `/q/${code}` })).statusCode, 410, 'retired at once')
  t.equal((await partner.post(`/admin/regions/${fixture.regionId}/posters/${id}/status`, { status: 'active' })).statusCode, 403, 'retired is for good')
  t.equal((await database.db.selectFrom('posters').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status, 'retired')

  const log = await database.db.selectFrom('audit_log').select(['action', 'detail']).where('action', 'in', ['poster.create', 'poster.status']).orderBy('id').execute()
  t.same(log.map((entry) => entry.action), ['poster.create', 'poster.status', 'poster.status', 'poster.status'])
  t.match(log[3]!.detail, '"to":"retired"')
})

t.test('themes: add, rename and hide; the citizen form follows at once', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const before = await app.posterDirectory.regionThemes(fixture.regionId, 'nl')
  const target = before[0]!

  await coordinator.get(`/admin/regions/${fixture.regionId}/themes`)
  const added = await coordinator.post(`/admin/regions/${fixture.regionId}/themes`, {
    label_nl: 'Imkeren',
    label_en: 'Beekeeping',
    keywords_nl: 'bijen, imker*, honing',
    icon: '🐝',
    position: '0',
  })
  t.equal(added.statusCode, 303)
  const row = await database.db.selectFrom('themes').selectAll().where('slug', '=', 'imkeren').executeTakeFirstOrThrow()
  t.same(JSON.parse(row.labels), { nl: 'Imkeren', en: 'Beekeeping' })
  t.same(JSON.parse(row.keywords).nl, ['bijen', 'imker*', 'honing'])
  const duplicate = await coordinator.post(`/admin/regions/${fixture.regionId}/themes`, { label_nl: 'Imkeren' })
  t.equal(duplicate.statusCode, 422)
  t.match(duplicate.body, 'bestaat al')

  await coordinator.get(`/admin/regions/${fixture.regionId}/themes/${target.id}`)
  t.equal((await coordinator.post(`/admin/regions/${fixture.regionId}/themes/${target.id}`, { label_nl: 'Hernoemd thema', position: '5', hidden: 'on' })).statusCode, 303)
  const after = await app.posterDirectory.regionThemes(fixture.regionId, 'nl')
  t.notOk(after.some((theme) => theme.id === target.id), 'a hidden theme leaves the form at once')
  t.ok(after.some((theme) => theme.label === 'Imkeren'), 'the new theme is on the form')

  const invalid = await coordinator.post(`/admin/regions/${fixture.regionId}/themes/${target.id}`, { label_nl: '', position: 'veel' })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, 'Vul dit in.')
  t.match(invalid.body, 'Typ een heel getal')
  t.match(invalid.body, 'value="veel"', 'the input is shown again')
})

t.test('forms re-render with the input and a message next to the field; duplicates get a clear message', async (t) => {
  const { app, database } = await buildTestApp(t)
  const fixture = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)
  const base = `/admin/regions/${fixture.regionId}`

  await coordinator.get(`${base}/locations`)
  const badCoordinates = await coordinator.post(`${base}/locations`, { name: 'Zaal Nieuw', latitude: 'noord', longitude: '5,46' })
  t.equal(badCoordinates.statusCode, 422)
  t.match(badCoordinates.body, /id="f-latitude-error">Typ een getal/)
  t.match(badCoordinates.body, 'value="Zaal Nieuw"')
  t.match(badCoordinates.body, 'aria-invalid="true"')
  const good = await coordinator.post(`${base}/locations`, { name: 'Zaal Nieuw', address: 'Markt 1', municipality: 'Tongeren', latitude: '50,78', longitude: '5.46' })
  t.equal(good.statusCode, 303)
  t.match(await database.db.selectFrom('locations').selectAll().where('name', '=', 'Zaal Nieuw').executeTakeFirstOrThrow(), { latitude: 50.78, longitude: 5.46 })

  const existing = await database.db.selectFrom('partners').select('name').where('id', '=', fixture.partnerId).executeTakeFirstOrThrow()
  const duplicate = await coordinator.post(`${base}/partners`, { name: existing.name, kind: 'library' })
  t.equal(duplicate.statusCode, 422)
  t.match(duplicate.body, 'Deze naam bestaat al')

  const dates = await coordinator.post(`${base}/activities`, { title: 'Naaiatelier', audience: 'adults', partner_id: String(fixture.partnerId), starts_on: '2026-05-02', ends_on: '2026-05-01' })
  t.equal(dates.statusCode, 422)
  t.match(dates.body, 'De einddatum valt voor de begindatum')
  t.match(dates.body, 'value="Naaiatelier"')

  const created = await coordinator.post(`${base}/activities`, { title: 'Naaiatelier', audience: 'adults', partner_id: String(fixture.partnerId), starts_on: '2026-05-01' })
  t.equal(created.statusCode, 303)
  const log = await database.db.selectFrom('audit_log').innerJoin('users', 'users.id', 'audit_log.user_id').select(['action', 'email']).where('action', 'like', '%.create').execute()
  t.same(log.map((entry) => `${entry.action} ${entry.email}`).sort(), ['activity.create coord@example.be', 'location.create coord@example.be'])

  const unknown = await coordinator.get(`${base}/activities/999999`)
  const outOfRange = await coordinator.get(`${base}/activities/abc`)
  const noRoute = await coordinator.get(`${base}/nothing-here`)
  t.equal(unknown.statusCode, 404)
  t.equal(outOfRange.statusCode, 404)
  t.equal(unknown.body, outOfRange.body, 'every unknown id gets the same 404 page')
  t.equal(noRoute.body, unknown.body, 'the same as an address that does not exist')
})

t.test('an admin creates a region, which starts with the default themes', async (t) => {
  const { app, database } = await buildTestApp(t)
  await makeUser(database.db, 'admin', 'admin@example.be')
  const admin = new Browser(app)
  await admin.signIn('admin@example.be', testPassword)
  await admin.get('/admin/regions')
  const bad = await admin.post('/admin/regions', { slug: 'Met Spaties', name: 'Haspengouw', default_language: 'nl' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'kleine letters')
  const made = await admin.post('/admin/regions', { slug: 'haspengouw', name: 'Haspengouw', default_language: 'nl' })
  t.equal(made.statusCode, 303)
  const region = await database.db.selectFrom('regions').selectAll().where('slug', '=', 'haspengouw').executeTakeFirstOrThrow()
  const themes = await database.db.selectFrom('themes').select('id').where('region_id', '=', region.id).execute()
  t.ok(themes.length > 5, 'default themes seeded')
  const again = await admin.post('/admin/regions', { slug: 'haspengouw', name: 'Nog eens', default_language: 'nl' })
  t.equal(again.statusCode, 422)
  t.match(again.body, 'bestaat al')
})

t.test('npm run create-admin prints a working invitation link', async (t) => {
  const database = await testDatabase(t)
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts', '--email', 'Eerste@Example.be'], {
    env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_URL: database.url, PUBLIC_BASE_URL: 'https://leervraag.example.be', LOG_LEVEL: 'silent' },
  })
  const link = /https:\/\/leervraag\.example\.be(\/login\/invite\/[A-Za-z0-9_-]{43})/.exec(stdout)
  t.ok(link, stdout)
  const app = await buildApp(testConfig(), { database })
  t.teardown(() => app.close())
  const browser = new Browser(app)
  t.equal((await browser.get(link![1]!)).statusCode, 200)
  t.equal((await browser.post(link![1]!, { name: 'Eerste beheerder', password: 'een lang wachtwoord hier', password_again: 'een lang wachtwoord hier' })).statusCode, 303)
  t.equal((await browser.get('/admin/regions')).statusCode, 200, 'the new account is an administrator')
  const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/create-admin.ts', '--email', 'eerste@example.be'], {
    env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
  }).catch((error: { code: number; stderr: string }) => error)
  t.equal((failed as { code: number }).code, 1, 'refuses an address that already has an account')
})

t.test("a coordinator's audit log: the region's changes and its people's sign-ins, not another region's", async (t) => {
  const { app, database } = await buildTestApp(t)
  const a = await seedPoster(database)
  const b = await seedPoster(database)
  await makeUser(database.db, 'coordinator', 'coord-a@example.be', { regionIds: [a.regionId] })
  await makeUser(database.db, 'coordinator', 'coord-b@example.be', { regionIds: [b.regionId] })
  const other = new Browser(app)
  await other.signIn('coord-b@example.be', testPassword)
  await other.get(`/admin/regions/${b.regionId}/partners`)
  t.equal((await other.post(`/admin/regions/${b.regionId}/partners`, { name: 'Partner in B', kind: 'other' })).statusCode, 303)

  const coordinator = new Browser(app)
  await coordinator.signIn('coord-a@example.be', testPassword)
  await coordinator.get(`/admin/regions/${a.regionId}/partners`)
  t.equal((await coordinator.post(`/admin/regions/${a.regionId}/partners`, { name: 'Partner in A', kind: 'other' })).statusCode, 303)
  const page = await coordinator.get(`/admin/regions/${a.regionId}/audit`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'partner.create')
  t.match(page.body, 'Partner in A')
  t.match(page.body, 'login.success')
  t.notMatch(page.body, 'Partner in B')
  t.notMatch(page.body, 'coord-b@example.be')
})
