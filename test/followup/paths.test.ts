import t from 'tap'
import type { Kysely } from 'kysely'
import { addDays, localDay } from '../../src/answers/index.ts'
import type { Database } from '../../src/db/types.ts'
import { createOffer, listOffers, type OfferInput } from '../../src/followup/offers.ts'
import { aYearAfter, matchingOffers } from '../../src/followup/paths.ts'
import { exportSubject, eraseSubject } from '../../src/followup/subject-requests.ts'
import { withdrawContactRequest } from '../../src/followup/queries.ts'
import { tokenHash } from '../../src/auth/tokens.ts'
import { followupWorld, request, themeIds } from './world.ts'

function offer(title: string, themeIds: number[], extra: Partial<OfferInput> = {}): OfferInput {
  return { title, provider: 'CVO Tongeren', place: null, schedule: null, cost: null, languages: [], textLanguage: 'nl', audience: 'adults', link: null, contact: null, themeIds, archived: false, ...extra }
}

async function stepsOf(db: Kysely<Database>, id: number) {
  return db.selectFrom('path_steps').select(['kind', 'on_day', 'offer_id', 'note', 'recorded_by']).where('contact_request_id', '=', id).orderBy('id').execute()
}

async function requestRow(db: Kysely<Database>, id: number) {
  return db.selectFrom('contact_requests').select(['status', 'claimed_by', 'next_contact_on', 'outcome', 'outcome_offer_id', 'closed_at']).where('id', '=', id).executeTakeFirstOrThrow()
}

const today = () => localDay()

