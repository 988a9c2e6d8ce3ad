import t from 'tap'
import { createRegion } from '../../src/admin/queries.ts'
import { type CurrentUser, can } from '../../src/auth/permissions.ts'
import { buildTestApp } from '../helpers.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { createOffer } from '../../src/followup/offers.ts'
import { regionSwitcher } from '../../src/staff/menu.ts'
import { followupWorld, request } from '../followup/world.ts'

const person = (role: CurrentUser['role'], regionIds: number[]): CurrentUser => ({
  id: 1, email: 'x@example.be', name: 'X', role, regionIds, partnerIds: role === 'partner' ? [7] : [], partnerRegionIds: role === 'partner' ? regionIds : [], sessionId: 's',
})

/**
 * Follow-up's rules, as followup/access.ts decided them before can() took over: the
 * queue (contact details) is for the region's bridge figures and coordinators, never for
 * admins; offers and moderation kept by the region's coordinators and admins, offers read
 * also by the region's bridge figures (issue 16: they refer people to them); data subject
 * requests for admins only. Columns: queue, read offers, keep offers, moderation, subject
 * requests (region 1).
 */
const followupRules: Record<string, [boolean, boolean, boolean, boolean, boolean]> = {
  'admin of [1]': [false, true, true, true, true],
  'admin of [2]': [false, true, true, true, true],
  'admin of []': [false, true, true, true, true],
  'coordinator of [1]': [true, true, true, true, false],
  'coordinator of [2]': [false, false, false, false, false],
  'coordinator of []': [false, false, false, false, false],
  'partner of [1]': [false, false, false, false, false],
  'partner of [2]': [false, false, false, false, false],
  'partner of []': [false, false, false, false, false],
  'bridge of [1]': [true, true, false, false, false],
  'bridge of [2]': [false, false, false, false, false],
  'bridge of []': [false, false, false, false, false],
}

t.test('can() decides follow-up as its table says', async (t) => {
  for (const role of ['admin', 'coordinator', 'partner', 'bridge'] as const) {
    for (const regionIds of [[1], [2], []]) {
      const user = person(role, regionIds)
      const label = `${role} of [${regionIds}]`
      t.same(
        [
          can(user, 'view', { type: 'followup', regionId: 1 }),
          can(user, 'view', { type: 'offer', regionId: 1 }),
          can(user, 'manage', { type: 'offer', regionId: 1 }),
          can(user, 'manage', { type: 'moderation', regionId: 1 }),
          can(user, 'manage', { type: 'subject-requests' }),
        ],
        followupRules[label],
        label,
      )
    }
  }
})

t.test('the staff 404 and 400 pages', async (t) => {
  const { app, database } = await buildTestApp(t)
  const own = await createRegion(database.db, { slug: 'eigen', name: 'Regio Eigen' })
  const other = await createRegion(database.db, { slug: 'ander', name: 'Regio Ander' })
  await makeUser(database.db, 'coordinator', 'coord@example.be', { regionIds: [own] })
  const coordinator = new Browser(app)
  await coordinator.signIn('coord@example.be', testPassword)

  const outOfScope = await coordinator.get(`/admin/regions/${other}/partners`)
  const unknown = await coordinator.get('/admin/regions/999999/partners')
  const malformed = await coordinator.get('/admin/regions/0x1/partners')
  t.equal(outOfScope.statusCode, 404)
  t.equal(outOfScope.body, unknown.body, 'another region looks exactly like no region')
  t.equal(malformed.body, unknown.body, 'and so does a malformed id')
  t.match(unknown.body, '<a href="/logout">Afmelden</a>', 'sign-out is a link on the message page (it has no CSRF token)')
  t.notMatch(unknown.body, 'name="_csrf"')
  t.match(unknown.body, 'href="?lang=en"')

  const english = await coordinator.get(`/admin/regions/${other}/partners?lang=en`)
  t.match(english.body, 'Not found', 'in the language asked for')

  const denied = await database.db.selectFrom('audit_log').select('detail').where('action', '=', 'access.denied').execute()
  t.ok(denied.length >= 3)
  for (const row of denied) t.match(String(row.detail), '/admin/regions/:regionId/partners', 'the route pattern is logged, never the ids tried')

  const badQuery = await coordinator.get(`/admin/regions/${own}/partners?lang=${'x'.repeat(40)}`)
  t.equal(badQuery.statusCode, 400)
  t.match(badQuery.body, /[„“]lang”/, 'the 400 page names the field')

  const logout = await coordinator.get('/logout')
  t.equal(logout.statusCode, 200)
  t.equal((await coordinator.post('/logout')).statusCode, 303, 'the button on GET /logout signs out')
  t.equal((await coordinator.get('/admin')).headers.location, '/login')
})

t.test('the 403 page says what happened in words, not as a catalog key, in both languages', async (t) => {
  const w = await followupWorld(t)
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const nl = await coordinator.get('/admin/audit')
  t.equal(nl.statusCode, 403, 'the whole log is for admins')
  t.match(nl.body, '<h1>Geen toegang</h1>')
  t.match(nl.body, '<p>Je account mag dit niet doen. Er is niets gewijzigd.</p>')
  t.notMatch(nl.body, /admin\.[a-z_]+\.[a-z_]+/, 'no raw key anywhere on the page')
  const en = await coordinator.get('/admin/audit?lang=en')
  t.match(en.body, '<p>Your account may not do this. Nothing was changed.</p>')
  t.notMatch(en.body, /admin\.[a-z_]+\.[a-z_]+/)
  const audit = await w.database.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'access.denied').execute()
  t.equal(audit.length, 2, 'each refusal is audited')
})

