import t from 'tap'
import { createOffer } from '../../src/followup/offers.ts'
import { form, formHeaders } from '../helpers.ts'
import { followupWorld, request, themeIds } from './world.ts'

const bridgeOf = (regionId: number, id = 7) => ({ id, role: 'bridge' as const, regionIds: [regionId] })

t.test('bridge figures of the region see the queue: new first, details masked, waiting time, highlighted after 7 days', async (t) => {
  const w = await followupWorld(t)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const old = await request(w.database.db, w.a, { daysAgo: 8, name: 'Oude Vraag', freeText: 'Ik wil naaien, bel me op 0474 12 34 56 of mail an@voorbeeld.be', themeIds: [themes[0]!] })
  const fresh = await request(w.database.db, w.a, { daysAgo: 6, name: 'Nieuwe Vraag' })
  const claimed = await request(w.database.db, w.a, { daysAgo: 20, name: 'Al Opgenomen' })
  await w.database.db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: 9 }).where('id', '=', claimed.id).execute()
  await request(w.database.db, w.b, { name: 'Andere Regio' })

  w.as(bridgeOf(w.a.regionId))
  const res = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/followup` })
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
  t.equal(w.audits.length, 0, 'the list shows no contact details, so nothing to audit')
})

t.test('each view of contact details is audited; other regions, roles and anonymous visitors see nothing', async (t) => {
  const w = await followupWorld(t)
  const req = await request(w.database.db, w.a, { name: 'Fatima El Amrani', value: '+32474123456' })
  const url = `/plugin/regions/${w.a.regionId}/followup/${req.id}`

  w.as(null)
  const anonymous = await w.app.inject({ method: 'GET', url })
  t.equal(anonymous.statusCode, 303)
  t.equal(anonymous.headers.location, '/login')

  const strangers = [
    { id: 2, role: 'bridge' as const, regionIds: [w.b.regionId] },
    { id: 3, role: 'coordinator' as const, regionIds: [w.b.regionId] },
    { id: 4, role: 'partner' as const, regionIds: [w.a.regionId] },
    { id: 5, role: 'admin' as const, regionIds: [] },
  ]
  for (const stranger of strangers) {
    w.as(stranger)
    for (const path of [url, `/plugin/regions/${w.a.regionId}/followup`]) {
      const res = await w.app.inject({ method: 'GET', url: path })
      t.equal(res.statusCode, 404, `${stranger.role} of another region or role: ${path}`)
      t.notMatch(res.body, /Fatima|0474/)
    }
    const claim = await w.app.inject({ method: 'POST', url: `${url}/claim`, headers: formHeaders, payload: '' })
    t.equal(claim.statusCode, 404)
  }
  // An id from another region under this region's path: the same 404.
  const other = await request(w.database.db, w.b, { name: 'Elders' })
  w.as(bridgeOf(w.a.regionId))
  const crossed = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/followup/${other.id}` })
  t.equal(crossed.statusCode, 404)
  t.equal(w.audits.length, 0, 'no view, no audit entry')

  for (const viewer of [bridgeOf(w.a.regionId, 11), { id: 12, role: 'coordinator' as const, regionIds: [w.b.regionId, w.a.regionId] }]) {
    w.as(viewer)
    const res = await w.app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    t.match(res.body, 'Fatima El Amrani')
    t.match(res.body, '0474 12 34 56', 'the phone number, written the Belgian way')
    t.match(res.body, 'href="tel:+32474123456"')
    t.equal(res.headers['cache-control'], 'no-store')
  }
  t.same(w.audits, [
    { userId: 11, action: 'contact.view', resourceType: 'contact_request', resourceId: req.id, regionId: w.a.regionId },
    { userId: 12, action: 'contact.view', resourceType: 'contact_request', resourceId: req.id, regionId: w.a.regionId },
  ])
  t.notMatch(JSON.stringify(w.audits), /Fatima|474/, 'the audit log holds no contact data')
})

