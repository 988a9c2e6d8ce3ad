import t from 'tap'
import { createPartner, createRegion } from '../../src/admin/queries.ts'
import { Browser, makeUser, testPassword } from '../auth/browser.ts'
import { buildTestApp, seedPoster } from '../helpers.ts'

/**
 * The profile page (`/admin/profile`): each person subscribes themselves, explicitly, to the
 * digests they may read, and to nothing else. Bad input — an unknown digest, a partner they
 * cannot see, an unknown language, a forged token — gets the form again with a message in
 * their language, and nothing changes.
 */

async function world(t: Parameters<typeof buildTestApp>[0], overrides: Record<string, string> = {}) {
  const ctx = await buildTestApp(t, overrides)
  const db = ctx.database.db
  const fixture = await seedPoster(ctx.database)
  const other = await createPartner(db, fixture.regionId, 'CVO Andere', 'adult_education')
  const elsewhere = await createRegion(db, { slug: 'elders', name: 'Regio Elders' })
  const elsewherePartner = await createPartner(db, elsewhere, 'Bib Elders', 'library')
  await makeUser(db, 'coordinator', 'coord@example.be', { regionIds: [fixture.regionId] })
  await makeUser(db, 'partner', 'lid@example.be', { partnerIds: [fixture.partnerId] })
  await makeUser(db, 'bridge', 'brug@example.be', { regionIds: [fixture.regionId] })
  const as = async (email: string) => {
    const browser = new Browser(ctx.app)
    if ((await browser.signIn(email, testPassword)).statusCode !== 303) throw new Error('sign-in')
    return browser
  }
  const subscriptions = () => ctx.database.db.selectFrom('digest_subscriptions').innerJoin('users', 'users.id', 'digest_subscriptions.user_id').select(['users.email', 'scope_key', 'language']).orderBy('users.email').orderBy('scope_key').execute()
  return { ...ctx, db, fixture, other, elsewhere, elsewherePartner, as, subscriptions }
}

