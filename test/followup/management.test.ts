import t from 'tap'
import { approvedQuotes } from '../../src/followup/moderation.ts'
import { referralsPerTheme } from '../../src/followup/offers.ts'
import { form, formHeaders } from '../helpers.ts'
import { followupWorld, request, themeIds } from './world.ts'

t.test('coordinators manage the region\'s offers; bad input comes back with messages; others cannot', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const base = `/plugin/regions/${w.a.regionId}/offers`
  w.as({ id: 1, role: 'coordinator', regionIds: [w.a.regionId] })

  const empty = await w.app.inject({ method: 'GET', url: `${base}/new` })
  t.equal(empty.statusCode, 200)
  t.match(empty.body, 'Nieuw aanbod')

  const bad = await w.app.inject({ method: 'POST', url: base, headers: formHeaders, payload: form({ title: '', provider: 'Vormingplus', link: 'javascript:alert(1)' }) })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'Titel: Vul dit in.')
  t.match(bad.body, 'Een link begint met https:// of http://.')
  t.match(bad.body, 'value="javascript:alert(1)"', 'the input comes back')

  const fields = { title: 'Naaiatelier', provider: 'Vormingplus', place: 'Bib', schedule: 'di 19u', cost: 'gratis', link: 'https://example.be', languages: ['nl', 'ar'], text_language: 'nl', audience: 'adults', themes: [String(themes[0]), String(themes[1])] }
  const created = await w.app.inject({ method: 'POST', url: base, headers: formHeaders, payload: form(fields) })
  t.equal(created.statusCode, 303)
  const offer = await w.database.db.selectFrom('offers').selectAll().executeTakeFirstOrThrow()
  t.match(offer, { title: 'Naaiatelier', languages: 'nl,ar', audience: 'adults', region_id: w.a.regionId, archived: 0 })
  const attached = await w.database.db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).orderBy('theme_id').execute()
  t.same(attached.map((r) => r.theme_id), [themes[0], themes[1]].sort((x, y) => x! - y!))

  const edit = await w.app.inject({ method: 'GET', url: `${base}/${offer.id}` })
  t.match(edit.body, 'value="Naaiatelier"')
  const otherTheme = (await themeIds(w.database.db, w.b.regionId))[0]!
  const updated = await w.app.inject({ method: 'POST', url: `${base}/${offer.id}`, headers: formHeaders, payload: form({ ...fields, title: 'Naaiatelier (nieuw)', themes: [String(themes[2]), String(otherTheme)], archived: 'yes' }) })
  t.equal(updated.statusCode, 303)
  t.match(await w.database.db.selectFrom('offers').select(['title', 'archived']).executeTakeFirstOrThrow(), { title: 'Naaiatelier (nieuw)', archived: 1 })
  const after = await w.database.db.selectFrom('offer_themes').select('theme_id').where('offer_id', '=', offer.id).execute()
  t.same(after.map((r) => r.theme_id), [themes[2]], 'a theme of another region is not attached')

  for (const stranger of [{ id: 2, role: 'bridge' as const, regionIds: [w.a.regionId] }, { id: 3, role: 'coordinator' as const, regionIds: [w.b.regionId] }]) {
    w.as(stranger)
    t.equal((await w.app.inject({ method: 'GET', url: base })).statusCode, 404, `${stranger.role} of ${stranger.regionIds}`)
    t.equal((await w.app.inject({ method: 'POST', url: base, headers: formHeaders, payload: form(fields) })).statusCode, 404)
  }
  t.equal(await w.database.db.selectFrom('offers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)), 1)
  w.as({ id: 4, role: 'admin', regionIds: [] })
  const other = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.b.regionId}/offers/${offer.id}` })
  t.equal(other.statusCode, 404, 'an offer id under another region\'s path is not found')
  t.same(w.audits.map((a) => a.action), ['offer.create', 'offer.update'])
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

  w.as({ id: 5, role: 'coordinator', regionIds: [w.a.regionId] })
  const list = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/moderation` })
  t.equal(list.statusCode, 200)
  t.match(list.body, 'Ik ben Jan Peeters, bel [tel.]')
  t.notMatch(list.body, /0474|Andere regio/)

  const post = (responseId: number, fields: Record<string, string>) =>
    w.app.inject({ method: 'POST', url: `/plugin/regions/${w.a.regionId}/moderation/${responseId}`, headers: formHeaders, payload: form(fields) })
  t.equal((await post(one.responseId, { action: 'redact', text: 'Ik ben [naam], bel [tel.]' })).statusCode, 303)
  t.equal((await post(two.responseId, { action: 'approve' })).statusCode, 303)
  t.equal((await post(three.responseId, { action: 'hide' })).statusCode, 303)
  t.equal((await post(three.responseId, { action: 'redact', text: '' })).statusCode, 404, 'an empty redaction is refused')

  const quotes = await approvedQuotes(db, w.a.regionId)
  t.same(quotes.map((q) => q.text).sort(), ['Ik ben [naam], bel [tel.]', 'Ik wil leren fietsen'])
  t.same((await approvedQuotes(db, w.a.regionId, { themeIds: [themes[1]!] })).map((q) => q.text), ['Ik wil leren fietsen'], 'filtered by theme')
  t.same(await approvedQuotes(db, w.b.regionId), [], 'another region\'s quotes are its own')
  t.same(await approvedQuotes(db, w.a.regionId, { from: '2999-01-01T00:00:00.000Z' }), [])

  // A text approved before someone added a phone number in a redaction is still masked.
  await post(two.responseId, { action: 'redact', text: 'Ik wil leren fietsen, 02 123 45 67' })
  t.ok((await approvedQuotes(db, w.a.regionId)).some((q) => q.text === 'Ik wil leren fietsen, [tel.]'))

  const hidden = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/moderation?status=hidden` })
  t.match(hidden.body, 'Iets kwetsends')
  w.as({ id: 6, role: 'bridge', regionIds: [w.a.regionId] })
  t.equal((await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/moderation` })).statusCode, 404, 'bridge figures do not moderate')
})

