import t from 'tap'
import { hasPublicUpdates, publicUpdatesPath } from '../../src/updates/queries.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'

t.test('a coordinator posts updates; citizens read the visible ones at /regio/:slug', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const region = await db.selectFrom('regions').select(['id', 'slug']).where('id', '=', fixture.regionId).executeTakeFirstOrThrow()
  const theme = await db.selectFrom('themes').select('id').where('region_id', '=', region.id).orderBy('position').executeTakeFirstOrThrow()
  await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [region.id] })
  await makeUser(db, 'partner', 'partner@example.be', { partnerIds: [fixture.partnerId] })

  t.equal((await app.inject({ url: `/regio/${region.slug}` })).statusCode, 404, 'no updates yet: nothing to show')
  t.equal(await hasPublicUpdates(db, region.id), false)
  t.equal(await publicUpdatesPath(db, region.id, 'nl'), undefined, 'the thank-you page gets no link')

  const coordinator = new Browser(app)
  await coordinator.signIn('coordinator@example.be', testPassword)
  const admin = `/admin/regions/${region.id}/updates`
  t.equal((await coordinator.get(admin)).statusCode, 200)
  const empty = await coordinator.post(admin, { body: '   ' })
  t.equal(empty.statusCode, 422, 'an empty message is refused with the form')
  t.match(empty.body, 'Vul dit in.')
  await coordinator.get(admin)
  const posted = await coordinator.post(admin, { body: 'Vanaf januari een computercursus in de bib <b>gratis</b>', theme_id: String(theme.id) })
  t.equal(posted.statusCode, 303)

  t.equal(await hasPublicUpdates(db, region.id), true)
  t.equal(await publicUpdatesPath(db, region.id, 'fr'), `/regio/${region.slug}?lang=fr`)
  const page = await app.inject({ url: `/regio/${region.slug}?lang=nl` })
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Wat we met jullie antwoorden deden')
  t.match(page.body, 'Vanaf januari een computercursus in de bib &lt;b&gt;gratis&lt;/b&gt;', 'the message, escaped')
  t.notMatch(page.body, '<b>gratis', 'never as HTML')
  t.match(page.body, '<strong>', 'with its theme')

  const list = await coordinator.get(admin)
  const hide = /action="(\/admin\/regions\/\d+\/updates\/\d+\/hide)"/.exec(list.body)![1]!
  t.equal((await coordinator.post(hide, { hidden: '1' })).statusCode, 303)
  t.equal((await app.inject({ url: `/regio/${region.slug}` })).statusCode, 404, 'a hidden update is not shown')
  t.equal(await hasPublicUpdates(db, region.id), false)
  await coordinator.get(admin)
  t.equal((await coordinator.post(hide, { hidden: '0' })).statusCode, 303)
  t.equal((await app.inject({ url: `/regio/${region.slug}` })).statusCode, 200, 'shown again')

  const partner = new Browser(app)
  await partner.signIn('partner@example.be', testPassword)
  t.equal((await partner.get(admin)).statusCode, 403, 'partner members do not post for the region')
  t.equal((await app.inject({ url: '/regio/no-such-region' })).statusCode, 404)
})
