import t from 'tap'
import { createOffer } from '../../src/followup/offers.ts'
import { Browser } from '../auth/browser.ts'
import { followupWorld, request, themeIds } from './world.ts'

t.test('bridge figures of the region see the queue: new first, details masked, waiting time, highlighted after 7 days', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const old = await request(w.database.db, w.a, { daysAgo: 8, name: 'Oude Vraag', freeText: 'Ik wil naaien, bel me op 0474 12 34 56 of mail an@voorbeeld.be', themeIds: [themes[0]!] })
  const fresh = await request(w.database.db, w.a, { daysAgo: 6, name: 'Nieuwe Vraag' })
  const claimed = await request(w.database.db, w.a, { daysAgo: 20, name: 'Al Opgenomen' })
  await w.database.db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: 9 }).where('id', '=', claimed.id).execute()
  await request(w.database.db, w.b, { name: 'Andere Regio' })

  const bridge = await w.signIn('bridge', [w.a.regionId])
  const res = await bridge.get(`/admin/regions/${w.a.regionId}/followup`)
  t.equal(res.statusCode, 200)
  const body = res.body
  t.notMatch(body, /Oude Vraag|Nieuwe Vraag|Al Opgenomen|Andere Regio|\+32474|0474/, 'no names or numbers in the list')
  t.match(body, 'Ik wil naaien, bel me op [tel.] of mail [e-mail]', 'free text is masked')
  t.notMatch(body, 'an@voorbeeld.be')
  t.match(body, /Repair Café \d+/, 'the activity')
  t.match(body, /Bib Tongeren \d+/, 'the location')
  t.match(body, 'lang="ar">العربية', 'the preferred language, by its own name')
  t.match(body, '&#39;s Avonds', 'the good moment')
  const order = [old.id, fresh.id, claimed.id].map((id) => body.indexOf(`followup/${id}"`))
  t.ok(order[0]! < order[1]! && order[1]! < order[2]!, 'new requests first, oldest waiting first; claimed after')
  const rowOf = (id: number) => body.slice(body.lastIndexOf('<tr', body.indexOf(`followup/${id}"`)), body.indexOf(`followup/${id}"`))
  t.match(rowOf(old.id), 'class="overdue"', 'unclaimed for 8 days: highlighted')
  t.match(rowOf(old.id), '8 d.')
  t.notMatch(rowOf(fresh.id), 'overdue', '6 days: not yet')
  t.notMatch(rowOf(claimed.id), 'overdue', 'claimed: not highlighted, however old')
  t.same(await w.audits(), [], 'the list shows no contact details, so nothing to audit')
  t.match(body, 'Eerst de vragen die nog niemand opnam, wie het langst wacht bovenaan; daarna de opgenomen vragen, ook de oudste eerst.', 'the intro says the order the list has')
  const closed = await bridge.get(`/admin/regions/${w.a.regionId}/followup?status=closed&lang=en`)
  t.match(closed.body, 'The most recent requests come first.', 'and the closed list says its own')
})

