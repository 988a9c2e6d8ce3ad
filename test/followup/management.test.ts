import t from 'tap'
import { approvedQuotes } from '../../src/followup/moderation.ts'
import { referralsPerTheme } from '../../src/followup/offers.ts'
import { followupWorld, request, themeIds } from './world.ts'

t.test('coordinators manage the region\'s offers; bad input comes back with messages; others cannot', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const base = `/admin/regions/${w.a.regionId}/offers`
  const coordinator = await w.signIn('coordinator', [w.a.regionId])

  const empty = await coordinator.get(`${base}/new`)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'Nieuw aanbod')

  const bad = await coordinator.post(base, { title: '', provider: 'Vormingplus', link: 'javascript:alert(1)' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, '<a href="#f-title">Vul dit in.</a>', 'in the summary')
  t.match(bad.body, 'id="f-title-error">Vul dit in.', 'and next to the field')
  t.match(bad.body, 'id="f-link-error">Een link begint met https:// of http://.')
  t.match(bad.body, 'value="javascript:alert(1)"', 'the input comes back')
  t.match(bad.body, 'value="Vormingplus"')

  const fields = { title: 'Naaiatelier', provider: 'Vormingplus', place: 'Bib', schedule: 'di 19u', cost: 'gratis', link: 'https://example.be', languages: ['nl', 'ar'], text_language: 'nl', audience: 'adults', themes: [String(themes[0]), String(themes[1])] }
  const created = await coordinator.post(base, fields)
  t.equal(created.statusCode, 303)
  const offer = await w.database.db.selectFrom('offers').selectAll().executeTakeFirstOrThrow()
  t.match(offer, { title: 'Naaiatelier', languages: 'nl,ar', audience: 'adults', region_id: w.a.regionId, archived: 0 })
  const attached = await w.database.db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).orderBy('theme_id').execute()
  t.same(attached.map((r) => r.theme_id), [themes[0], themes[1]].sort((x, y) => x! - y!))

  const edit = await coordinator.get(`${base}/${offer.id}`)
  t.match(edit.body, 'value="Naaiatelier"')
  t.match(edit.body, `name="themes" value="${themes[0]}" checked`, 'its themes are ticked')
  const otherTheme = (await themeIds(w.database.db, w.b.regionId))[0]!
  const badEdit = await coordinator.post(`${base}/${offer.id}`, { ...fields, audience: 'everyone' })
  t.equal(badEdit.statusCode, 422)
  t.match(badEdit.body, 'id="f-audience-error"')
  // A theme of another region is refused with the message next to the field (issue 18), not dropped.
  const foreign = await coordinator.post(`${base}/${offer.id}`, { ...fields, title: 'Naaiatelier (nieuw)', themes: [String(themes[2]), String(otherTheme)], archived: 'yes' })
  t.equal(foreign.statusCode, 422)
  t.match(foreign.body, 'id="f-themes-error"')
  t.match(await w.database.db.selectFrom('offers').select(['title']).executeTakeFirstOrThrow(), { title: 'Naaiatelier' }, 'and nothing changed')
  const updated = await coordinator.post(`${base}/${offer.id}`, { ...fields, title: 'Naaiatelier (nieuw)', themes: [String(themes[2])], archived: 'yes' })
  t.equal(updated.statusCode, 303)
  t.match(await w.database.db.selectFrom('offers').select(['title', 'archived']).executeTakeFirstOrThrow(), { title: 'Naaiatelier (nieuw)', archived: 1 })
  const after = await w.database.db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).execute()
  t.same(after.map((r) => r.theme_id), [themes[2]], 'the new theme replaces the old ones')

  // A bridge figure of the region reads the list and each offer, without a form; changing is refused (403).
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const bridgeList = await bridge.get(base)
  t.equal(bridgeList.statusCode, 200, 'a bridge figure of the region reads the offers')
  t.match(bridgeList.body, `href="${base}/${offer.id}">Naaiatelier (nieuw)</a>`)
  t.notMatch(bridgeList.body, `${base}/new`, 'no "new offer" button')
  t.match(bridgeList.body, `<a href="${base}" aria-current="page">Leeraanbod</a>`, 'and the offers are in their region menu')
  const bridgeView = await bridge.get(`${base}/${offer.id}`)
  t.equal(bridgeView.statusCode, 200)
  t.match(bridgeView.body, '<h1>Naaiatelier (nieuw)</h1>')
  t.match(bridgeView.body, '<dt>Aanbieder</dt><dd>Vormingplus</dd>')
  t.match(bridgeView.body, 'Dit aanbod is gearchiveerd')
  t.notMatch(bridgeView.body, /<form method="post" action="[^"]*offers/, 'no form to change it')
  t.equal((await bridge.get(`${base}/new`)).statusCode, 403)
  t.equal((await bridge.post(base, fields)).statusCode, 403)
  t.equal((await bridge.post(`${base}/${offer.id}`, fields)).statusCode, 403)
  const partner = await w.signIn('partner', [w.a.regionId])
  t.equal((await partner.get(base)).statusCode, 403, 'a partner member of the region does not read offers')
  t.equal((await partner.get(`${base}/${offer.id}`)).statusCode, 403)
  // A coordinator or bridge figure of another region finds nothing (404).
  for (const role of ['coordinator', 'bridge'] as const) {
    const browser = await w.signIn(role, [w.b.regionId])
    t.equal((await browser.get(base)).statusCode, 404, `${role} of another region`)
    t.equal((await browser.get(`${base}/${offer.id}`)).statusCode, 404)
    t.equal((await browser.post(base, fields)).statusCode, 404)
    t.equal((await browser.post(`${base}/${offer.id}`, fields)).statusCode, 404)
  }
  t.equal((await bridge.get(`/admin/regions/${w.a.regionId}/offers/999999`)).statusCode, 404, 'an unknown offer')
  t.equal(await w.database.db.selectFrom('offers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)), 1)
  const admin = await w.signIn('admin')
  const other = await admin.get(`/admin/regions/${w.b.regionId}/offers/${offer.id}`)
  t.equal(other.statusCode, 404, 'an offer id under another region\'s path is not found')
  t.equal(other.body, (await admin.get(`/admin/regions/${w.b.regionId}/offers/999999`)).body, 'the same page as an unknown offer')
  t.equal((await admin.post(`/admin/regions/${w.b.regionId}/offers/${offer.id}`, { ...fields, title: 'Elders' })).statusCode, 404)
  t.same((await w.audits()).map((a) => a.action), ['offer.create', 'offer.update'])
})

