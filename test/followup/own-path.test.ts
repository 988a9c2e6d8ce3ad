import t from 'tap'
import { addDays, localDay } from '../../src/answers/index.ts'
import { runRetention } from '../../src/followup/retention.ts'
import { form, formHeaders } from '../helpers.ts'
import { followupWorld, ownPathWorld } from './world.ts'

/**
 * The person's own view of their question through the private link of the thank-you page
 * (issue 19, "the person's own view, without an account"): what they asked, where it
 * stands, the next contact and the offers they were referred to — never the bridge
 * figure's notes or name — and a "stop and erase" button. The link works for its own path
 * only and dies with the contact details.
 */

t.test('the private link shows the person their question, its steps and the offer, never the notes; the button erases it', async (t) => {
  const w = await ownPathWorld(t)
  const db = w.database.db
  const mine = await w.ask('nl', 'Ik wil leren naaien')
  const theirs = await w.ask('nl', 'Iets heel anders: fietsen herstellen')

  const fresh = await w.app.inject({ method: 'GET', url: mine })
  t.equal(fresh.statusCode, 200)
  t.equal(fresh.headers['cache-control'], 'no-store')
  t.equal(fresh.headers['referrer-policy'], 'no-referrer', 'the token is not sent on to the offer’s website')
  t.match(fresh.body, '<h1>Jouw vraag</h1>')
  t.match(fresh.body, 'Ik wil leren naaien', 'what they wrote')
  t.notMatch(fresh.body, 'fietsen herstellen', 'not the other person’s question')
  t.match(fresh.body, 'Je vraag wacht op een brugfiguur.')
  t.match(fresh.body, 'Ja, wis mijn gegevens', 'the stop-and-erase button')

  // A bridge figure takes it up: a conversation with a note, then a referral to the sewing workshop.
  const requestId = (await db.selectFrom('contact_requests').innerJoin('responses', 'responses.id', 'contact_requests.response_id').select('contact_requests.id').where('responses.free_text', 'like', 'Ik wil%').executeTakeFirstOrThrow()).id
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${requestId}`
  await bridge.get(url)
  const note = 'Dochter naar de opvang eerst. NOTITIE-KANARIE-7'
  t.equal((await bridge.post(`${url}/steps`, { kind: 'conversation', on_day: localDay(), note })).statusCode, 303)
  await bridge.get(url)
  t.equal((await bridge.post(`${url}/steps`, { kind: 'referral', step_offer: String(w.sewing), step_next: addDays(localDay(), 7) })).statusCode, 303)

  const followed = await w.app.inject({ method: 'GET', url: mine })
  t.match(followed.body, 'Een brugfiguur helpt je verder.')
  t.match(followed.body, ': gesprek')
  t.match(followed.body, ': doorverwezen naar')
  t.match(followed.body, 'Naaiatelier voor beginners')
  t.match(followed.body, 'Waar: Bib Tongeren, Veemarkt 1')
  t.match(followed.body, 'Wanneer: Elke dinsdag 19u–21u')
  t.match(followed.body, 'href="https://example.be/naaien"')
  t.match(followed.body, /Volgend contact: \d{1,2} \S+ 20\d\d\./, 'the next contact agreed, as a date')
  t.notMatch(followed.body, 'NOTITIE-KANARIE-7', 'never the bridge figure’s note')
  t.notMatch(followed.body, 'bridge-', 'never who recorded a step')
  const other = await w.app.inject({ method: 'GET', url: theirs })
  t.notMatch(other.body, 'Naaiatelier', 'the other person’s link shows none of this path')

  const arabic = await w.app.inject({ method: 'GET', url: mine.replace('lang=nl', 'lang=ar') })
  t.match(arabic.body, 'dir="rtl"')
  t.match(arabic.body, 'طلبك')

  // Stop and erase: the contact details, the notes and the link go; the link is then the friendly 404.
  const w1 = new URL(mine, 'http://x').searchParams.get('w')!
  const erased = await w.app.inject({ method: 'POST', url: '/withdraw', headers: formHeaders, payload: form({ w: w1, lang: 'nl' }) })
  t.equal(erased.statusCode, 200)
  const gone = await w.app.inject({ method: 'GET', url: mine })
  t.equal(gone.statusCode, 404)
  const forged = await w.app.inject({ method: 'GET', url: `/withdraw?w=${'A'.repeat(43)}&lang=nl` })
  t.equal(forged.statusCode, 404)
  t.equal(gone.body, forged.body, 'an erased link and a forged one get the same page')
  t.same(await db.selectFrom('path_steps').select('note').where('contact_request_id', '=', requestId).where('note', 'is not', null).execute(), [], 'the notes went with it')
})

t.test('the link expires with the contact details', async (t) => {
  const w = await ownPathWorld(t)
  const link = await w.ask('fr', 'apprendre à coudre')
  t.equal((await w.app.inject({ method: 'GET', url: link })).statusCode, 200)
  const region = await w.database.db.selectFrom('regions').select('contact_max_age_days').where('id', '=', w.a.regionId).executeTakeFirstOrThrow()
  await runRetention(w.database.db, new Date(Date.now() + (region.contact_max_age_days + 1) * 86_400_000))
  const expired = await w.app.inject({ method: 'GET', url: link })
  t.equal(expired.statusCode, 404, 'after the contact details expired, the link leads nowhere')
  t.match(expired.body, 'Ce lien ne marche pas')
})

t.test('bad links: a token of the wrong shape or none at all is the same friendly page', async (t) => {
  const w = await followupWorld(t)
  for (const url of ['/withdraw', '/withdraw?w=', `/withdraw?w=${'A'.repeat(42)}`, `/withdraw?w=${'%FF'.repeat(10)}`, `/withdraw?w=${'A'.repeat(64)}`]) {
    const res = await w.app.inject({ method: 'GET', url })
    t.ok(res.statusCode === 404 || res.statusCode === 400, `${url}: ${res.statusCode}`)
    t.notOk(res.statusCode >= 500)
  }
})

t.test('a person who comes back through their link adds a question to the same path; it reaches the bridge figure, reopens a closed path, and goes with the erasure', async (t) => {
  const w = await ownPathWorld(t)
  const db = w.database.db
  const mine = await w.ask('nl', 'Ik wil leren naaien')
  const theirs = await w.ask('nl', 'Fietsen herstellen')
  const token = new URL(mine, 'http://x').searchParams.get('w')!
  const requestId = (await db.selectFrom('contact_requests').innerJoin('responses', 'responses.id', 'contact_requests.response_id').select('contact_requests.id').where('responses.free_text', '=', 'Ik wil leren naaien').executeTakeFirstOrThrow()).id
  const questions = () => db.selectFrom('path_questions').select(['text', 'language']).where('contact_request_id', '=', requestId).orderBy('id').execute()
  const ask = (question: string, lang = 'nl', w1 = token) =>
    w.app.inject({ method: 'POST', url: '/withdraw/question', headers: formHeaders, payload: form({ w: w1, lang, question }) })

  const page = await w.app.inject({ method: 'GET', url: mine })
  t.match(page.body, 'Nog een vraag?', 'the page offers to ask again')
  t.match(page.body, '<textarea id="question" name="question"')

  // Bad input: the page again, the message under the field, the text kept, nothing stored.
  const empty = await ask('   ')
  t.equal(empty.statusCode, 400)
  t.match(empty.body, '<span class="error" id="question_error">Schrijf je vraag in het vak.</span>')
  const long = await ask('a'.repeat(281))
  t.equal(long.statusCode, 400)
  t.match(long.body, 'Je tekst is te lang. Niet meer dan 280 tekens.')
  t.match(long.body, `>${'a'.repeat(281)}</textarea>`, 'what they typed is kept')
  const control = await ask('Frans\u0007 leren')
  t.equal(control.statusCode, 400)
  t.match(control.body, 'Je tekst bevat vreemde tekens.')
  const zalgo = await ask(`a${'\u0301'.repeat(40)}`)
  t.equal(zalgo.statusCode, 400)
  t.match(zalgo.body, 'te veel tekens die op elkaar gestapeld zijn')
  const forged = await ask('Frans leren', 'nl', 'A'.repeat(43))
  t.equal(forged.statusCode, 404)
  t.match(forged.body, 'Deze link werkt niet')
  t.same(await questions(), [], 'nothing stored for refused input')

  // A question: stored on this path, shown to the person, due today for the bridge figure.
  const sent = await ask('Ik wil ook Frans leren. Mail me: jan@voorbeeld.be')
  t.equal(sent.statusCode, 303)
  t.equal(sent.headers.location, `/withdraw?w=${token}&lang=nl&sent=1`)
  const after = await w.app.inject({ method: 'GET', url: String(sent.headers.location) })
  t.match(after.body, 'Je vraag is verstuurd. Je brugfiguur neemt contact met je op.')
  t.match(after.body, 'Wat je later vroeg')
  t.match(after.body, 'Ik wil ook Frans leren.')
  t.same(await questions(), [{ text: 'Ik wil ook Frans leren. Mail me: jan@voorbeeld.be', language: 'nl' }])
  t.notMatch((await w.app.inject({ method: 'GET', url: theirs })).body, 'Frans leren', 'not on another person’s path')
  const request = await db.selectFrom('contact_requests').select(['status', 'next_contact_on']).where('id', '=', requestId).executeTakeFirstOrThrow()
  t.equal(request.next_contact_on, localDay(), 'the path is due today')
  t.equal(request.status, 'new', 'an unclaimed request stays in the queue')

  // The bridge figure sees it on the request page, masked like every free text there, and the view is audited.
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const url = `/admin/regions/${w.a.regionId}/followup/${requestId}`
  const staff = await bridge.get(url)
  t.match(staff.body, 'Later gevraagd, via de eigen link')
  t.match(staff.body, 'Ik wil ook Frans leren. Mail me: [e-mail]')
  t.notMatch(staff.body, 'jan@voorbeeld.be')
  const audited = await db.selectFrom('audit_log').select('action').where('resource_id', '=', requestId).where('action', '=', 'path.notes.view').execute()
  t.equal(audited.length, 1, 'the view of the person’s words is in the audit log')

  // A closed path is open again when the person asks: with its bridge figure, its steps kept.
  t.equal((await bridge.post(`${url}/steps`, { kind: 'completed', on_day: localDay() })).statusCode, 303)
  t.equal((await db.selectFrom('contact_requests').select('status').where('id', '=', requestId).executeTakeFirstOrThrow()).status, 'closed')
  t.equal((await ask('Nu wil ik ook leren fietsen', 'ar')).statusCode, 303)
  const reopened = await db.selectFrom('contact_requests').select(['status', 'claimed_by', 'outcome', 'closed_at', 'next_contact_on']).where('id', '=', requestId).executeTakeFirstOrThrow()
  t.equal(reopened.status, 'claimed', 'open again')
  t.ok(reopened.claimed_by !== null, 'with the bridge figure who walked with them')
  t.equal(reopened.outcome, null)
  t.equal(reopened.closed_at, null)
  t.equal(reopened.next_contact_on, localDay())
  t.equal((await db.selectFrom('path_steps').select('id').where('contact_request_id', '=', requestId).execute()).length, 1, 'the steps stay')
  t.equal((await questions())[1]?.language, 'ar', 'the language they asked in')

  // Five a day per link: a forwarded link cannot fill the bridge figure's list.
  for (let i = 3; i <= 5; i++) t.equal((await ask(`Vraag ${i}`)).statusCode, 303)
  const sixth = await ask('Vraag 6')
  t.equal(sixth.statusCode, 429)
  t.match(sixth.body, 'Je stelde vandaag al 5 vragen.')
  t.equal((await questions()).length, 5)

  // Stop and erase: the questions go with the contact details, and the link with them.
  t.equal((await w.app.inject({ method: 'POST', url: '/withdraw', headers: formHeaders, payload: form({ w: token, lang: 'nl' }) })).statusCode, 200)
  t.same(await questions(), [], 'the person’s questions are erased with the rest')
  t.equal((await ask('Nog iets')).statusCode, 404, 'an erased link adds nothing')
})