const boxes = (html: string) => [...html.matchAll(/<input type="checkbox" name="digests" value="(\w+)"( checked)?>/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`)

t.test('each person is offered the digests they may read, unticked, and the menu leads there', async (t) => {
  const w = await world(t)
  const { regionId, partnerId } = w.fixture
  const coordinator = await w.as('coord@example.be')
  const page = await coordinator.get('/admin/profile')
  t.equal(page.statusCode, 200)
  t.match(page.body, '<a href="/admin/profile" aria-current="page">Mijn profiel</a>', 'in the staff menu')
  t.match(page.body, 'Op deze server is nog geen mailserver ingesteld', 'says that no mail goes out without SMTP_URL')
  t.same(boxes(page.body), [`r${regionId}`, `p${partnerId}`, `p${w.other}`], "the region, then its partners by name (Bibliotheek…, CVO…), none ticked")

  const member = await w.as('lid@example.be')
  t.same(boxes((await member.get('/admin/profile')).body), [`p${partnerId}`], 'a partner member: their own partner only')
  const bridge = await w.as('brug@example.be')
  t.same(boxes((await bridge.get('/admin/profile')).body), [`r${regionId}`], "a bridge figure: the region's digest")
  t.match((await bridge.get('/admin')).body, 'href="/admin/profile"', 'the menu links it on every page')

  t.equal((await member.post('/admin/profile', { digests: `p${partnerId}`, language: 'en' })).statusCode, 303)
  const saved = await member.get('/admin/profile?done=profile.saved')
  t.same(boxes(saved.body), [`p${partnerId}*`], 'ticked after saving')
  t.match(saved.body, 'Je inschrijvingen zijn bewaard.')
  t.match(saved.body, '<option value="en" selected>English</option>')
  t.same(await w.subscriptions(), [{ email: 'lid@example.be', scope_key: `p${partnerId}`, language: 'en' }])
  const audit = await w.db.selectFrom('audit_log').select(['action', 'detail']).where('action', '=', 'digest_subscription.update').execute()
  t.equal(audit.length, 1, 'the change is audited')
})

t.test('bad input: the form again with the message next to the field, nothing changed', async (t) => {
  const w = await world(t, { SMTP_URL: 'smtp://127.0.0.1:2525' })
  const { regionId, partnerId } = w.fixture
  const coordinator = await w.as('coord@example.be')
  await coordinator.get('/admin/profile')
  t.equal((await coordinator.post('/admin/profile', { digests: [`r${regionId}`], language: 'nl' })).statusCode, 303)
  const before = await w.subscriptions()
  const member = await w.as('lid@example.be')
  await member.get('/admin/profile')

  const cases: [who: Browser, name: string, fields: Record<string, string | string[]>, field: string, nl: string][] = [
    [coordinator, 'an unknown region', { digests: [`r${regionId}`, 'r999999'], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet of is er geen dat jij mag lezen.'],
    [coordinator, "another region's partner", { digests: [`p${w.elsewherePartner}`], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet'],
    [coordinator, "another region's digest", { digests: [`r${w.elsewhere}`], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet'],
    [member, 'a partner the member cannot see', { digests: [`p${w.other}`], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet'],
    [member, "the region's digest, which a partner member may not read", { digests: [`r${regionId}`], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet'],
    [member, 'a malformed value', { digests: ['<script>'], language: 'nl' }, 'digests', 'Een van de gekozen overzichten bestaat niet'],
    [member, 'an unknown language', { digests: [`p${partnerId}`], language: 'ar' }, 'language', 'Kies Nederlands, English of Français.'],
  ]
  for (const [who, name, fields, field, message] of cases) {
    const response = await who.post('/admin/profile', fields)
    t.equal(response.statusCode, 422, `${name}: 422`)
    t.match(response.body, message, `${name}: the message`)
    t.match(response.body, `id="f-${field}-error"`, `${name}: next to the field`)
    t.match(response.body, `<a href="#f-${field}">`, `${name}: in the summary`)
    t.notMatch(response.body, '&lt;script&gt;', `${name}: an unknown value is not echoed`)
    t.same(await w.subscriptions(), before, `${name}: nothing changed`)
  }
  // The valid box the person ticked stays ticked in the form shown again.
  const again = await coordinator.post('/admin/profile', { digests: [`r${regionId}`, `p${partnerId}`, 'r999999'], language: 'nl' })
  t.same(boxes(again.body).filter((b) => b.endsWith('*')), [`r${regionId}*`, `p${partnerId}*`])

  // In English for a person reading in English.
  await member.get('/admin/profile?lang=en')
  const english = await member.post('/admin/profile?lang=en', { digests: [`p${w.other}`], language: 'nl' })
  t.equal(english.statusCode, 422)
  t.match(english.body, 'One of the digests chosen does not exist or is not one you may read.')

  // Without a CSRF token nothing changes either.
  const forged = await member.post('/admin/profile', { _csrf: 'forged', digests: [`p${partnerId}`], language: 'nl' })
  t.equal(forged.statusCode, 403)
  t.same(await w.subscriptions(), before)
})

t.test('a forged unsubscribe token: the friendly page, in the reader’s language (nl, en or fr), nothing changed', async (t) => {
  const w = await world(t)
  const coordinator = await w.as('coord@example.be')
  await coordinator.get('/admin/profile')
  await coordinator.post('/admin/profile', { digests: [`r${w.fixture.regionId}`], language: 'nl' })
  const before = await w.subscriptions()
  const token = 'x'.repeat(43)
  for (const [acceptLanguage, text] of [
    ['fr-BE,fr;q=0.9', 'Ce lien ne fonctionne pas (ou plus)'],
    ['en', 'This link does not work (any more)'],
    ['nl', 'Deze link werkt niet (meer)'],
    ['ar', 'Deze link werkt niet (meer)'],
  ]) {
    for (const method of ['GET', 'POST'] as const) {
      const response = await w.app.inject({ method, url: `/digest/unsubscribe/${token}`, headers: { 'accept-language': acceptLanguage!, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, ...(method === 'POST' ? { payload: 'List-Unsubscribe=One-Click' } : {}) })
      t.equal(response.statusCode, 404, `${method} ${acceptLanguage}`)
      t.match(response.body, text!)
      t.equal(response.headers['referrer-policy'], 'no-referrer')
    }
  }
  const multipart = await w.app.inject({ method: 'POST', url: `/digest/unsubscribe/${token}`, headers: { 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n' })
  t.equal(multipart.statusCode, 404, 'a multipart one-click POST (RFC 8058 allows it) reaches the same page')
  t.same(await w.subscriptions(), before)
})