t.test('free text waits for moderation; approve, redact and hide decide what approvedQuotes returns', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const one = await request(db, w.a, { freeText: 'Ik ben Jan Peeters, bel 0474 12 34 56', themeIds: [themes[0]!] })
  const two = await request(db, w.a, { freeText: 'Ik wil leren fietsen', themeIds: [themes[1]!] })
  const three = await request(db, w.a, { freeText: 'Iets kwetsends' })
  await request(db, w.b, { freeText: 'Andere regio' })
  t.same(await approvedQuotes(db, w.a.regionId), [], 'nothing is quoted before moderation')

  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const list = await coordinator.get(`/admin/regions/${w.a.regionId}/moderation`)
  t.equal(list.statusCode, 200)
  t.match(list.body, 'Ik ben Jan Peeters, bel [tel.]')
  t.notMatch(list.body, /0474|Andere regio/)

  const post = (responseId: number, fields: Record<string, string>) => coordinator.post(`/admin/regions/${w.a.regionId}/moderation/${responseId}`, fields)
  t.equal((await post(one.responseId, { action: 'redact', text: 'Ik ben [naam], bel [tel.]' })).statusCode, 303)
  t.equal((await post(two.responseId, { action: 'approve' })).statusCode, 303)
  t.equal((await post(three.responseId, { action: 'hide' })).statusCode, 303)
  const empty = await post(three.responseId, { action: 'redact', text: '  ' })
  t.equal(empty.statusCode, 422, 'an empty redaction is refused')
  t.match(empty.body, 'id="f-text-error">Vul dit in.', 'next to the text, in the list the text is in (hidden)')
  t.match(empty.body, 'Iets kwetsends')
  t.equal((await post(three.responseId, { action: 'publish' })).statusCode, 422, 'an action that does not exist')
  t.equal((await post(999999, { action: 'approve' })).statusCode, 404, 'an unknown answer')

  const quotes = await approvedQuotes(db, w.a.regionId)
  t.same(quotes.map((q) => q.text).sort(), ['Ik ben [naam], bel [tel.]', 'Ik wil leren fietsen'])
  t.same((await approvedQuotes(db, w.a.regionId, { themeIds: [themes[1]!] })).map((q) => q.text), ['Ik wil leren fietsen'], 'filtered by theme')
  t.same(await approvedQuotes(db, w.b.regionId), [], 'another region\'s quotes are its own')
  t.same(await approvedQuotes(db, w.a.regionId, { from: '2999-01-01T00:00:00.000Z' }), [])

  // A text approved before someone added a phone number in a redaction is still masked.
  await post(two.responseId, { action: 'redact', text: 'Ik wil leren fietsen, 02 123 45 67' })
  t.ok((await approvedQuotes(db, w.a.regionId)).some((q) => q.text === 'Ik wil leren fietsen, [tel.]'))

  const hidden = await coordinator.get(`/admin/regions/${w.a.regionId}/moderation?status=hidden`)
  t.match(hidden.body, 'Iets kwetsends')
  const bridge = await w.signIn('bridge', [w.a.regionId])
  t.equal((await bridge.get(`/admin/regions/${w.a.regionId}/moderation`)).statusCode, 403, 'bridge figures do not moderate')
  t.equal((await bridge.post(`/admin/regions/${w.a.regionId}/moderation/${three.responseId}`, { action: 'approve' })).statusCode, 403)
  t.equal((await coordinator.post(`/admin/regions/${w.b.regionId}/moderation/${three.responseId}`, { action: 'approve' })).statusCode, 404, 'another region')
  t.same(
    (await w.audits()).map((a) => a.action),
    ['moderation.redact', 'moderation.approve', 'moderation.hide', 'moderation.redact'],
  )
})

