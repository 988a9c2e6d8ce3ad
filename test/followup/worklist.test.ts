import t from 'tap'
import { bridgeWorklist } from '../../src/followup/index.ts'
import { followupWorld, request, themeIds } from './world.ts'

t.test('a bridge figure\'s start page: their open requests and the ones waiting, with counts and links', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const themes = await themeIds(db, w.a.regionId)
  const bridge = await w.signIn('bridge', [w.a.regionId, w.b.regionId])
  const colleague = await w.account('bridge', [w.a.regionId])

  const mineOld = await request(db, w.a, { daysAgo: 12, name: 'Mijn Oude', themeIds: [themes[0]!] })
  const mineNew = await request(db, w.b, { daysAgo: 2, name: 'Mijn Nieuwe' })
  const theirs = await request(db, w.a, { daysAgo: 30, name: 'Van Collega' })
  const closed = await request(db, w.a, { daysAgo: 40, name: 'Afgesloten' })
  const late = await request(db, w.a, { daysAgo: 9, name: 'Te Lang', freeText: 'bel 0474 12 34 56' })
  const fresh = await request(db, w.b, { daysAgo: 1, name: 'Vers' })
  const claim = (id: number, userId: number, status: 'claimed' | 'closed' = 'claimed') => db.updateTable('contact_requests').set({ status, claimed_by: userId, claimed_at: new Date().toISOString() }).where('id', '=', id).execute()
  await claim(mineOld.id, bridge.id)
  await claim(mineNew.id, bridge.id)
  await claim(theirs.id, colleague.id)
  await claim(closed.id, bridge.id, 'closed')
  for (const result of ['no_answer', 'left_message'] as const) {
    await db.insertInto('contact_attempts').values({ contact_request_id: mineOld.id, user_id: bridge.id, at: new Date().toISOString(), result }).execute()
  }

  const home = await bridge.get('/admin')
  t.equal(home.statusCode, 200)
  const body = home.body
  t.notMatch(body, 'binnenkort', 'no placeholder')
  t.match(body, '<h2 id="worklist-heading">Jouw opvolging</h2>')
  t.match(body, '<b>2</b> van jou, nog open')
  t.match(body, '<b>2</b> nog door niemand opgenomen')
  t.match(body, '<b>1</b> 7 dagen of langer niet opgenomen')
  t.match(body, `<a href="/admin/regions/${w.a.regionId}/followup">Opvolglijst`, 'a link to each region\'s queue')
  t.match(body, `<a href="/admin/regions/${w.b.regionId}/followup">Opvolglijst`)
  t.notMatch(body, /Mijn Oude|Mijn Nieuwe|Te Lang|Vers|0474|\+32/, 'no names or numbers on the start page')

  const section = (id: string) => body.slice(body.indexOf(`<h3 id="${id}">`), body.indexOf('</ul>', body.indexOf(`<h3 id="${id}">`)))
  const mine = section('mine')
  t.match(mine, 'Jouw vragen (2)')
  const link = (fixture: { regionId: number }, id: number) => `href="/admin/regions/${fixture.regionId}/followup/${id}">Vraag ${id}</a>`
  t.ok(mine.indexOf(link(w.a, mineOld.id)) >= 0 && mine.indexOf(link(w.a, mineOld.id)) < mine.indexOf(link(w.b, mineNew.id)), 'mine: waiting longest first, each linked in its region')
  t.match(mine, 'Wacht: 12 d.')
  t.match(mine, '2 contactpogingen, laatste: Bericht achtergelaten')
  t.match(mine, 'nog geen contactpoging')
  t.notMatch(mine, new RegExp(`followup/(${theirs.id}|${closed.id}|${late.id})"`), 'not a colleague\'s, not a closed one, not an unclaimed one')

  const waiting = section('unclaimed')
  t.match(waiting, 'Wachten op een eerste contact (2)')
  t.ok(waiting.indexOf(link(w.a, late.id)) >= 0 && waiting.indexOf(link(w.a, late.id)) < waiting.indexOf(link(w.b, fresh.id)), 'unclaimed: waiting longest first')
  const lateRow = waiting.slice(waiting.lastIndexOf('<li', waiting.indexOf(link(w.a, late.id))), waiting.indexOf('</li>', waiting.indexOf(link(w.a, late.id))))
  t.match(lateRow, 'class="late"')
  t.match(lateRow, '<span class="badge">7 dagen of langer niet opgenomen</span>')
  t.match(waiting, 'lang="ar">العربية', 'the preferred language, by its own name')

  const en = await bridge.get('/admin?lang=en')
  t.match(en.body, '<b>2</b> yours, still open')
  t.match(en.body, 'Waiting for a first contact (2)')
  t.same(await w.audits(), [], 'the start page shows no contact details, so nothing to audit')
})

