import t from 'tap'
import { publish } from '../../src/answers/cell-key.ts'
import { createActivity, createLocation } from '../../src/admin/queries.ts'
import { createPoster } from '../../src/posters/queries.ts'
import shareRoutes from '../../src/dashboard/share-routes.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { makeAnswers, now, storeDataset } from './dataset.ts'
import { buildWorld, storeAnswer } from './world.ts'

const canary = 'zebravinken'

/** A region (k = 5) with the usual data set, a location with only three answers and a word from free text that the signed-in dashboard lists. */
async function shareApp(t: Parameters<typeof buildTestApp>[0]) {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const world = await buildWorld(db, { k: 5 })
  await storeDataset(db, world, makeAnswers())
  const small = await createLocation(db, world.regionId, { name: 'Kerk Bree' })
  const activity = await createActivity(db, { partnerId: world.partners.a, title: 'Leesclub', audience: 'adults' })
  const poster = await createPoster(db, { activityId: activity, locationId: small })
  const smallPoster = { id: poster.id, partnerId: world.partners.a, locationId: small, activityId: activity }
  for (let i = 0; i < 3; i++) await storeAnswer(db, world, { poster: smallPoster, createdAt: `2026-11-2${i}T10:00:00.000Z`, triedNew: 'yes', recordKey: 30, step2: { liked: 5, ageBand: '65_plus' } })
  for (let i = 0; i < 6; i++) {
    await storeAnswer(db, world, { poster: world.posters[0]!, createdAt: `2026-11-2${i}T11:00:00.000Z`, triedNew: 'a_bit', step2: { freeText: `${canary} tellen in de tuin` } })
  }
  // The same routes with the clock pinned to the data set's last day.
  await app.register(shareRoutes, { prefix: '/pinned', now: () => now })
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [world.regionId] })
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [world.partners.a] })
  const coordinator = new Browser(app)
  if ((await coordinator.signIn('coordinator@example.be', testPassword)).statusCode !== 303) throw new Error('coordinator cannot sign in')
  return { app, db, world, coordinator }
}

function tokenFrom(html: string): string {
  const match = /\/r\/([\w-]{43})</.exec(html)
  if (!match) throw new Error('no share link on the page')
  return match[1]!
}

t.test('a coordinator makes a share link that shows only protected totals', async (t) => {
  const { app, db, world, coordinator } = await shareApp(t)
  const sharePage = `/admin/dashboard/${world.regionId}/share`
  const empty = await coordinator.get(sharePage)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'Er zijn geen actieve deellinks.')

  const created = await coordinator.post(sharePage)
  t.equal(created.statusCode, 200, 'the new link is shown once, on the page')
  const token = tokenFrom(created.body)
  t.ok(Buffer.from(token, 'base64url').length * 8 >= 128, 'at least 128 random bits')
  const rows = await db.selectFrom('share_links').selectAll().execute()
  t.equal(rows.length, 1)
  t.notOk(JSON.stringify(rows).includes(token), 'the token itself is not stored')
  t.equal(rows[0]!.region_id, world.regionId)
  t.notMatch((await coordinator.get(sharePage)).body, token, 'and not shown again later')

  // The signed-in dashboard shows the word: the share page must not. The small location (three answers, keys 3 × 30) is published, never as 3.
  const dashboard = await coordinator.get(`/admin/dashboard/${world.regionId}`)
  t.match(dashboard.body, canary, 'the word list of the signed-in dashboard has the canary word')
  t.match(dashboard.body, `href="/admin/dashboard/${world.regionId}/share"`, 'the dashboard links to the share page')
  t.match(dashboard.body, `print=1`, 'and to its print view')
  const printView = await coordinator.get(`/admin/dashboard/${world.regionId}?period=2026-11&print=1`)
  t.equal(printView.statusCode, 200)
  t.match(printView.body, 'main{max-width:210mm}', 'laid out on screen as the A4 sheet it prints on')
  t.notMatch(printView.body, '<form class="filters"', 'the print view has no filter form')

  const shared = await app.inject({ url: `/pinned/r/${token}?period=month` })
  t.equal(shared.statusCode, 200)
  t.equal(shared.headers['referrer-policy'], 'no-referrer')
  t.match(shared.body, `Cijfers van Regio Dashboard`)
  t.match(shared.body, 'Kerncijfers')
  t.match(shared.body, '<svg', 'charts')
  t.notMatch(shared.body, canary, 'no word from free text')
  t.notMatch(shared.body, 'tellen in de tuin', 'no free text')
  t.notMatch(shared.body, 'Ik wil leren werken met de computer', 'no free text of the data set')
  t.notMatch(shared.body, 'Woorden', 'no word lists at all')
  t.notMatch(shared.body, 'export.csv', 'no CSV')
  t.notMatch(shared.body, '<form', 'no filters to narrow the slice')
  t.notMatch(shared.body, '<script')
  const row = /<tr><th scope="row">Kerk Bree[^]*?<\/tr>/.exec(shared.body)
  t.ok(row, 'the small location is listed')
  t.match(row![0], `<td class="n">${publish(3, 90)}</td>`, 'with its published count, from its three answers and their record keys')
  t.match(shared.body, 'Cijfers tot en met 2026-11-26.', 'up to and including yesterday')
  t.notMatch(row![0], />3</, 'never the count itself')

  const unpinned = await app.inject({ url: `/r/${token}` })
  t.equal(unpinned.statusCode, 200, 'the app serves share links at /r/:token without signing in')
})