t.test('a path with three steps: conversation with a note, a referral, started — each audited, the page shows them', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const sewing = await createOffer(db, w.a.regionId, offer('Naaiatelier voor beginners', [themes[0]!], { languages: ['ar', 'nl'] }))
  const req = await request(db, w.a, { daysAgo: 3, themeIds: [themes[0]!] })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`

  const page = await bridge.get(url)
  t.equal(page.statusCode, 200)
  t.match(page.body, '<h2 id="path-heading">Traject</h2>')
  t.match(page.body, 'Nog geen stappen.')
  t.match(page.body, 'Aanbod dat past', 'offers that fit are offered')
  t.match(page.body, 'Naaiatelier voor beginners</b> · CVO Tongeren')
  t.match(page.body, '1 gedeeld thema · in de taal van de persoon')
  t.notMatch(page.body, /name="kind" value="[a-z]+" checked/, 'no kind is preset')

  const note = 'Wil eerst kijken hoe de opvang van haar dochter geregeld raakt. NOTITIE-KANARIE-1'
  const first = await bridge.post(`${url}/steps`, { kind: 'conversation', on_day: addDays(today(), -1), note, step_next: addDays(today(), 3) })
  t.equal(first.statusCode, 303)
  t.equal(first.headers.location, `${url}?done=path.step`)
  t.match((await bridge.get(first.headers.location as string)).body, 'De stap is bewaard.', 'the confirmation')
  t.match(await requestRow(db, req.id), { status: 'claimed', claimed_by: bridge.id, next_contact_on: addDays(today(), 3) }, 'a step on a new request claims it and sets the next contact')

  // One action from the list of offers that fit: a referral with no date asks "did they start?" in 14 days.
  await bridge.get(url)
  const referred = await bridge.post(`${url}/steps`, { kind: 'referral', step_offer: String(sewing) })
  t.equal(referred.statusCode, 303)
  t.equal((await requestRow(db, req.id)).next_contact_on, addDays(today(), 14))
  const check = await bridge.get(url)
  t.match(check.body, 'Is de persoon begonnen aan ‘Naaiatelier voor beginners’?')

  const started = await bridge.post(`${url}/steps`, { kind: 'started', step_offer: String(sewing), step_next: addDays(today(), 30) })
  t.equal(started.statusCode, 303)
  const rows = await stepsOf(db, req.id)
  t.same(rows.map((row) => [row.kind, row.offer_id, row.recorded_by]), [['conversation', null, bridge.id], ['referral', sewing, bridge.id], ['started', sewing, bridge.id]])
  t.equal(rows[0]!.note, note)
  t.equal(rows[1]!.on_day, today(), 'no day given: today')
  t.equal((await requestRow(db, req.id)).status, 'claimed', 'started is not the end: the path stays open')
  t.equal((await listOffers(db, w.a.regionId)).find((row) => row.id === sewing)?.referrals, 1, 'the offers list counts a referral on a path (once, not per step)')

  const after = (await bridge.get(url)).body
  const path = after.slice(after.indexOf('id="path-heading"'), after.indexOf('id="add-step"'))
  t.match(path, 'Gesprek')
  t.match(path, 'Doorverwezen naar een aanbod</b> · Naaiatelier voor beginners')
  t.match(path, 'Begonnen aan een cursus')
  t.match(path, note.replace(/\./g, '.'))
  t.match(path, /genoteerd door /)
  t.notMatch(path, 'Is de persoon begonnen', 'answered: the check is gone')

  const entries = await w.audits()
  const steps = entries.filter((entry) => entry.action === 'path.step')
  t.same(steps.map((entry) => entry.detail), [{ kind: 'conversation' }, { kind: 'referral' }, { kind: 'started' }], 'each step audited with its kind')
  t.ok(entries.filter((entry) => entry.action === 'path.notes.view').length >= 1, 'each view of notes is audited')
  const auditText = JSON.stringify(await db.selectFrom('audit_log').selectAll().execute())
  t.notMatch(auditText, 'NOTITIE-KANARIE', 'no note in the audit log')

  const en = await bridge.get(`${url}?lang=en`)
  t.match(en.body, 'Started a course')
})

t.test('bad input: the form again with the message at the field, nothing changed', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const ours = await createOffer(db, w.a.regionId, offer('Ons aanbod', [themes[0]!]))
  const theirs = await createOffer(db, w.b.regionId, offer('Aanbod elders', []))
  const archived = await createOffer(db, w.a.regionId, offer('Oud aanbod', [], { archived: true }))
  const req = await request(db, w.a, { daysAgo: 2 })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`
  const before = await requestRow(db, req.id)

  const cases: { label: string; body: Record<string, string>; field: string; message: string }[] = [
    { label: 'no kind', body: { note: 'x' }, field: 'kind', message: 'Kies wat er gebeurde.' },
    { label: 'an unknown kind', body: { kind: 'hypnosis' }, field: 'kind', message: 'Kies wat er gebeurde.' },
    { label: 'a next contact in the past', body: { kind: 'conversation', step_next: addDays(today(), -1) }, field: 'step_next', message: 'Deze datum is al voorbij.' },
    { label: 'a next contact more than a year ahead', body: { kind: 'conversation', step_next: addDays(aYearAfter(today()), 1) }, field: 'step_next', message: 'meer dan een jaar vooruit' },
    { label: 'a date that does not exist', body: { kind: 'conversation', step_next: '2027-02-30' }, field: 'step_next', message: 'geen geldige datum' },
    { label: 'a note over 2,000 characters', body: { kind: 'conversation', note: 'a'.repeat(2001) }, field: 'note', message: 'hoogstens 2000 tekens' },
    { label: 'an offer of another region', body: { kind: 'referral', step_offer: String(theirs) }, field: 'step_offer', message: 'Dit aanbod bestaat niet in deze regio.' },
    { label: 'an archived offer', body: { kind: 'referral', step_offer: String(archived) }, field: 'step_offer', message: 'Dit aanbod bestaat niet in deze regio.' },
    { label: 'an offer id that is not a number', body: { kind: 'referral', step_offer: '1 or 1=1' }, field: 'step_offer', message: 'Dit aanbod bestaat niet in deze regio.' },
    { label: 'a referral without an offer', body: { kind: 'referral' }, field: 'step_offer', message: 'Kies het aanbod' },
    { label: 'a step in the future', body: { kind: 'conversation', on_day: addDays(today(), 1) }, field: 'on_day', message: 'in de toekomst' },
    { label: 'a step before the request', body: { kind: 'conversation', on_day: addDays(today(), -30) }, field: 'on_day', message: 'vóór de vraag' },
    { label: 'an ending step with a next contact', body: { kind: 'completed', step_next: addDays(today(), 5) }, field: 'step_next', message: 'laat het volgende contact leeg' },
  ]
  for (const c of cases) {
    await bridge.get(url)
    const res = await bridge.post(`${url}/steps`, c.body)
    t.equal(res.statusCode, 422, `${c.label}: 422`)
    t.match(res.body, new RegExp(`<span class="error" id="f-${c.field}-error">[^<]*${c.message.replace(/[.?]/g, '\\$&')}`), `${c.label}: the message at the field`)
    if (c.body.note) t.match(res.body, c.body.note.slice(0, 50), `${c.label}: the typed note is kept`)
  }
  t.same(await stepsOf(db, req.id), [], 'no step stored')
  t.same(await requestRow(db, req.id), before, 'the request unchanged')

  // The next-contact form on its own.
  for (const [value, message] of [[addDays(today(), -3), 'al voorbij'], [addDays(today(), 400), 'jaar vooruit'], ['morgen', 'geen geldige datum']] as const) {
    await bridge.get(url)
    const res = await bridge.post(`${url}/next-contact`, { next_contact: value })
    t.equal(res.statusCode, 422)
    t.match(res.body, new RegExp(`id="f-next_contact-error">[^<]*${message}`))
  }
  t.same(await requestRow(db, req.id), before, 'still unchanged')
  await bridge.get(url)
  const ok = await bridge.post(`${url}/next-contact`, { next_contact: aYearAfter(today()) })
  t.equal(ok.statusCode, 303, 'exactly a year ahead is allowed')
  t.equal(ok.headers.location, `${url}?done=path.next_contact`)
  t.equal((await requestRow(db, req.id)).next_contact_on, aYearAfter(today()))
  await bridge.get(url)
  await bridge.post(`${url}/next-contact`, { next_contact: '' })
  t.equal((await requestRow(db, req.id)).next_contact_on, null, 'an empty date clears it')
  t.ok(ours > 0)
})

