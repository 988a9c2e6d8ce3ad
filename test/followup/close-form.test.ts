import t from 'tap'
import { followupWorld, request } from './world.ts'

// The close form presets no outcome (issue 16): "doorverwezen" used to be checked, so a
// bridge figure who pressed "Afsluiten" too soon recorded a referral that never happened.
t.test('the close form presets no outcome; closing without one is refused next to the field', async (t) => {
  const w = await followupWorld(t)
  const req = await request(w.database.db, w.a)
  const url = `/admin/regions/${w.a.regionId}/followup/${req.id}`
  const bridge = await w.signIn('bridge', [w.a.regionId])
  t.equal((await bridge.post(`${url}/claim`)).statusCode, 303)

  const form = await bridge.get(url)
  t.equal(form.statusCode, 200)
  t.match(form.body, /<input type="radio" name="outcome" value="referred" required>/, 'referred is offered, not checked')
  t.notMatch(form.body, /name="outcome"[^>]*checked/, 'no outcome is checked')

  const none = await bridge.post(`${url}/close`, {})
  t.equal(none.statusCode, 422, 'no outcome chosen')
  t.match(none.body, 'id="f-outcome-error">Kies een van de mogelijkheden.', 'the message is next to the field')
  t.match(none.body, '<a href="#f-outcome">Kies een van de mogelijkheden.</a>', 'and in the summary, linked to the group')
  t.match(none.body, 'id="f-outcome" aria-describedby="f-outcome-error"')
  t.notMatch(none.body, /name="outcome"[^>]*checked/, 'still nothing checked after the refusal')

  const offerOnly = await bridge.post(`${url}/close`, { offer_id: '' })
  t.equal(offerOnly.statusCode, 422, 'an empty offer and no outcome')
  const bad = await bridge.post(`${url}/close`, { outcome: "referred' or 1=1" })
  t.equal(bad.statusCode, 422, 'an outcome that does not exist')
  t.match(bad.body, 'id="f-outcome-error">Kies een van de mogelijkheden.')

  const row = await w.database.db.selectFrom('contact_requests').select(['status', 'outcome', 'closed_at']).executeTakeFirstOrThrow()
  t.same(row, { status: 'claimed', outcome: null, closed_at: null }, 'nothing was closed')
  t.notOk((await w.audits()).some((entry) => entry.action === 'contact.close'), 'and nothing audited as closed')

  const kept = await bridge.post(`${url}/close`, { outcome: 'not_reachable', offer_id: 'x' })
  t.equal(kept.statusCode, 422, 'a malformed offer id')
  t.match(kept.body, /name="outcome" value="not_reachable" required checked>/, 'the chosen outcome is kept')

  const close = await bridge.post(`${url}/close`, { outcome: 'not_reachable' })
  t.equal(close.statusCode, 303)
  t.match(await w.database.db.selectFrom('contact_requests').select(['status', 'outcome']).executeTakeFirstOrThrow(), { status: 'closed', outcome: 'not_reachable' })
})