t.test('the start page lists ten waiting requests and says how many more each queue holds; other roles see no worklist', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  for (let i = 0; i < 12; i++) await request(db, w.a, { daysAgo: 20 - i })
  await request(db, w.b, { daysAgo: 3 })
  const bridge = await w.signIn('bridge', [w.a.regionId])
  const body = (await bridge.get('/admin')).body
  t.equal(body.slice(body.indexOf('<h3 id="unclaimed">')).match(/>Vraag \d+<\/a>/g)?.length, 10)
  t.match(body, `<a href="/admin/regions/${w.a.regionId}/followup">Nog 2 in de opvolglijst`)
  t.notMatch(body, `/admin/regions/${w.b.regionId}/`, 'nothing of a region they do not work in')
  t.match(body, '<b>12</b> nog door niemand opgenomen')
  t.match(body, '<b>0</b> van jou, nog open')
  t.match(body, 'Je hebt geen open vragen.')

  for (const role of ['coordinator', 'partner', 'admin'] as const) {
    const other = await w.signIn(role, role === 'admin' ? [] : [w.a.regionId])
    t.notMatch((await other.get('/admin')).body, 'worklist-heading', `${role}: the start page as before`)
  }
  const empty = await w.signIn('bridge', [])
  const nothing = await empty.get('/admin')
  t.equal(nothing.statusCode, 200)
  t.match(nothing.body, 'Je werkt nog in geen enkele regio.')
  t.notMatch(nothing.body, 'worklist-heading')
})

t.test('bridgeWorklist counts per region and leaves out what is not the person\'s', async (t) => {
  const w = await followupWorld(t)
  const db = w.database.db
  const me = await w.account('bridge', [w.a.regionId, w.b.regionId])
  const a1 = await request(db, w.a, { daysAgo: 8 })
  await request(db, w.a, { daysAgo: 7 })
  await request(db, w.b, { daysAgo: 6 })
  await db.updateTable('contact_requests').set({ status: 'claimed', claimed_by: me.id }).where('id', '=', a1.id).execute()
  const list = await bridgeWorklist(db, { id: me.id, regionIds: [w.a.regionId, w.b.regionId] }, 'nl')
  t.same(list.regions.map((r) => [r.id, r.mine, r.unclaimed, r.overdue]).sort(), [[w.a.regionId, 1, 1, 1], [w.b.regionId, 0, 1, 0]].sort(), '7 days unclaimed is overdue, 6 is not; a claimed one is not overdue')
  t.same(list.totals, { mine: 1, unclaimed: 2, overdue: 1, due: 0, late: 0 })
  t.same((await bridgeWorklist(db, { id: me.id, regionIds: [w.b.regionId] }, 'nl')).mine, [], 'a region left out is left out')
  t.same(await bridgeWorklist(db, { id: me.id, regionIds: [] }, 'nl'), { regions: [], mine: [], unclaimed: [], totals: { mine: 0, unclaimed: 0, overdue: 0, due: 0, late: 0 } })
})