t.test('the path ends with completed or stopped, and is reopened rather than made again', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const course = await createOffer(db, w.a.regionId, offer('Nederlands op de werkvloer', [themes[1]!]))
  const req = await request(db, w.a, { daysAgo: 5 })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const colleague = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`

  await bridge.get(url)
  await bridge.post(`${url}/steps`, { kind: 'referral', step_offer: String(course), step_next: addDays(today(), 7) })
  await bridge.get(url)
  const done = await bridge.post(`${url}/steps`, { kind: 'completed' })
  t.equal(done.statusCode, 303)
  t.match(await requestRow(db, req.id), { status: 'closed', outcome: 'referred', outcome_offer_id: course, next_contact_on: null }, 'completed closes the path with its referral as the outcome')
  const closed = (await bridge.get(url)).body
  t.match(closed, 'Traject heropenen')
  t.notMatch(closed, 'id="add-step"', 'no step form on a closed path')
  await bridge.get(url)
  t.equal((await bridge.post(`${url}/steps`, { kind: 'conversation' })).statusCode, 409, 'no step on a closed path')

  await colleague.get(url)
  const reopened = await colleague.post(`${url}/reopen`, {})
  t.equal(reopened.statusCode, 303)
  t.equal(reopened.headers.location, `${url}?done=path.reopened`)
  t.match(await requestRow(db, req.id), { status: 'claimed', claimed_by: colleague.id, outcome: null, closed_at: null }, 'the same request, claimed by who reopened it')
  t.equal((await db.selectFrom('contact_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n.toString(), '1', 'not re-created')
  t.equal((await stepsOf(db, req.id)).length, 2, 'its steps stay')
  await colleague.get(url)
  t.equal((await colleague.post(`${url}/reopen`, {})).statusCode, 409, 'an open path cannot be reopened')

  await colleague.get(url)
  await colleague.post(`${url}/steps`, { kind: 'stopped', note: 'Verhuisd.' })
  t.match(await requestRow(db, req.id), { status: 'closed', outcome: 'referred' })
  await db.updateTable('contact_requests').set({ erased_at: new Date().toISOString(), name: null, contact_value: null }).where('id', '=', req.id).execute()
  await colleague.get(url)
  t.equal((await colleague.post(`${url}/reopen`, {})).statusCode, 409, 'a path whose contact details are erased is not reopened')
  t.same((await w.audits()).filter((entry) => entry.action === 'path.reopen').length, 1)

  // Without a referral, stopped is "not needed" and completed "other".
  const other = await request(db, w.a, { daysAgo: 1 })
  await bridge.get(`/admin/regions/${w.a.regionId}/followup/${other.id}`)
  await bridge.post(`/admin/regions/${w.a.regionId}/followup/${other.id}/steps`, { kind: 'stopped' })
  t.match(await requestRow(db, other.id), { status: 'closed', outcome: 'not_needed', outcome_offer_id: null })
})

t.test('the existing close form still closes a path', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const req = await request(db, w.a, { daysAgo: 5 })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`
  await bridge.get(url)
  const res = await bridge.post(`${url}/close`, { outcome: 'not_reachable' })
  t.equal(res.statusCode, 303)
  t.match(await requestRow(db, req.id), { status: 'closed', outcome: 'not_reachable' })
})