t.test('data subject requests: an admin finds, exports and erases everything about a contact value', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const first = await request(db, w.a, { name: 'An Peeters', value: '+32474123456', freeText: 'Ik wil leren naaien', themeIds: [themes[0]!] })
  await request(db, w.b, { name: 'An P.', value: '+32474123456', freeText: 'ook fietsen' })
  const other = await request(db, w.a, { name: 'Iemand Anders', value: 'iemand@voorbeeld.be', freeText: 'blijft' })
  await db.insertInto('contact_attempts').values({ contact_request_id: first.id, user_id: 1, at: new Date().toISOString(), result: 'no_answer' }).execute()

  w.as({ id: 8, role: 'coordinator', regionIds: [w.a.regionId, w.b.regionId] })
  t.equal((await w.app.inject({ method: 'GET', url: '/plugin/subject-requests' })).statusCode, 404, 'admins only')
  t.equal((await w.app.inject({ method: 'POST', url: '/plugin/subject-requests', headers: formHeaders, payload: form({ value: '0474 12 34 56', action: 'export' }) })).statusCode, 404)

  w.as({ id: 9, role: 'admin', regionIds: [] })
  const post = (fields: Record<string, string>) => w.app.inject({ method: 'POST', url: '/plugin/subject-requests', headers: formHeaders, payload: form(fields) })
  const found = await post({ value: '0474/12.34.56', action: 'find' })
  t.match(found.body, 'Gevonden: 2 contactvraag of -vragen.', 'found however the number is written')
  const invalid = await post({ value: 'geen nummer', action: 'find' })
  t.equal(invalid.statusCode, 422)

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
  t.same(w.audits.map((a) => [a.action, a.detail]), [
    ['subject.find', { found: 2 }],
    ['subject.export', { found: 2 }],
    ['subject.erase', { erased: 2 }],
    ['subject.find', { found: 0 }],
  ])
  t.notMatch(JSON.stringify(w.audits), /474/, 'the value is never written to the audit log')
  t.same(await referralsPerTheme(db, w.a.regionId), [])
})