t.test('each view of contact details is audited; other regions, roles and anonymous visitors see nothing', async (t) => {
  const w = await followupWorld(t)
  const req = await request(w.database.db, w.a, { name: 'Fatima El Amrani', value: '+32474123456' })
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`

  const anonymous = await new Browser(w.app).get(url)
  t.equal(anonymous.statusCode, 303)
  t.equal(anonymous.headers.location, '/login')

  // Another region is not there (404, the same page as an unknown id); in their own
  // region, a role that does not follow up is refused (403), whether or not the id exists.
  const strangers = [
    { role: 'bridge' as const, regionIds: [w.b.regionId], status: 404 },
    { role: 'coordinator' as const, regionIds: [w.b.regionId], status: 404 },
    { role: 'partner' as const, regionIds: [w.a.regionId], status: 403 },
    { role: 'admin' as const, regionIds: [], status: 403 },
  ]
  for (const stranger of strangers) {
    const browser = await w.signIn(stranger.role, stranger.regionIds)
    for (const path of [url, `/admin/regions/${w.a.regionId}/followup`, `/admin/regions/${w.a.regionId}/followup/999999`]) {
      const res = await browser.get(path)
      t.equal(res.statusCode, stranger.status, `${stranger.role} of another region or role: ${path}`)
      t.notMatch(res.body, /Fatima|0474/)
    }
    const claim = await browser.post(`${url}/claim`)
    t.equal(claim.statusCode, stranger.status)
  }
  t.equal((await w.database.db.selectFrom('contact_requests').select('status').executeTakeFirstOrThrow()).status, 'new', 'nobody claimed it')

  // An id from another region under this region's path: the same 404 as an unknown id, byte for byte.
  const other = await request(w.database.db, w.b, { name: 'Elders' })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const crossed = await bridge.get(`/admin/regions/${w.a.regionId}/followup/${other.id}`)
  const unknown = await bridge.get(`/admin/regions/${w.a.regionId}/followup/999999`)
  const malformed = await bridge.get(`/admin/regions/${w.a.regionId}/followup/0x1`)
  const otherRegion = await bridge.get(`/admin/regions/${w.b.regionId}/followup/${other.id}`)
  t.equal(crossed.statusCode, 404)
  t.equal(crossed.body, unknown.body, 'another region\'s request looks exactly like no request')
  t.equal(malformed.body, unknown.body, 'and so does a malformed id')
  t.equal(otherRegion.body, unknown.body, 'and another region')
  t.equal((await bridge.post(`/admin/regions/${w.a.regionId}/followup/${other.id}/claim`)).body, unknown.body)
  t.same(await w.audits(), [], 'no view, no audit entry')

  const viewers = [await w.signIn('bridge', [w.a.regionId]), await w.signIn('coordinator', [w.b.regionId, w.a.regionId])]
  for (const viewer of viewers) {
    const res = await viewer.get(url)
    t.equal(res.statusCode, 200)
    t.match(res.body, 'Fatima El Amrani')
    t.match(res.body, '0474 12 34 56', 'the phone number, written the Belgian way')
    t.match(res.body, 'href="tel:+32474123456"')
    t.equal(res.headers['cache-control'], 'no-store')
  }
  const audits = await w.audits()
  t.same(audits, [
    { userId: viewers[0]!.id, action: 'contact.view', resourceType: 'contact_request', resourceId: req.id, regionId: w.a.regionId },
    { userId: viewers[1]!.id, action: 'contact.view', resourceType: 'contact_request', resourceId: req.id, regionId: w.a.regionId },
  ])
  t.notMatch(JSON.stringify(audits), /Fatima|474/, 'the audit log holds no contact data')
})

t.test('claim, log attempts, refer to an offer and close; conflicts are refused', async (t) => {
  const w = await followupWorld(t)
  const req = await request(w.database.db, w.a)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const offer = await createOffer(w.database.db, w.a.regionId, { title: 'Naaiatelier', provider: 'Vormingplus', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'all', link: null, contact: null, themeIds: [themes[0]!], archived: false })
  const elsewhere = await createOffer(w.database.db, w.b.regionId, { title: 'Elders', provider: 'X', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'all', link: null, contact: null, themeIds: [], archived: false })
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`
  const first = await w.signIn('bridge', [w.a.regionId])
  const second = await w.signIn('bridge', [w.a.regionId])

  const claim = await first.post(`${url}/claim`)
  t.equal(claim.statusCode, 303)
  t.match(await w.database.db.selectFrom('contact_requests').select(['status', 'claimed_by']).executeTakeFirstOrThrow(), { status: 'claimed', claimed_by: first.id })
  const again = await second.post(`${url}/claim`)
  t.equal(again.statusCode, 409, 'a claimed request cannot be claimed again')
  t.match(again.body, 'de vraag is intussen opgenomen of afgesloten')
  t.match(again.body, 'Opgenomen door een collega')

  for (const result of ['no_answer', 'reached']) {
    const res = await second.post(`${url}/attempts`, { result })
    t.equal(res.statusCode, 303)
  }
  const form = await second.get(url)
  t.match(form.body, /<input type="radio" name="result" value="reached" required>/, 'the attempt form has no preset result')
  t.notMatch(form.body, /name="result"[^>]*checked/)
  const none = await second.post(`${url}/attempts`, {})
  t.equal(none.statusCode, 422, 'no result chosen')
  t.match(none.body, 'id="f-result-error">Kies een van de mogelijkheden.', 'the message is next to the field')
  t.match(none.body, '<a href="#f-result">Kies een van de mogelijkheden.</a>', 'and in the summary, linked to the group')
  t.match(none.body, 'id="f-result" aria-describedby="f-result-error"')
  t.notMatch(none.body, 'Deze keuze bestaat niet', 'no word about a choice that was never made')
  const bad = await second.post(`${url}/attempts`, { result: 'drop table' })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, 'id="f-result-error">Kies een van de mogelijkheden.')
  const kept = await second.post(`${url}/close`, { outcome: 'gone' })
  t.notMatch(kept.body, /name="result"[^>]*checked/, 'a refused close does not preset the attempt either')
  t.same((await w.database.db.selectFrom('contact_attempts').select(['result', 'user_id']).orderBy('id').execute()), [
    { result: 'no_answer', user_id: second.id },
    { result: 'reached', user_id: second.id },
  ])

  const wrongOffer = await second.post(`${url}/close`, { outcome: 'referred', offer_id: String(elsewhere) })
  t.equal(wrongOffer.statusCode, 409, 'an offer of another region cannot be the outcome')
  const noOffer = await second.post(`${url}/close`, { outcome: 'referred', offer_id: '' })
  t.equal(noOffer.statusCode, 409, 'referred needs an offer')
  const badClose = await second.post(`${url}/close`, { outcome: 'gone', offer_id: String(offer) })
  t.equal(badClose.statusCode, 422, 'an outcome that does not exist')
  t.match(badClose.body, 'id="f-outcome-error"')
  t.match(badClose.body, `<option value="${offer}" selected>`, 'the chosen offer is kept')
  const close = await second.post(`${url}/close`, { outcome: 'referred', offer_id: String(offer) })
  t.equal(close.statusCode, 303)
  const row = await w.database.db.selectFrom('contact_requests').selectAll().executeTakeFirstOrThrow()
  t.match(row, { status: 'closed', outcome: 'referred', outcome_offer_id: offer })
  t.ok(row.closed_at)
  const late = await second.post(`${url}/attempts`, { result: 'reached' })
  t.equal(late.statusCode, 409, 'no attempts on a closed request')
  t.same((await w.audits()).map((a) => a.action).filter((a) => a !== 'contact.view'), ['contact.claim', 'contact.attempt', 'contact.attempt', 'contact.close'])

  const closedList = await second.get(`/admin/regions/${w.a.regionId}/followup?status=closed`)
  t.match(closedList.body, `followup/${req.id}"`)
  const openList = await second.get(`/admin/regions/${w.a.regionId}/followup`)
  t.notMatch(openList.body, `followup/${req.id}"`)
  const badStatus = await second.get(`/admin/regions/${w.a.regionId}/followup?status=all`)
  t.equal(badStatus.statusCode, 400, 'a filter that does not exist: the 400 page')
  t.match(badStatus.body, /[„“]status”/, 'naming the field')

  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const offers = await coordinator.get(`/admin/regions/${w.a.regionId}/offers`)
  t.match(offers.body, /Naaiatelier<\/a><\/td><td[^>]*>Vormingplus<\/td><td[^>]*>Iedereen<\/td><td[^>]*>[^<]*<\/td><td[^>]*>1<\/td>/, 'the referral is counted on the offer')
})