t.test('only bridge figures and coordinators of the region work on a path; nothing changes for anyone else', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const req = await request(db, w.a, { daysAgo: 2 })
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`
  const strangers = [
    { role: 'bridge' as const, regionIds: [w.b.regionId], status: 404 },
    { role: 'coordinator' as const, regionIds: [w.b.regionId], status: 404 },
    { role: 'partner' as const, regionIds: [w.a.regionId], status: 403 },
    { role: 'admin' as const, regionIds: [], status: 403 },
  ]
  for (const stranger of strangers) {
    const browser = await w.signIn(stranger.role, stranger.regionIds)
    for (const [action, body] of [['steps', { kind: 'conversation', note: 'x' }], ['next-contact', { next_contact: today() }], ['reopen', {}]] as const) {
      const res = await browser.post(`${url}/${action}`, body)
      t.equal(res.statusCode, stranger.status, `${stranger.role}: ${action}`)
    }
  }
  // A request of region b named under region a's address is not there.
  const elsewhere = await request(db, w.b, { daysAgo: 2 })
  const bridge = await w.signIn('bridge', [w.a.regionId, w.b.regionId])
  await bridge.get(url)
  t.equal((await bridge.post(`/admin/regions/${w.a.regionId}/followup/${elsewhere.id}/steps`, { kind: 'conversation' })).statusCode, 404)
  t.same(await stepsOf(db, req.id), [])
  t.same(await stepsOf(db, elsewhere.id), [])
  t.equal((await requestRow(db, req.id)).next_contact_on, null)

  const coordinator = await w.signIn('coordinator', [w.a.regionId])
  await coordinator.get(url)
  t.equal((await coordinator.post(`${url}/steps`, { kind: 'conversation' })).statusCode, 303, 'a coordinator of the region may')
})

t.test('the start page lists due and late paths first and asks whether a referred person started', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const course = await createOffer(db, w.a.regionId, offer('Digitaal basis', [themes[0]!]))
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const waiting = await request(db, w.a, { daysAgo: 20 })
  const due = await request(db, w.a, { daysAgo: 4 })
  const late = await request(db, w.a, { daysAgo: 3 })
  const later = await request(db, w.a, { daysAgo: 2 })
  for (const r of [waiting, due, late, later]) await db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: bridge.id, claimed_at: new Date().toISOString() }).where('id', '=', r.id).execute()
  await db.insertInto('path_steps').values({ contact_request_id: late.id, kind: 'referral', on_day: addDays(today(), -3), offer_id: course, note: null, recorded_by: bridge.id, recorded_at: new Date().toISOString(), record_key: 3 }).execute()
  await db.updateTable('contact_requests').set({ next_contact_on: today() }).where('id', '=', due.id).execute()
  await db.updateTable('contact_requests').set({ next_contact_on: addDays(today(), -2) }).where('id', '=', late.id).execute()
  await db.updateTable('contact_requests').set({ next_contact_on: addDays(today(), 9) }).where('id', '=', later.id).execute()

  const body = (await bridge.get('/admin')).body
  t.match(body, '<b>1</b> vandaag te contacteren')
  t.match(body, '<b>1</b> datum voor contact voorbij')
  const mine = body.slice(body.indexOf('<h3 id="mine">'), body.indexOf('<h3 id="unclaimed">'))
  const at = (id: number) => mine.indexOf(`followup/${id}"`)
  t.ok(at(late.id) < at(due.id) && at(due.id) < at(waiting.id) && at(waiting.id) < at(later.id), 'late, then due, then the one waiting longest, then the rest')
  const row = (id: number) => mine.slice(mine.lastIndexOf('<li', at(id)), mine.indexOf('</li>', at(id)))
  t.match(row(late.id), 'Vraag of de persoon begonnen is aan ‘Digitaal basis’')
  t.match(row(late.id), '<span class="badge">datum voor contact voorbij</span>')
  t.match(row(due.id), '<span class="badge">vandaag te contacteren</span>')
  t.notMatch(row(due.id), 'begonnen', 'no referral: no start check')
  t.match(row(later.id), `Volgend contact: ${addDays(today(), 9).split('-').reverse().join('-')}`)
  t.notMatch(row(later.id), 'badge', 'not due yet')
  t.match((await bridge.get('/admin?lang=en')).body, 'Ask whether the person started ‘Digitaal basis’')
})