t.test('admins find the data subject requests in their menu; others do not', async (t) => {
  const w = await followupWorld(t)
  const admin = await w.signIn('admin')
  const home = await admin.get('/admin')
  t.match(home.body, '<li><a href="/admin/subject-requests">Verzoeken van betrokkenen</a></li>')
  const page = await admin.get('/admin/subject-requests')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<a href="/admin/subject-requests" aria-current="page">')
  for (const role of ['coordinator', 'bridge'] as const) {
    const other = await w.signIn(role, [w.a.regionId])
    t.notMatch((await other.get('/admin')).body, '/admin/subject-requests', `not in a ${role}'s menu`)
  }
})

t.test('someone with several regions switches between them from the header, to the same kind of page', async (t) => {
  const w = await followupWorld(t)
  const a = `/admin/regions/${w.a.regionId}`
  const b = `/admin/regions/${w.b.regionId}`
  const switcher = (body: string) => body.match(/<nav class="switch"[\s\S]*?<\/nav>/)?.[0] ?? ''
  const coordinator = await w.signIn('coordinator', [w.a.regionId, w.b.regionId])

  const queue = switcher((await coordinator.get(`${a}/followup`)).body)
  t.match(queue, `<a href="${a}/followup" aria-current="true">`, 'the current region is marked')
  t.match(queue, `<a href="${b}/followup">`, 'the queue → the other region\'s queue')

  const req = await request(w.database.db, w.a)
  t.match(switcher((await coordinator.get(`${a}/followup/${req.id}`)).body), `<a href="${b}/followup">`, 'one request → the other region\'s queue')
  t.match(switcher((await coordinator.get(`/admin/dashboard/${w.a.regionId}/share`)).body), `<a href="/admin/dashboard/${w.b.regionId}/share">`, 'share links → share links')
  t.match(switcher((await coordinator.get(`/admin/dashboard/${w.a.regionId}`)).body), `<a href="/admin/dashboard/${w.b.regionId}">`, 'dashboard → dashboard')
  t.match(switcher((await coordinator.get(a)).body), `<a href="${b}">`, 'overview → overview')
  t.match(switcher((await coordinator.get(`${a}/offers/new`)).body), `<a href="${b}/offers">`, 'a new offer → the other region\'s offers')
  const names = await w.database.db.selectFrom('regions').select(['id', 'name']).orderBy('name').execute()
  t.ok(queue.indexOf(`>${names[0]!.name}<`) < queue.indexOf(`>${names[1]!.name}<`), 'regions in the order of their names')

  // A bridge figure's switcher follows their own menu (offers are read-only for them, and there).
  const bridge = await w.signIn('bridge', [w.a.regionId, w.b.regionId])
  const offer = await createOffer(w.database.db, w.a.regionId, { title: 'Naaiatelier', provider: 'X', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'all', link: null, contact: null, themeIds: [], archived: false })
  t.match(switcher((await bridge.get(`${a}/offers/${offer}`)).body), `<a href="${b}/offers">`, 'a bridge figure: one offer → the other region\'s offers')
  t.match(switcher((await bridge.get(`${a}/followup`)).body), `<a href="${b}/followup">`)

  const single = await w.signIn('coordinator', [w.a.regionId])
  t.equal(switcher((await single.get(`${a}/followup`)).body), '', 'one region: no switcher')
  const admin = await w.signIn('admin')
  t.equal(switcher((await admin.get(a)).body), '', 'admins use the regions page')
  t.equal(switcher((await coordinator.get('/admin')).body), '', 'no switcher outside a region')

  // The message pages stay the same bytes whatever the address: no switcher there.
  const unknown = await coordinator.get(`${a}/followup/999999`)
  const elsewhere = await coordinator.get(`/admin/regions/999999/followup`)
  t.equal(unknown.statusCode, 404)
  t.equal(switcher(unknown.body), '', 'no switcher on the 404 page')
  t.equal(unknown.body, elsewhere.body, 'the same 404 page for an unknown request and an unknown region')
  const partner = await w.signIn('partner', [w.a.regionId, w.b.regionId])
  const forbidden = await partner.get(`${a}/followup`)
  t.equal(forbidden.statusCode, 403)
  t.equal(switcher(forbidden.body), '', 'nor on the 403 page')
  t.equal(forbidden.body, (await partner.get(`${b}/followup`)).body, 'the same 403 page in either region')
})

t.test('regionSwitcher: where this page kind is not open to the person, the region\'s overview', async (t) => {
  // A coordinator of region 1 only, shown a list with region 2 (can() decides per region).
  const user = { id: 1, email: 'x@example.be', name: 'X', role: 'coordinator' as const, regionIds: [1], partnerIds: [], partnerRegionIds: [], sessionId: 's' }
  const regions = [{ id: 1, name: 'Een' }, { id: 2, name: 'Twee' }]
  t.same(regionSwitcher(user, 1, '/admin/regions/1/followup/7', regions), [
    { href: '/admin/regions/1/followup', name: 'Een', current: true },
    { href: '/admin/regions/2', name: 'Twee', current: false },
  ], 'not open in region 2: its overview')
  t.same(regionSwitcher({ ...user, regionIds: [1, 2] }, 1, '/admin/regions/1/themes/5', regions).map((r) => r.href), ['/admin/regions/1/themes', '/admin/regions/2/themes'])
  t.same(regionSwitcher({ ...user, regionIds: [1, 2] }, 1, '/admin/regions/10', regions).map((r) => r.href), ['/admin/regions/1', '/admin/regions/2'], 'a look-alike path is not a page of region 1')
})