t.test('the moderation list: newest first, 50 a page, a count, ?page= validated; a decision keeps the page', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const day = 24 * 60 * 60 * 1000
  // 52 pending texts, text 1 the oldest; one approved; one in another region.
  const start = Date.now() - 100 * day
  const rows = Array.from({ length: 52 }, (_, i) => ({
    poster_id: w.a.posterId,
    region_id: w.a.regionId,
    partner_id: w.a.partnerId,
    location_id: w.a.locationId,
    activity_id: w.a.activityId,
    created_at: new Date(start + i * day).toISOString(),
    language: 'nl',
    tried_new: 'yes' as const,
    free_text: `Tekst nummer ${i + 1}.`,
    step: 2,
    record_key: i % 256,
  }))
  const ids = (await db.insertInto('responses').values(rows).returning('id').execute()).map((row) => row.id)
  const approved = await request(db, w.a, { freeText: 'Al goedgekeurd' })
  await db.insertInto('response_moderation').values({ response_id: approved.responseId, status: 'approved', redacted_text: null, moderated_by: null, moderated_at: new Date().toISOString() }).execute()
  await request(db, w.b, { freeText: 'Andere regio' })

  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const base = `/admin/regions/${w.a.regionId}/moderation`
  const first = await coordinator.get(base)
  t.equal(first.statusCode, 200)
  t.match(first.body, '<b>52 teksten wachten</b> · pagina 1 van 2')
  t.match(first.body, 'De nieuwste staan bovenaan.')
  t.ok(first.body.indexOf('Tekst nummer 52.') < first.body.indexOf('Tekst nummer 51.'), 'newest first')
  t.notMatch(first.body, /Tekst nummer 2\.|Tekst nummer 1\.|Al goedgekeurd|Andere regio/, 'the two oldest are on page 2')
  t.equal(first.body.match(/<blockquote/g)?.length, 50, '50 a page')
  t.match(first.body, '<a href="?status=pending&amp;page=2" rel="next">Oudere →</a>')

  const second = await coordinator.get(`${base}?page=2`)
  t.equal(second.statusCode, 200)
  t.match(second.body, 'pagina 2 van 2')
  t.equal(second.body.match(/<blockquote/g)?.length, 2)
  t.ok(second.body.indexOf('Tekst nummer 2.') < second.body.indexOf('Tekst nummer 1.'))
  t.match(second.body, '<a href="?status=pending" rel="prev">← Nieuwere</a>')
  t.match(second.body, 'name="page" value="2"', 'each form carries its page')
  const past = await coordinator.get(`${base}?page=9`)
  t.match(past.body, 'pagina 2 van 2', 'a page past the end shows the last one')

  for (const bad of ['0', '-1', 'abc', '10000', '1.5']) {
    const res = await coordinator.get(`${base}?page=${bad}`)
    t.equal(res.statusCode, 400, `?page=${bad}: the 400 page`)
    t.match(res.body, /[„“]page”/, 'naming the field')
  }

  const decided = await coordinator.post(`${base}/${ids[0]}`, { action: 'approve', page: '2' })
  t.equal(decided.statusCode, 303)
  t.equal(decided.headers.location, `${base}?page=2`, 'back to the page the moderator was on')
  t.match((await db.selectFrom('response_moderation').select('status').where('response_id', '=', ids[0]!).executeTakeFirstOrThrow()), { status: 'approved' })
  t.match((await coordinator.get(base)).body, '<b>51 teksten wachten</b>')
  t.match((await coordinator.get(`${base}?status=approved`)).body, '<b>2 teksten goedgekeurd</b>')
  const failed = await coordinator.post(`${base}/${ids[1]}`, { action: 'redact', text: '', page: '2' })
  t.equal(failed.statusCode, 422)
  t.match(failed.body, 'id="f-text-error">Vul dit in.', 'the text is found on its page, with the message')
  t.match((await coordinator.get(`${base}?status=hidden&lang=en`)).body, 'Nothing in this list.')
})