t.test('claim, log attempts, refer to an offer and close; conflicts are refused', async (t) => {
  const w = await followupWorld(t)
  const req = await request(w.database.db, w.a)
  const themes = await themeIds(w.database.db, w.a.regionId)
  const offer = await createOffer(w.database.db, w.a.regionId, { title: 'Naaiatelier', provider: 'Vormingplus', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'all', link: null, contact: null, themeIds: [themes[0]!], archived: false })
  const elsewhere = await createOffer(w.database.db, w.b.regionId, { title: 'Elders', provider: 'X', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'all', link: null, contact: null, themeIds: [], archived: false })
  const url = `/plugin/regions/${w.a.regionId}/followup/${req.id}`
  w.as(bridgeOf(w.a.regionId, 21))

  const claim = await w.app.inject({ method: 'POST', url: `${url}/claim`, headers: formHeaders, payload: '' })
  t.equal(claim.statusCode, 303)
  t.match(await w.database.db.selectFrom('contact_requests').select(['status', 'claimed_by']).executeTakeFirstOrThrow(), { status: 'claimed', claimed_by: 21 })
  w.as(bridgeOf(w.a.regionId, 22))
  const again = await w.app.inject({ method: 'POST', url: `${url}/claim`, headers: formHeaders, payload: '' })
  t.equal(again.statusCode, 409, 'a claimed request cannot be claimed again')
  t.match(again.body, 'de vraag is intussen opgenomen of afgesloten')
  t.match(again.body, 'Opgenomen door een collega')

  for (const result of ['no_answer', 'reached']) {
    const res = await w.app.inject({ method: 'POST', url: `${url}/attempts`, headers: formHeaders, payload: form({ result }) })
    t.equal(res.statusCode, 303)
  }
  const bad = await w.app.inject({ method: 'POST', url: `${url}/attempts`, headers: formHeaders, payload: form({ result: 'drop table' }) })
  t.equal(bad.statusCode, 422)
  t.same((await w.database.db.selectFrom('contact_attempts').select(['result', 'user_id']).orderBy('id').execute()), [
    { result: 'no_answer', user_id: 22 },
    { result: 'reached', user_id: 22 },
  ])

  const wrongOffer = await w.app.inject({ method: 'POST', url: `${url}/close`, headers: formHeaders, payload: form({ outcome: 'referred', offer_id: String(elsewhere) }) })
  t.equal(wrongOffer.statusCode, 409, 'an offer of another region cannot be the outcome')
  const noOffer = await w.app.inject({ method: 'POST', url: `${url}/close`, headers: formHeaders, payload: form({ outcome: 'referred', offer_id: '' }) })
  t.equal(noOffer.statusCode, 409, 'referred needs an offer')
  const close = await w.app.inject({ method: 'POST', url: `${url}/close`, headers: formHeaders, payload: form({ outcome: 'referred', offer_id: String(offer) }) })
  t.equal(close.statusCode, 303)
  const row = await w.database.db.selectFrom('contact_requests').selectAll().executeTakeFirstOrThrow()
  t.match(row, { status: 'closed', outcome: 'referred', outcome_offer_id: offer })
  t.ok(row.closed_at)
  const late = await w.app.inject({ method: 'POST', url: `${url}/attempts`, headers: formHeaders, payload: form({ result: 'reached' }) })
  t.equal(late.statusCode, 409, 'no attempts on a closed request')
  t.same(w.audits.map((a) => a.action).filter((a) => a !== 'contact.view'), ['contact.claim', 'contact.attempt', 'contact.attempt', 'contact.close'])

  const closedList = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/followup?status=closed` })
  t.match(closedList.body, `followup/${req.id}"`)
  const openList = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/followup` })
  t.notMatch(openList.body, `followup/${req.id}"`)

  w.as({ id: 30, role: 'coordinator', regionIds: [w.a.regionId] })
  const offers = await w.app.inject({ method: 'GET', url: `/plugin/regions/${w.a.regionId}/offers` })
  t.match(offers.body, /Naaiatelier<\/a><\/td><td>Vormingplus<\/td><td>Iedereen<\/td><td>1<\/td>/, 'the referral is counted on the offer')
})