t.test('notes are in the data subject export and go with the contact details, however they are erased', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const subject = await request(db, w.a, { daysAgo: 2, value: 'leen@voorbeeld.be' })
  const withdrawn = await request(db, w.a, { daysAgo: 2, value: '+32470555666' })
  const kept = await request(db, w.a, { daysAgo: 2, value: '+32470555777' })
  await db.updateTable('contact_requests').set({ withdrawal_token_hash: tokenHash('w'.repeat(32)) }).where('id', '=', withdrawn.id).execute()
  for (const [r, note] of [[subject, 'Notitie over Leen'], [withdrawn, 'Notitie over iemand anders'], [kept, 'Notitie die blijft']] as const) {
    const url = `/admin/regions/${w.a.regionId}/followup/${r.id}`
    await bridge.get(url)
    t.equal((await bridge.post(`${url}/steps`, { kind: 'conversation', note, step_next: addDays(today(), 2) })).statusCode, 303)
  }
  const exported = await exportSubject(db, 'leen@voorbeeld.be')
  t.equal(exported.length, 1)
  t.match(exported[0]!.steps, [{ kind: 'conversation', note: 'Notitie over Leen', onDay: today() }], 'the export holds the path and its notes')
  t.equal(exported[0]!.contactRequest.nextContactOn, addDays(today(), 2))

  t.equal(await eraseSubject(db, 'leen@voorbeeld.be'), 1)
  t.ok(await withdrawContactRequest(db, tokenHash('w'.repeat(32))))
  const notes = await db.selectFrom('path_steps').select(['contact_request_id', 'note']).orderBy('id').execute()
  t.same(notes.map((row) => row.note), [null, null, 'Notitie die blijft'], 'erased with a subject request and with the withdrawal link; others stay')
  const requests = await db.selectFrom('contact_requests').select(['id', 'next_contact_on']).orderBy('id').execute()
  t.same(requests.map((row) => row.next_contact_on), [null, null, addDays(today(), 2)], 'an erased path leaves the due list')
})

t.test('offers that fit: among equals, those in the municipality where the person answered come first, by the list’s code', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  // The person answered in Borgloon, since 2025 part of Tongeren-Borgloon (NIS 73111).
  await db.updateTable('locations').set({ municipality: 'Borgloon', municipality_nis: '73111' }).where('id', '=', w.a.locationId).execute()
  const req = await request(db, w.a, { themeIds: [themes[0]!] })
  // Same theme, no language listed: only the place can tell them apart; by title they would be A, B, C.
  await createOffer(db, w.a.regionId, offer('A. Taalcafé aan de Borgloonsesteenweg', [themes[0]!], { place: 'Borgloonsesteenweg 3, 3500 Hasselt' }))
  await createOffer(db, w.a.regionId, offer('B. Digitaal café', [themes[0]!], { place: 'Bibliotheek, Maastrichterstraat 10, 3700 Tongeren' }))
  await createOffer(db, w.a.regionId, offer('C. Naaiatelier', [themes[0]!], { place: 'Online' }))
  const fits = await matchingOffers(db, w.a.regionId, req.responseId, 'ar')
  t.same(
    fits.map((fit) => [fit.title, fit.municipality]),
    [
      ['B. Digitaal café', true],
      ['A. Taalcafé aan de Borgloonsesteenweg', false],
      ['C. Naaiatelier', false],
    ],
    'Tongeren is the same municipality as Borgloon now; a street named after Borgloon in Hasselt is not',
  )

  // A location whose typed municipality matched nothing on the list: its typed name, found in the place.
  await db.updateTable('locations').set({ municipality: 'Hasselt', municipality_nis: null }).where('id', '=', w.a.locationId).execute()
  t.same((await matchingOffers(db, w.a.regionId, req.responseId, 'ar')).map((fit) => fit.title)[0], 'A. Taalcafé aan de Borgloonsesteenweg', 'without a code, the typed name')
})
