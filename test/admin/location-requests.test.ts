import t from 'tap'
import { createPartner } from '../../src/admin/queries.ts'
import { followupWorld } from '../followup/world.ts'

/**
 * "Ask for a location" (issue 16): a partner member asks for a location the picker lacks,
 * the region's coordinator sees it and answers once (adds it from the request, or declines
 * with a reason), and the partner member sees the answer. Region a's partner asks; region b
 * is elsewhere.
 */

const requests = (w: Awaited<ReturnType<typeof followupWorld>>) => w.database.db.selectFrom('location_requests').selectAll().orderBy('id').execute()

t.test('a partner member asks; the coordinator adds the location from the request; the partner sees the answer', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const base = `/admin/regions/${w.a.regionId}`
  const partner = await w.signIn('partner', [w.a.regionId])

  // From the activity page, under the picker.
  const activity = await partner.get(`${base}/activities/${w.a.activityId}`)
  t.equal(activity.statusCode, 200)
  t.match(activity.body, `href="${base}/location-requests#ask">Vraag de coördinator om een locatie</a>`, 'the activity page offers to ask')
  const page = await partner.get(`${base}/location-requests`)
  t.equal(page.statusCode, 200)
  t.match(page.body, 'Een locatie vragen')
  t.notMatch(page.body, 'name="partner_id"', 'one organisation: no choice to make')

  const sent = await partner.post(`${base}/location-requests`, { name: '  Buurthuis De Linde ', address: 'Lindestraat 4', municipality: 'Riemst', note: 'Elke woensdag naailes' })
  t.equal(sent.statusCode, 303)
  t.equal(sent.headers.location, `${base}/location-requests?done=location_request.sent`)
  const [row] = await requests(w)
  t.match(row, { region_id: w.a.regionId, partner_id: w.a.partnerId, requested_by: partner.id, name: 'Buurthuis De Linde', address: 'Lindestraat 4', municipality: 'Riemst', note: 'Elke woensdag naailes', status: 'open', location_id: null })
  const confirmed = await partner.get(sent.headers.location as string)
  t.match(confirmed.body, 'role="status">Je vraag is naar de coördinator gestuurd.')
  t.match(confirmed.body, 'Buurthuis De Linde')
  t.match(confirmed.body, 'Wacht op de coördinator')

  // The coordinator: a count on the start page, the region tile, the locations page.
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  const home = await coordinator.get('/admin')
  t.match(home.body, `href="${base}/location-requests">Open vragen om een locatie in Regio`, 'the start page counts the open requests')
  t.match(home.body, /in Regio \d+: 1</)
  const overview = await coordinator.get(base)
  t.match(overview.body, `href="${base}/location-requests"><b>1</b>Vragen om een locatie`, 'the region page counts them on the tile')
  const locations = await coordinator.get(`${base}/locations`)
  t.match(locations.body, 'Open vragen om een locatie: 1')
  t.match(locations.body, `href="${base}/location-requests/${row!.id}">Buurthuis De Linde</a> (Riemst)`)

  const detail = await coordinator.get(`${base}/location-requests/${row!.id}`)
  t.equal(detail.statusCode, 200)
  t.match(detail.body, 'Elke woensdag naailes')
  t.match(detail.body, 'name="name" type="text" value="Buurthuis De Linde"', 'the location form is prefilled from the request')
  t.match(detail.body, 'name="address" type="text" value="Lindestraat 4"')
  t.match(detail.body, '<option value="73066" selected>Riemst</option>', 'the municipality the partner typed, matched to the list (issue 18)')

  const accepted = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: 'Buurthuis De Linde', address: 'Lindestraat 4', municipality: 'Riemst', latitude: '50,81', longitude: '5.60' })
  t.equal(accepted.statusCode, 303)
  t.equal(accepted.headers.location, `${base}/location-requests?done=location_request.accepted`)
  const location = await db.selectFrom('locations').selectAll().where('name', '=', 'Buurthuis De Linde').executeTakeFirstOrThrow()
  t.match(location, { region_id: w.a.regionId, municipality: 'Riemst', municipality_nis: '73066', latitude: 50.81 })
  t.match((await requests(w))[0], { status: 'accepted', location_id: location.id, answered_by: coordinator.id })
  t.ok((await requests(w))[0]!.answered_at)
  const audits = (await w.audits()).filter((entry) => entry.action.startsWith('location'))
  t.same(audits.map((entry) => [entry.action, entry.userId, entry.regionId]), [
    ['location_request.create', partner.id, w.a.regionId],
    ['location.create', coordinator.id, w.a.regionId],
    ['location_request.accept', coordinator.id, w.a.regionId],
  ])
  t.notMatch(JSON.stringify(audits), 'woensdag', 'the note is not copied into the audit log')

  // The partner member sees the answer: on their start page, the requests page and the picker.
  t.match((await partner.get('/admin')).body, 'Toegevoegd als Buurthuis De Linde')
  t.match((await partner.get(`${base}/location-requests`)).body, 'Toegevoegd als Buurthuis De Linde')
  const picker = await partner.get(`${base}/activities/${w.a.activityId}`)
  t.match(picker.body, `name="locations" value="${location.id}"`, 'the new location is in the picker')
  t.match(picker.body, 'Buurthuis De Linde: Toegevoegd als Buurthuis De Linde')

  // Answering twice: a clear message, nothing changes.
  await coordinator.get(`${base}/location-requests/${row!.id}`)
  const twice = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: 'Nog een Linde' })
  t.equal(twice.statusCode, 409)
  t.match(twice.body, 'Deze vraag is al beantwoord. Er is niets gewijzigd.')
  const declineLate = await coordinator.post(`${base}/location-requests/${row!.id}/decline`, { answer: 'toch niet' })
  t.equal(declineLate.statusCode, 409)
  t.notOk(await db.selectFrom('locations').select('id').where('name', '=', 'Nog een Linde').executeTakeFirst(), 'no second location')
  t.match((await requests(w))[0], { status: 'accepted', answer: null })
})