t.test('revoked and unknown links get the same 404 page; only managers make links', async (t) => {
  const { app, db, world, coordinator } = await shareApp(t)
  const sharePage = `/admin/dashboard/${world.regionId}/share`
  await coordinator.get(sharePage)
  const token = tokenFrom((await coordinator.post(sharePage)).body)
  t.equal((await app.inject({ url: `/r/${token}` })).statusCode, 200)

  const list = await coordinator.get(sharePage)
  const revokeAction = /action="(\/admin\/dashboard\/\d+\/share\/\d+\/revoke)"/.exec(list.body)![1]!
  const revoked = await coordinator.post(revokeAction)
  t.equal(revoked.statusCode, 303)
  const afterRevoke = await app.inject({ url: `/r/${token}` })
  t.equal(afterRevoke.statusCode, 404)
  const unknown = await app.inject({ url: `/r/${'A'.repeat(43)}` })
  const malformed = await app.inject({ url: '/r/abc' })
  const nowhere = await app.inject({ url: '/no-such-page' })
  t.equal(unknown.statusCode, 404)
  t.equal(malformed.statusCode, 404)
  t.equal(afterRevoke.body, unknown.body, 'a revoked link looks like an unknown one')
  t.equal(unknown.body, nowhere.body, 'and like any unknown address')
  t.equal((await coordinator.post(revokeAction)).statusCode, 303, 'revoking twice (a double click) is no error')
  t.equal((await app.inject({ url: `/r/${token}` })).statusCode, 404, 'and the link stays revoked')

  const partner = new Browser(app)
  await partner.signIn('partner@example.be', testPassword)
  t.equal((await partner.get(sharePage)).statusCode, 403, 'a partner member sees the dashboard but makes no share links')
  const other = await buildWorld(db)
  t.equal((await coordinator.get(`/admin/dashboard/${other.regionId}/share`)).statusCode, 404, "another region's share page is a 404")
})

t.test('a share link token never reaches the log', async (t) => {
  const { Writable } = await import('node:stream')
  const { buildApp } = await import('../../src/app.ts')
  const { testConfig, testDatabase } = await import('../helpers.ts')
  const { createShareLink } = await import('../../src/dashboard/share-links.ts')
  const lines: string[] = []
  const stream = new Writable({ write(chunk, _encoding, callback) { lines.push(String(chunk)); callback() } })
  const database = await testDatabase(t)
  const app = await buildApp(testConfig({ LOG_LEVEL: 'trace' }), { database, logStream: stream })
  t.teardown(() => app.close())
  const world = await buildWorld(database.db, { k: 5 })
  const userId = await makeUser(database.db, 'coordinator', 'logs@example.be', { regionIds: [world.regionId] })
  const { token } = await createShareLink(database.db, world.regionId, userId)
  t.equal((await app.inject({ url: `/r/${token}?period=month` })).statusCode, 200)
  t.equal((await app.inject({ url: `/r/${'B'.repeat(43)}` })).statusCode, 404)
  const log = lines.join('')
  t.match(log, '/r/[token]', 'the request is logged')
  t.notMatch(log, token, 'without its token')
  t.notMatch(log, 'B'.repeat(43), 'also for unknown tokens')
})