t.test('data subject requests: an admin finds, exports and erases everything about a contact value', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const first = await request(db, w.a, { name: 'An Peeters', value: '+32474123456', freeText: 'Ik wil leren naaien', themeIds: [themes[0]!] })
  await request(db, w.b, { name: 'An P.', value: '+32474123456', freeText: 'ook fietsen' })
  const other = await request(db, w.a, { name: 'Iemand Anders', value: 'iemand@voorbeeld.be', freeText: 'blijft' })
  await db.insertInto('contact_attempts').values({ contact_request_id: first.id, user_id: 1, at: new Date().toISOString(), result: 'no_answer' }).execute()

  const coordinator = await w.signIn('coordinator', [w.a.regionId, w.b.regionId])
  t.equal((await coordinator.get('/admin/subject-requests')).statusCode, 403, 'admins only')
  t.equal((await coordinator.post('/admin/subject-requests', { value: '0474 12 34 56', action: 'export' })).statusCode, 403)

  const admin = await w.signIn('admin')
  t.equal((await admin.get('/admin/subject-requests')).statusCode, 200)
  const post = (fields: Record<string, string>) => admin.post('/admin/subject-requests', fields)
  const found = await post({ value: '0474/12.34.56', action: 'find' })
  t.match(found.body, 'Gevonden: 2 contactvraag of -vragen.', 'found however the number is written')
  const invalid = await post({ value: 'geen nummer', action: 'find' })
  t.equal(invalid.statusCode, 422)
  t.match(invalid.body, 'id="f-value-error">Dit is geen geldig telefoonnummer of e-mailadres.')
  t.match(invalid.body, 'value="geen nummer"', 'the input comes back')

  const exported = await post({ value: '+32 474 12 34 56', action: 'export' })
  t.equal(exported.statusCode, 200)
  t.match(exported.headers['content-type'], 'application/json')
  t.match(exported.headers['content-disposition'], 'attachment')
  const data = JSON.parse(exported.body) as { records: { contactRequest: { name: string }; answer: { freeText: string; themes: string[] }; attempts: unknown[] }[] }
  t.equal(data.records.length, 2)
  t.same(data.records.map((r) => r.contactRequest.name).sort(), ['An P.', 'An Peeters'])
  t.ok(data.records.some((r) => r.answer.freeText === 'Ik wil leren naaien' && r.answer.themes.length === 1 && r.attempts.length === 1))
  t.notMatch(exported.body, /Iemand Anders|blijft/, 'nothing about anyone else')

  const unconfirmed = await post({ value: '0474123456', action: 'erase' })
  t.equal(unconfirmed.statusCode, 422, 'erasing asks for the confirmation box')
  t.match(unconfirmed.body, 'id="f-confirm-error">Vink eerst aan')
  t.equal((await db.selectFrom('contact_requests').select('id').where('contact_value', '=', '+32474123456').execute()).length, 2)
  const erased = await post({ value: '0474123456', action: 'erase', confirm: 'yes' })
  t.match(erased.body, 'Gewist: 2')
  const rows = await db.selectFrom('contact_requests').innerJoin('responses', 'responses.id', 'contact_requests.response_id').select(['contact_requests.id', 'name', 'contact_value', 'erase_reason', 'free_text']).orderBy('contact_requests.id').execute()
  t.same(
    rows.map((r) => [r.name, r.contact_value, r.erase_reason, r.free_text]),
    [
      [null, null, 'subject_request', null],
      [null, null, 'subject_request', null],
      ['Iemand Anders', 'iemand@voorbeeld.be', null, 'blijft'],
    ],
  )
  t.equal(rows[2]!.id, other.id)
  t.match((await post({ value: '0474123456', action: 'find' })).body, 'Niets gevonden')
  const audits = await w.audits()
  t.same(audits.map((a) => [a.action, a.detail]), [
    ['subject.find', { found: 2 }],
    ['subject.export', { found: 2 }],
    ['subject.erase', { erased: 2 }],
    ['subject.find', { found: 0 }],
  ])
  t.notMatch(JSON.stringify(audits), /474/, 'the value is never written to the audit log')
  t.same(await referralsPerTheme(db, w.a.regionId), [])
})