t.test('the coordinator declines with a reason; the partner member reads it', async (t) => {
  const w = await followupWorld(t)
  const base = `/admin/regions/${w.a.regionId}`
  const partner = await w.signIn('partner', [w.a.regionId])
  await partner.get(`${base}/location-requests`)
  await partner.post(`${base}/location-requests`, { name: 'Bib Tongeren bis' })
  const [row] = await requests(w)
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  await coordinator.get(`${base}/location-requests/${row!.id}`)

  const empty = await coordinator.post(`${base}/location-requests/${row!.id}/decline`, { answer: '   ' })
  t.equal(empty.statusCode, 422, 'a decline needs a reason')
  t.match(empty.body, 'id="f-answer-error">')
  t.match(empty.body, '<a href="#f-answer">', 'in the summary too')
  const long = 'x'.repeat(301)
  const tooLong = await coordinator.post(`${base}/location-requests/${row!.id}/decline`, { answer: long })
  t.equal(tooLong.statusCode, 422)
  t.match(tooLong.body, `>${long}</textarea>`, 'what was typed is kept')
  t.match((await requests(w))[0], { status: 'open' }, 'nothing changed')

  const declined = await coordinator.post(`${base}/location-requests/${row!.id}/decline`, { answer: 'Bestaat al: Bib Tongeren 1' })
  t.equal(declined.statusCode, 303)
  t.equal(declined.headers.location, `${base}/location-requests?done=location_request.declined`)
  t.match((await requests(w))[0], { status: 'declined', answer: 'Bestaat al: Bib Tongeren 1', location_id: null, answered_by: coordinator.id })
  t.match((await partner.get('/admin')).body, 'Niet toegevoegd: Bestaat al: Bib Tongeren 1')
  t.match((await partner.get(`${base}/activities/${w.a.activityId}`)).body, 'Niet toegevoegd: Bestaat al: Bib Tongeren 1')
  const accept = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: 'Bib Tongeren bis' })
  t.equal(accept.statusCode, 409, 'a declined request cannot be accepted afterwards')
  t.equal((await w.audits()).filter((entry) => entry.action === 'location_request.decline').length, 1)
})

t.test('bad input: the form again with the message next to the field and what was typed kept', async (t) => {
  const w = await followupWorld(t)
  const base = `/admin/regions/${w.a.regionId}`
  const partner = await w.signIn('partner', [w.a.regionId])
  await partner.get(`${base}/location-requests`)

  const empty = await partner.post(`${base}/location-requests`, { name: ' ', municipality: 'Riemst', note: 'dringend' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, 'id="f-name-error">Vul dit in.')
  t.match(empty.body, 'name="municipality" type="text" value="Riemst"', 'the other fields are kept')
  t.match(empty.body, '>dringend</textarea>')
  for (const [field, max] of [['name', 200], ['address', 300], ['municipality', 120], ['note', 500]] as const) {
    const typed = 'a'.repeat(max + 1)
    const res = await partner.post(`${base}/location-requests`, { name: 'Zaal', [field]: typed })
    t.equal(res.statusCode, 422, `${field} over ${max} characters`)
    t.match(res.body, `id="f-${field}-error">`, `the message is next to ${field}`)
    t.match(res.body, typed, 'what was typed is kept')
  }
  const hostile = await partner.post(`${base}/location-requests`, { name: '<script>alert(1)</script>', note: '=HYPERLINK("x")' })
  t.equal(hostile.statusCode, 303, 'markup is text, stored as typed')
  const listed = await partner.get(`${base}/location-requests`)
  t.notMatch(listed.body, '<script>alert(1)</script>')
  t.match(listed.body, '&lt;script&gt;alert(1)&lt;/script&gt;', 'and shown escaped')
  t.equal((await requests(w)).length, 1, 'only the valid request was stored')

  // A partner member names another partner (of their region or another): refused, nothing stored.
  const otherPartner = await createPartner(w.database.db, w.a.regionId, 'Andere partner', 'other')
  const forOther = await partner.post(`${base}/location-requests`, { name: 'Zaal', partner_id: String(otherPartner) })
  t.equal(forOther.statusCode, 422)
  t.match(forOther.body, 'id="f-partner_id-error">')
  t.equal((await requests(w)).length, 1)

  // The coordinator's accept form checks like the locations form.
  const [row] = await requests(w)
  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  await coordinator.get(`${base}/location-requests/${row!.id}`)
  const noName = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: '', municipality: 'Hasselt' })
  t.equal(noName.statusCode, 422)
  t.match(noName.body, 'id="f-name-error">Vul dit in.')
  t.match(noName.body, '<input type="hidden" name="municipality" value="Hasselt">', 'the typed municipality is kept')
  const badLat = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: 'Zaal', latitude: '91' })
  t.equal(badLat.statusCode, 422)
  t.match(badLat.body, 'id="f-latitude-error">')
  const duplicate = await coordinator.post(`${base}/location-requests/${row!.id}/accept`, { name: (await w.database.db.selectFrom('locations').select('name').where('id', '=', w.a.locationId).executeTakeFirstOrThrow()).name })
  t.equal(duplicate.statusCode, 422, 'a name the region has already')
  t.match(duplicate.body, 'id="f-name-error">')
  t.match((await requests(w))[0], { status: 'open', location_id: null }, 'the request stays open')
})

