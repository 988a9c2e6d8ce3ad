import t from 'tap'
import { addRegionUpdate, hasPublicUpdates, publicUpdatesPath } from '../../src/updates/queries.ts'
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

t.test('bad input: the form comes back with what was typed and a message per field; bad ids are the 404 page', async (t) => {
  const { app, database } = await buildTestApp(t)
  const db = database.db
  const fixture = await seedPoster(database)
  const other = await seedPoster(database)
  const me = await makeUser(db, 'coordinator', 'coordinator@example.be', { regionIds: [fixture.regionId] })
  const foreignTheme = await db.selectFrom('themes').select('id').where('region_id', '=', other.regionId).executeTakeFirstOrThrow()
  const coordinator = new Browser(app)
  await coordinator.signIn('coordinator@example.be', testPassword)
  const admin = `/admin/regions/${fixture.regionId}/updates`
  const count = async () => (await db.selectFrom('region_updates').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n

  await coordinator.get(admin)
  const long = await coordinator.post(admin, { body: 'Een bericht dat te lang is. '.repeat(30) })
  t.equal(long.statusCode, 422)
  t.match(long.body, 'Dit is te lang.')
  t.match(long.body, 'Een bericht dat te lang is.', 'what was typed is still in the form')
  await coordinator.get(admin)
  const foreign = await coordinator.post(`${admin}?lang=en`, { body: 'Nieuws', theme_id: String(foreignTheme.id) })
  t.equal(foreign.statusCode, 422, "another region's theme is not a choice")
  t.match(foreign.body, '<html lang="en"')
  t.match(foreign.body, '>Nieuws</textarea>')
  t.equal(Number(await count()), 0, 'nothing stored')

  const id = await addRegionUpdate(db, { regionId: other.regionId, themeId: null, body: 'Elders', userId: me })
  await coordinator.get(admin)
  const unknown = await coordinator.post(`${admin}/999999/hide`, { hidden: '1' })
  await coordinator.get(admin)
  const elsewhere = await coordinator.post(`${admin}/${id}/hide`, { hidden: '1' })
  await coordinator.get(admin)
  const malformed = await coordinator.post(`${admin}/x1/hide`, { hidden: '1' })
  for (const res of [unknown, elsewhere, malformed]) t.equal(res.statusCode, 404)
  t.equal(elsewhere.body, unknown.body, "another region's update: the same page as an unknown one")
  t.equal(malformed.body, unknown.body)
  await coordinator.get(admin)
  const tampered = await coordinator.post(`${admin}/${id}/hide`, { hidden: 'yes' })
  t.equal(tampered.statusCode, 400, 'a button value the page never sends: the 400 page naming the field')
  t.match(tampered.body, 'hidden')
  t.equal((await db.selectFrom('region_updates').select('hidden_at').where('id', '=', id).executeTakeFirstOrThrow()).hidden_at, null, 'nothing changed')
})
