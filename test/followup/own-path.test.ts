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