t.test('scope: another region’s request is 404; bridge figures and other partners see nothing; coordinators do not ask', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const a = `/admin/regions/${w.a.regionId}`
  const b = `/admin/regions/${w.b.regionId}`
  const partnerA = await w.signIn('partner', [w.a.regionId])
  await partnerA.get(`${a}/location-requests`)
  await partnerA.post(`${a}/location-requests`, { name: 'Zaal A' })
  const partnerB = await w.signIn('partner', [w.b.regionId])
  await partnerB.get(`${b}/location-requests`)
  await partnerB.post(`${b}/location-requests`, { name: 'Zaal B' })
  const [inA, inB] = await requests(w)

  const coordinatorA = await w.signIn('coordinator', [w.a.regionId])
  t.equal((await coordinatorA.get(`${a}/location-requests/${inB!.id}`)).statusCode, 404, "region b's request under region a's address")
  await coordinatorA.get(`${a}/location-requests/${inA!.id}`)
  t.equal((await coordinatorA.post(`${a}/location-requests/${inB!.id}/accept`, { name: 'Gekaapt' })).statusCode, 404)
  t.equal((await coordinatorA.post(`${a}/location-requests/${inB!.id}/decline`, { answer: 'nee' })).statusCode, 404)
  t.equal((await coordinatorA.get(`${b}/location-requests/${inB!.id}`)).statusCode, 404, 'and under its own region’s address')
  t.equal((await coordinatorA.get(`${a}/location-requests/99999`)).statusCode, 404)
  t.equal((await coordinatorA.get(`${a}/location-requests/abc`)).statusCode, 404)
  const list = await coordinatorA.get(`${a}/location-requests`)
  t.match(list.body, 'Zaal A')
  t.notMatch(list.body, 'Zaal B')
  t.notMatch(list.body, 'Een locatie vragen', 'a coordinator adds locations directly, without asking')
  await coordinatorA.get(`${a}/location-requests`)
  t.equal((await coordinatorA.post(`${a}/location-requests`, { name: 'Zelf gevraagd' })).statusCode, 403)

  t.equal((await partnerA.get(`${a}/location-requests/${inB!.id}`)).statusCode, 404)
  await partnerA.get(`${a}/location-requests/${inA!.id}`)
  t.equal((await partnerA.post(`${a}/location-requests/${inA!.id}/accept`, { name: 'Zelf toegevoegd' })).statusCode, 403, 'a partner member cannot answer their own request')
  t.equal((await partnerA.post(`${a}/location-requests/${inA!.id}/decline`, { answer: 'x' })).statusCode, 403)
  t.equal((await partnerA.get(`${b}/location-requests`)).statusCode, 404, 'another region')

  // Another partner of the same region does not see region a's first partner's request.
  const otherPartnerId = await createPartner(db, w.a.regionId, 'Jeugdhuis', 'youth_work')
  const { makeUser } = await import('../auth/browser.ts')
  const { Browser, testPassword } = await import('../auth/browser.ts')
  await makeUser(db, 'partner', 'jeugdhuis@example.be', { partnerIds: [otherPartnerId] })
  const other = new Browser(w.app)
  await other.signIn('jeugdhuis@example.be', testPassword)
  t.equal((await other.get(`${a}/location-requests/${inA!.id}`)).statusCode, 404)
  t.notMatch((await other.get(`${a}/location-requests`)).body, 'Zaal A')

  const bridge = await w.signIn('bridge', [w.a.regionId])
  t.equal((await bridge.get(`${a}/location-requests`)).statusCode, 403)
  t.equal((await bridge.get(`${a}/location-requests/${inA!.id}`)).statusCode, 403)
  t.notMatch((await bridge.get(a)).body, 'location-requests', 'not in the bridge figure’s menu')
  t.same((await requests(w)).map((r) => r.status), ['open', 'open'], 'nothing was answered')
  t.equal(await db.selectFrom('locations').select('id').where('name', 'in', ['Gekaapt', 'Zelf toegevoegd']).executeTakeFirst(), undefined)
})
